-- Campaigns: the registry (latest snapshot of each campaign) plus one row per platform campaign that
-- spends but is missing from the registry, so no spend is ever dropped from the campaign reports.
-- Grain: campaign_id.

with

stg_reference__campaigns as (

    select * from {{ ref('stg_reference__campaigns') }}

),

int_ad_performance_unioned as (

    select * from {{ ref('int_ad_performance_unioned') }}

),

channels as (

    select * from {{ ref('channels') }}

),

unregistered as (

    select
        ads.platform,
        ads.platform_campaign_id,
        max(ads.platform_campaign_name) as platform_campaign_name
    from int_ad_performance_unioned as ads
    left join stg_reference__campaigns as registry
        on
            ads.platform = registry.platform
            and ads.platform_campaign_id = registry.platform_campaign_id
    where registry.campaign_id is null
    group by ads.platform, ads.platform_campaign_id

),

campaigns as (

    select
        campaign_id,
        platform_campaign_id,
        campaign_name,
        campaign_type,
        channel,
        platform,
        utm_campaign,
        budget_currency,
        budget_original,
        budget_cny,
        true as is_registered,
        is_in_latest_snapshot,
        start_date,
        end_date
    from stg_reference__campaigns

    union all

    select
        {{ dbt.concat(['unregistered.platform', "':'", 'unregistered.platform_campaign_id']) }} as campaign_id,
        unregistered.platform_campaign_id,
        unregistered.platform_campaign_name as campaign_name,
        'paid_ads' as campaign_type,
        coalesce(channels.channel, 'unmapped') as channel,
        unregistered.platform,
        cast(null as {{ dbt.type_string() }}) as utm_campaign,
        cast(null as {{ dbt.type_string() }}) as budget_currency,
        cast(null as decimal(18, 4)) as budget_original,
        cast(null as decimal(18, 4)) as budget_cny,
        false as is_registered,
        false as is_in_latest_snapshot,
        cast(null as date) as start_date,
        cast(null as date) as end_date
    from unregistered
    left join channels
        on unregistered.platform = channels.ad_platform

),

final as (

    select
        campaigns.campaign_id,
        campaigns.platform_campaign_id,
        campaigns.campaign_name,
        campaigns.campaign_type,
        campaigns.channel,
        coalesce(channels.channel_group, 'unmapped') as channel_group,
        campaigns.platform,
        campaigns.utm_campaign,
        campaigns.budget_currency,
        campaigns.budget_original,
        campaigns.budget_cny,
        campaigns.is_registered,
        campaigns.is_in_latest_snapshot,
        campaigns.start_date,
        campaigns.end_date
    from campaigns
    left join channels
        on campaigns.channel = channels.channel

)

select * from final
