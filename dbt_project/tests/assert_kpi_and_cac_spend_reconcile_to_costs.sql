-- The KPI reports and the blended `all` rows of rpt_cac_ltv_monthly carry exactly the spend of
-- fct_campaign_costs_daily inside the reported window (first loaded day .. data end, whole months for
-- the monthly report).

-- Shown in Dagster as a check on rpt_kpi_daily (the test reads several models).
{{ config(meta={'dagster': {'ref': {'name': 'rpt_kpi_daily'}}}) }}

with

dates as (

    select
        min(date_day) as first_day,
        max(date_day) as data_end_date
    from {{ ref('dim_dates') }}

),

costs as (

    select fct_campaign_costs_daily.*
    from {{ ref('fct_campaign_costs_daily') }} as fct_campaign_costs_daily
    cross join dates
    where fct_campaign_costs_daily.cost_date between dates.first_day and dates.data_end_date

),

monthly_costs as (

    select fct_campaign_costs_daily.*
    from {{ ref('fct_campaign_costs_daily') }} as fct_campaign_costs_daily
    cross join dates
    where
        fct_campaign_costs_daily.cost_date
        < cast({{ dbt.dateadd('month', 1, dbt.date_trunc('month', 'dates.data_end_date')) }} as date)

),

expected as (

    select
        (select sum(spend_cny) from costs) as window_spend,
        (select sum(spend_cny) from monthly_costs) as monthly_spend

),

reports as (

    select
        'rpt_kpi_daily' as report,
        sum(spend) as report_spend
    from {{ ref('rpt_kpi_daily') }}

    union all

    select
        'rpt_kpi_weekly' as report,
        sum(spend) as report_spend
    from {{ ref('rpt_kpi_weekly') }}

    union all

    select
        'rpt_kpi_monthly' as report,
        sum(spend) as report_spend
    from {{ ref('rpt_kpi_monthly') }}

    union all

    select
        'rpt_cac_ltv_monthly' as report,
        sum(spend) as report_spend
    from {{ ref('rpt_cac_ltv_monthly') }}
    where channel = 'all'

),

checks as (

    select
        reports.report,
        reports.report_spend,
        case
            when reports.report = 'rpt_cac_ltv_monthly' then expected.monthly_spend
            else expected.window_spend
        end as expected_spend
    from reports
    cross join expected

)

select *
from checks
where abs(coalesce(report_spend, 0) - coalesce(expected_spend, 0)) > 0.005
