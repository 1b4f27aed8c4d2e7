-- Ad funnel per platform campaign and day: impressions and clicks (platform-reported), visits carrying
-- the campaign's UTM, and signups and first paid orders last-touch attributed to it (on the conversion
-- day). Only ad-platform campaigns. Grain: report_date, platform, campaign_id.

with

fct_campaign_performance_daily as (

    select * from {{ ref('fct_campaign_performance_daily') }}

),

report_rows as (

    select
        report_date,
        platform,
        campaign_id,
        cast(impressions as bigint) as impressions,
        cast(clicks as bigint) as clicks,
        cast(visits as bigint) as visits,
        cast(attributed_signups as bigint) as signups,
        cast(attributed_first_orders as bigint) as first_orders,
        cast(spend_cny as decimal(18, 4)) as spend_cny
    from fct_campaign_performance_daily
    where platform is not null

),

final as (

    {{ with_code_labels('report_rows', {'platform': 'platform'}, campaign_id='campaign_id') }}

)

select * from final
