-- Incremental: the ad days (re-)landed in the partition window replace their stored rows.

{{ config(
    enabled=ad_platform_enabled('tencent_ads'),
    **incremental_by_key(['report_date', 'ad_id'], 'report_date')
) }}

with

tencent_ads_daily_reports as {{ not_materialized() }} (

    select * from {{ source('raw', 'tencent_ads_daily_reports') }}
    where {{ incremental_window_filter('_partition_date') }}

),

ranked as (

    {{ latest_versions('tencent_ads_daily_reports', ['date', 'dynamic_creative_id']) }}

),

final as (

    select
        dynamic_creative_id as ad_id,
        adgroup_id as ad_group_id,
        campaign_id as platform_campaign_id,
        account_id,
        cast(null as {{ dbt.type_string() }}) as ad_name,
        adgroup_name as ad_group_name,
        campaign_name as platform_campaign_name,
        'Asia/Shanghai' as account_timezone,
        'CNY' as currency,
        view_count as impressions,
        valid_click_count as clicks,
        -- cost and order_amount are integer fen: / 100 -> yuan.
        cast(cost / 100.0 as decimal(18, 4)) as spend_original,
        cast(cost / 100.0 as decimal(18, 4)) as spend_cny,
        coalesce(conversions_count, 0) as platform_conversions,
        cast(coalesce(order_amount, 0) / 100.0 as decimal(18, 4)) as platform_conversion_value_cny,
        date as report_date,
        _partition_date as partition_date,
        _loaded_at as loaded_at
    from ranked
    where version_rank = 1

)

select
    *,
    {{ built_at() }} as dbt_built_at
from final
