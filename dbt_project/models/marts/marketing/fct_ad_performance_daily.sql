-- The unified daily ad performance (all enabled platforms, ad grain) with the internal campaign and its
-- channel. Meta rows keep the ad account's day (see account_timezone). Grain: platform, ad_id, report_date.
-- Incremental: the ad days (re-)landed in the partition window replace theirs. The campaign and channel are
-- the registry's at that time; a registry change reaches older ad days with a full refresh.

{{ config(**incremental_by_key(['platform', 'ad_id', 'report_date'], 'report_date')) }}

with

int_ad_performance_unioned as (

    select * from {{ ref('int_ad_performance_unioned') }}
    where {{ incremental_window_filter() }}

),

dim_campaigns as (

    select * from {{ ref('dim_campaigns') }}

),

final as (

    select
        ads.platform,
        ads.ad_id,
        ads.ad_group_id,
        ads.platform_campaign_id,
        dim_campaigns.campaign_id,
        ads.account_id,
        ads.ad_name,
        ads.ad_group_name,
        ads.platform_campaign_name,
        dim_campaigns.channel,
        ads.account_timezone,
        ads.currency,
        ads.impressions,
        ads.clicks,
        ads.spend_original,
        ads.spend_cny,
        ads.platform_conversions,
        ads.platform_conversion_value_cny,
        ads.report_date
    from int_ad_performance_unioned as ads
    left join dim_campaigns
        on
            ads.platform = dim_campaigns.platform
            and ads.platform_campaign_id = dim_campaigns.platform_campaign_id

)

select
    *,
    {{ built_at() }} as dbt_built_at
from final
-- kept in day order, so a nightly run's day filters skip the older row groups
order by report_date
