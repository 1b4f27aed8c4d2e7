-- Incremental: the ad days (re-)landed in the partition window replace their stored rows.

{{ config(
    enabled=ad_platform_enabled('ocean_engine'),
    materialized='incremental',
    incremental_strategy='delete_insert_since',
    unique_key=['report_date', 'ad_id'],
    delete_since='report_date'
) }}

with

ocean_engine_ad_stats as (

    select * from {{ source('raw', 'ocean_engine_ad_stats') }}
    where {{ incremental_window_filter('_partition_date') }}

),

ranked as (

    {{ latest_versions('ocean_engine_ad_stats', ['"日期"', '"广告ID"']) }}

),

final as (

    select
        "广告ID" as ad_id,
        -- v3 hierarchy is advertiser -> project -> promotion: no ad-group level.
        cast(null as {{ dbt.type_string() }}) as ad_group_id,
        "项目ID" as platform_campaign_id,
        "账户ID" as account_id,
        "广告名称" as ad_name,
        cast(null as {{ dbt.type_string() }}) as ad_group_name,
        "项目名称" as platform_campaign_name,
        'Asia/Shanghai' as account_timezone,
        'CNY' as currency,
        "展示数" as impressions,
        "点击数" as clicks,
        -- 消耗(元) is already yuan; the exported 点击率(%) is dropped: ratios are recomputed from counts.
        cast("消耗(元)" as decimal(18, 4)) as spend_original,
        cast("消耗(元)" as decimal(18, 4)) as spend_cny,
        coalesce("转化数", 0) as platform_conversions,
        cast(coalesce("转化金额(元)", 0) as decimal(18, 4)) as platform_conversion_value_cny,
        "日期" as report_date,
        _partition_date as partition_date,
        _loaded_at as loaded_at
    from ranked
    where version_rank = 1

)

select
    *,
    {{ built_at() }} as dbt_built_at
from final
