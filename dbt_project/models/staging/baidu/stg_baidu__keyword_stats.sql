-- Incremental: the ad days (re-)landed in the partition window replace their stored rows.

{{ config(
    enabled=ad_platform_enabled('baidu'),
    **incremental_by_key(['report_date', 'ad_id'], 'report_date')
) }}

with

baidu_keyword_stats as {{ not_materialized() }} (

    select * from {{ source('raw', 'baidu_keyword_stats') }}
    where {{ incremental_window_filter('_partition_date') }}

),

ranked as (

    {{ latest_versions('baidu_keyword_stats', [adapter.quote('日期'), adapter.quote('关键词ID')]) }}

),

final as (

    select
        -- Search ads: the keyword (wInfoId) is the ad grain, the unit (推广单元) the ad group.
        {{ adapter.quote('关键词ID') }} as ad_id,
        {{ adapter.quote('单元ID') }} as ad_group_id,
        {{ adapter.quote('计划ID') }} as platform_campaign_id,
        {{ adapter.quote('账户名') }} as account_id,
        -- Deleted objects carry the suffix [已删除] in their names: strip it, keep it as a flag.
        replace({{ adapter.quote('关键词') }}, '[已删除]', '') as ad_name,
        replace({{ adapter.quote('单元名') }}, '[已删除]', '') as ad_group_name,
        replace({{ adapter.quote('计划名') }}, '[已删除]', '') as platform_campaign_name,
        {{ adapter.quote('匹配模式') }} as keyword_match_type,
        'Asia/Shanghai' as account_timezone,
        'CNY' as currency,
        {{ adapter.quote('展现') }} as impressions,
        {{ adapter.quote('点击') }} as clicks,
        cast({{ adapter.quote('消费') }} as decimal(18, 4)) as spend_original,
        cast({{ adapter.quote('消费') }} as decimal(18, 4)) as spend_cny,
        coalesce({{ adapter.quote('转化') }}, 0) as platform_conversions,
        -- The keyword report carries no conversion value.
        cast(0 as decimal(18, 4)) as platform_conversion_value_cny,
        coalesce(
            {{ adapter.quote('关键词') }} like '%[已删除]'
            or {{ adapter.quote('单元名') }} like '%[已删除]'
            or {{ adapter.quote('计划名') }} like '%[已删除]',
            false
        ) as is_deleted,
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
