-- Incremental: the ad days (re-)landed in the partition window replace their stored rows.

{{ config(
    enabled=ad_platform_enabled('ocean_engine'),
    **incremental_by_key(['report_date', 'ad_id'], 'report_date')
) }}

with

ocean_engine_ad_stats as {{ not_materialized() }} (

    select * from {{ source('raw', 'ocean_engine_ad_stats') }}
    where {{ incremental_window_filter('_partition_date') }}

),

ranked as (

    {{ latest_versions('ocean_engine_ad_stats', [adapter.quote('日期'), adapter.quote('广告ID')]) }}

),

final as (

    select
        {{ adapter.quote('广告ID') }} as ad_id,
        -- v3 hierarchy is advertiser -> project -> promotion: no ad-group level.
        cast(null as {{ dbt.type_string() }}) as ad_group_id,
        {{ adapter.quote('项目ID') }} as platform_campaign_id,
        {{ adapter.quote('账户ID') }} as account_id,
        {{ adapter.quote('广告名称') }} as ad_name,
        cast(null as {{ dbt.type_string() }}) as ad_group_name,
        {{ adapter.quote('项目名称') }} as platform_campaign_name,
        'Asia/Shanghai' as account_timezone,
        'CNY' as currency,
        {{ adapter.quote('展示数') }} as impressions,
        {{ adapter.quote('点击数') }} as clicks,
        -- 消耗(元) is already yuan; the exported 点击率(%) is dropped: ratios are recomputed from counts.
        cast({{ adapter.quote('消耗(元)') }} as decimal(18, 4)) as spend_original,
        cast({{ adapter.quote('消耗(元)') }} as decimal(18, 4)) as spend_cny,
        coalesce({{ adapter.quote('转化数') }}, 0) as platform_conversions,
        cast(coalesce({{ adapter.quote('转化金额(元)') }}, 0) as decimal(18, 4)) as platform_conversion_value_cny,
        {{ adapter.quote('日期') }} as report_date,
        _partition_date as partition_date,
        _loaded_at as loaded_at
    from ranked
    where version_rank = 1

)

select
    *,
    {{ built_at() }} as dbt_built_at
from final
