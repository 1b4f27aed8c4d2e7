-- Incremental: the ad days (re-)landed in the partition window replace their stored rows.

{{ config(
    enabled=ad_platform_enabled('google_ads'),
    **incremental_by_key(['report_date', 'ad_id'], 'report_date')
) }}

with

google_ads_ad_stats as {{ not_materialized() }} (

    select * from {{ source('raw', 'google_ads_ad_stats') }}
    where {{ incremental_window_filter('_partition_date') }}

),

fx_rates as (

    select * from {{ ref('stg_reference__fx_rates') }}

),

ranked as (

    {{ latest_versions('google_ads_ad_stats', [adapter.quote('segments.date'), adapter.quote('ad_group_ad.ad.id')]) }}

),

renamed as (

    select
        {{ adapter.quote('ad_group_ad.ad.id') }} as ad_id,
        {{ adapter.quote('ad_group.id') }} as ad_group_id,
        {{ adapter.quote('campaign.id') }} as platform_campaign_id,
        {{ adapter.quote('customer.id') }} as account_id,
        {{ adapter.quote('ad_group_ad.ad.name') }} as ad_name,
        {{ adapter.quote('ad_group.name') }} as ad_group_name,
        {{ adapter.quote('campaign.name') }} as platform_campaign_name,
        -- segments.date is the customer's calendar day; a daily aggregate cannot be re-bucketed to Beijing.
        {{ adapter.quote('customer.time_zone') }} as account_timezone,
        upper(trim({{ adapter.quote('customer.currency_code') }})) as currency,
        {{ adapter.quote('metrics.impressions') }} as impressions,
        {{ adapter.quote('metrics.clicks') }} as clicks,
        -- cost_micros is int64 micros of the customer's currency: / 1,000,000 -> whole units.
        cast({{ adapter.quote('metrics.cost_micros') }} / 1000000.0 as decimal(18, 4)) as spend_original,
        coalesce({{ adapter.quote('metrics.conversions') }}, 0) as platform_conversions_original,
        coalesce({{ adapter.quote('metrics.conversions_value') }}, 0) as platform_conversion_value_original,
        {{ adapter.quote('segments.date') }} as report_date,
        _partition_date as partition_date,
        _loaded_at as loaded_at
    from ranked
    where version_rank = 1

),

final as (

    select
        renamed.ad_id,
        renamed.ad_group_id,
        renamed.platform_campaign_id,
        renamed.account_id,
        renamed.ad_name,
        renamed.ad_group_name,
        renamed.platform_campaign_name,
        renamed.account_timezone,
        renamed.currency,
        renamed.impressions,
        renamed.clicks,
        renamed.spend_original,
        {{ to_cny('renamed.spend_original', 'renamed.currency', 'fx_rates.rate_to_cny') }} as spend_cny,
        -- Google's conversions are fractional (data-driven attribution); the shared column counts whole ones.
        cast(round(renamed.platform_conversions_original) as bigint) as platform_conversions,
        renamed.platform_conversions_original,
        renamed.platform_conversion_value_original,
        {{ to_cny('renamed.platform_conversion_value_original', 'renamed.currency', 'fx_rates.rate_to_cny') }}
            as platform_conversion_value_cny,
        fx_rates.rate_to_cny as fx_rate_to_cny,
        renamed.report_date,
        renamed.partition_date,
        renamed.loaded_at
    from renamed
    left join fx_rates
        on
            renamed.currency = fx_rates.currency
            and renamed.report_date = fx_rates.rate_date

)

select
    *,
    {{ built_at() }} as dbt_built_at
from final
