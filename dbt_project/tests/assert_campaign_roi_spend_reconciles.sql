-- Spend in the campaign reports = spend in the unified ad table + non-ad costs (all in CNY).
-- Returns a row per report whose total differs by more than half a fen.

-- Shown in Dagster as a check on rpt_campaign_roi (the test reads several models).
{{ config(meta={'dagster': {'ref': {'name': 'rpt_campaign_roi'}}}) }}

with

unified_ads as (

    select sum(spend_cny) as spend from {{ ref('int_ad_performance_unioned') }}

),

non_ad_costs as (

    select sum(amount_cny) as spend from {{ ref('stg_reference__non_ad_costs') }}

),

reports as (

    select
        'rpt_campaign_roi' as report,
        sum(spend) as spend
    from {{ ref('rpt_campaign_roi') }}

    union all

    select
        'rpt_campaign_roi_daily' as report,
        sum(spend) as spend
    from {{ ref('rpt_campaign_roi_daily') }}

)

select
    reports.report,
    reports.spend as report_spend,
    coalesce(unified_ads.spend, 0) + coalesce(non_ad_costs.spend, 0) as expected_spend
from reports
cross join unified_ads
cross join non_ad_costs
where abs(coalesce(reports.spend, 0) - coalesce(unified_ads.spend, 0) - coalesce(non_ad_costs.spend, 0)) > 0.005
