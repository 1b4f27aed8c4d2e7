-- Content cost in the content reports = the non-ad costs that carry a content_id (CNY), per item and in
-- total: no cost of an item is lost (an unknown content_id still gets its own row) or counted twice.
-- Returns a row per report and item whose cost differs by more than half a fen.

-- Shown in Dagster as a check on rpt_content_items (the test reads several models).
{{ config(meta={'dagster': {'ref': {'name': 'rpt_content_items'}}}) }}

with

non_ad_costs as (

    select
        content_id,
        sum(amount_cny) as cost_cny
    from {{ ref('stg_reference__non_ad_costs') }}
    where content_id is not null
    group by content_id

),

reports as (

    select
        'rpt_content_items' as report,
        content_id,
        sum(content_cost) as cost_cny
    from {{ ref('rpt_content_items') }}
    group by content_id

    union all

    select
        'rpt_content_daily' as report,
        content_id,
        sum(content_cost) as cost_cny
    from {{ ref('rpt_content_daily') }}
    group by content_id

),

report_names as (

    select 'rpt_content_items' as report
    union all
    select 'rpt_content_daily' as report

),

expected as (

    select
        report_names.report,
        non_ad_costs.content_id,
        non_ad_costs.cost_cny
    from non_ad_costs
    cross join report_names

),

compared as (

    select
        coalesce(reports.report, expected.report) as report,
        coalesce(reports.content_id, expected.content_id) as content_id,
        coalesce(reports.cost_cny, 0) as report_cost,
        coalesce(expected.cost_cny, 0) as expected_cost
    from reports
    full outer join expected
        on
            reports.report = expected.report
            and reports.content_id = expected.content_id

)

select * from compared
where abs(report_cost - expected_cost) > 0.005
