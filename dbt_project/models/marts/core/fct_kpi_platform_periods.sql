-- The per-platform parts of blended ROAS per period (every loaded day, ISO week and calendar month of dim_dates,
-- as fct_kpis): each ad platform's spend and the net revenue last-touch attributed to its campaigns
-- (fct_campaign_performance_daily, by report day = cost day / conversion day). Campaigns without an ad platform
-- (non-ad costs of registry campaigns) are `non_ad`. Summed over the platforms the spend is fct_kpis' spend; the
-- net revenue no platform is credited with is the rest of fct_kpis' net_revenue (rpt_kpi_drivers).
-- A platform appears in a period where it has spend or attributed revenue. Grain: period, period_start, platform.

{%- set grains = [('day', 'date_day'), ('week', 'week_start'), ('month', 'month_start')] %}

with

dim_dates as (

    select * from {{ ref('dim_dates') }}

),

fct_campaign_performance_daily as (

    select * from {{ ref('fct_campaign_performance_daily') }}

),

periods as (

    {%- for datepart, period in grains %}

        select
            '{{ datepart }}' as period,
            dim_dates.{{ period }} as period_start,
            coalesce(performance.platform, 'non_ad') as platform,
            sum(performance.spend_cny) as spend_cny,
            sum(performance.attributed_revenue_cny) as attributed_revenue_cny
        from fct_campaign_performance_daily as performance
        inner join dim_dates on performance.report_date = dim_dates.date_day
        group by dim_dates.{{ period }}, coalesce(performance.platform, 'non_ad')
        having sum(performance.spend_cny) <> 0 or sum(performance.attributed_revenue_cny) <> 0
        {%- if not loop.last %}

            union all
        {%- endif %}
    {%- endfor %}

),

final as (

    select
        period,
        platform,
        cast(spend_cny as decimal(18, 4)) as spend_cny,
        cast(attributed_revenue_cny as decimal(18, 4)) as attributed_revenue_cny,
        period_start
    from periods

)

select * from final
