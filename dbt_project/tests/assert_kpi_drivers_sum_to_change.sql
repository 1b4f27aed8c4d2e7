-- Every decomposition of rpt_kpi_drivers adds up to the change of the published KPI: per period type, period and
-- metric, the contributions sum to value_change within 1e-9 (relative to the metric's size when it exceeds 1: the
-- parts are doubles, a month's GMV in CNY has ~10 digits before the point), and value_before / value_now are the
-- KPI's values in fct_kpis (the body of rpt_kpi_daily / _weekly / _monthly) for those periods.

-- Shown in Dagster as a check on rpt_kpi_drivers (the test reads several models).
{{ config(meta={'dagster': {'ref': {'name': 'rpt_kpi_drivers'}}}) }}

{%- set metrics = ['gmv', 'new_users', 'cac', 'blended_roas'] %}

with

rpt_kpi_drivers as (

    select * from {{ ref('rpt_kpi_drivers') }}

),

fct_kpis as (

    select * from {{ ref('fct_kpis') }}

),

published as (

    {%- for metric in metrics %}
        select
            period,
            period_start,
            '{{ metric }}' as metric,
            cast({{ metric }} as {{ type_double() }}) as metric_value
        from fct_kpis
        {% if not loop.last %}union all{% endif %}
    {%- endfor %}

),

decompositions as (

    select
        period_type,
        period_start,
        previous_period_start,
        metric,
        min(value_before) as value_before,
        max(value_before) as max_value_before,
        min(value_now) as value_now,
        max(value_now) as max_value_now,
        min(value_change) as value_change,
        sum(contribution) as contributions
    from rpt_kpi_drivers
    group by period_type, period_start, previous_period_start, metric

),

checks as (

    select
        decompositions.*,
        published_before.metric_value as published_before,
        published_now.metric_value as published_now,
        1e-9 * greatest(1, abs(decompositions.value_before), abs(decompositions.value_now)) as tolerance
    from decompositions
    left join published as published_before
        on
            decompositions.period_type = published_before.period
            and decompositions.previous_period_start = published_before.period_start
            and decompositions.metric = published_before.metric
    left join published as published_now
        on
            decompositions.period_type = published_now.period
            and decompositions.period_start = published_now.period_start
            and decompositions.metric = published_now.metric

)

select *
from checks
where
    not abs(contributions - value_change) <= tolerance
    or not abs(value_change - (value_now - value_before)) <= tolerance
    or value_before <> max_value_before
    or value_now <> max_value_now
    or published_before is null
    or published_now is null
    or value_before <> published_before
    or value_now <> published_now
