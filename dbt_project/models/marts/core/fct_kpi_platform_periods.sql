-- The per-platform parts of blended ROAS per period (every loaded day, ISO week and calendar month of dim_dates,
-- as fct_kpis): each ad platform's spend and the net revenue last-touch attributed to its campaigns
-- (fct_campaign_performance_daily, by report day = cost day / conversion day). Campaigns without an ad platform
-- (non-ad costs of registry campaigns) are `non_ad`. Summed over the platforms the spend is fct_kpis' spend; the
-- net revenue no platform is credited with is the rest of fct_kpis' net_revenue (rpt_kpi_drivers).
-- A platform appears in a period where it has spend or attributed revenue. Grain: period, period_start, platform.

with

fct_campaign_performance_daily as (

    select * from {{ ref('fct_campaign_performance_daily') }}

),

periods as (

    {{ sum_by_period(
        'fct_campaign_performance_daily', 'report_date',
        dimensions={'platform': "coalesce(platform, 'non_ad')"},
        measures={'spend_cny': 'spend_cny', 'attributed_revenue_cny': 'attributed_revenue_cny'},
    ) }}

),

final as (

    select
        period,
        platform,
        cast(spend_cny as decimal(18, 4)) as spend_cny,
        cast(attributed_revenue_cny as decimal(18, 4)) as attributed_revenue_cny,
        period_start
    from periods
    where spend_cny <> 0 or attributed_revenue_cny <> 0

)

select * from final
