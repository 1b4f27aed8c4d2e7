-- Incremental: the ad days (re-)landed in the partition window replace their stored rows.

{{ config(
    enabled=ad_platform_enabled('xiaohongshu_ads'),
    **incremental_by_key(['report_date', 'ad_id'], 'report_date')
) }}

with

xiaohongshu_ads_reports as {{ not_materialized() }} (

    select * from {{ source('raw', 'xiaohongshu_ads_reports') }}
    where {{ incremental_window_filter('_partition_date') }}

),

ranked as (

    {{ latest_versions('xiaohongshu_ads_reports', [adapter.quote('time'), 'creativity_id']) }}

),

final as (

    -- ctr ("x.xx%" text) is not read: ratios are recomputed from impressions and clicks downstream.
    select
        creativity_id as ad_id,
        unit_id as ad_group_id,
        campaign_id as platform_campaign_id,
        advertiser_id as account_id,
        cast(null as {{ dbt.type_string() }}) as ad_name,
        unit_name as ad_group_name,
        campaign_name as platform_campaign_name,
        'Asia/Shanghai' as account_timezone,
        'CNY' as currency,
        impression as impressions,
        click as clicks,
        -- fee and rgmv are yuan.
        cast(fee as decimal(18, 4)) as spend_original,
        cast(fee as decimal(18, 4)) as spend_cny,
        coalesce(goods_order, 0) as platform_conversions,
        cast(coalesce(rgmv, 0) as decimal(18, 4)) as platform_conversion_value_cny,
        time as report_date,
        _partition_date as partition_date,
        _loaded_at as loaded_at
    from ranked
    where version_rank = 1

)

select
    *,
    {{ built_at() }} as dbt_built_at
from final
