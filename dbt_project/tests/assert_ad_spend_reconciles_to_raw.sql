-- Spend in the unified ad table = raw spend converted independently of the staging models: newest
-- landed version of each (day, ad) in raw, fen / 100 for Tencent, Meta's account currency x that day's
-- rate. This is the one place outside staging that reads source(): the point is to re-derive from raw.
-- Tolerance: 0.0001 CNY per row (to_cny rounds each row to 4 decimals).

-- Shown in Dagster as a check on int_ad_performance_unioned (the test reads several models).
{{ config(meta={'dagster': {'ref': {'name': 'int_ad_performance_unioned'}}}) }}

with

{% if var('growthmart__using_ocean_engine') -%}
    ocean_engine as (

        select
            'ocean_engine' as platform,
            "消耗(元)" as spend_cny,
            {{ latest_version_rank(['"日期"', '"广告ID"']) }} as version_rank
        from {{ source('raw', 'ocean_engine_ad_stats') }}

    ),
{%- endif %}

{% if var('growthmart__using_tencent_ads') -%}
    tencent_ads as (

        select
            'tencent_ads' as platform,
            cost / 100.0 as spend_cny,
            {{ latest_version_rank(['date', 'dynamic_creative_id']) }} as version_rank
        from {{ source('raw', 'tencent_ads_daily_reports') }}

    ),
{%- endif %}

{% if var('growthmart__using_baidu') -%}
    baidu as (

        select
            'baidu' as platform,
            "消费" as spend_cny,
            {{ latest_version_rank(['"日期"', '"关键词ID"']) }} as version_rank
        from {{ source('raw', 'baidu_keyword_stats') }}

    ),
{%- endif %}

{% if var('growthmart__using_meta') -%}
    meta as (

        select
            'meta' as platform,
            case
                when upper(meta.account_currency) = '{{ var("reporting_currency") }}' then meta.spend
                else meta.spend * fx.rate_to_cny
            end as spend_cny,
            {{ latest_version_rank(['meta.date_start', 'meta.ad_id']) }} as version_rank
        from {{ source('raw', 'meta_ads_insights') }} as meta
        left join {{ ref('stg_reference__fx_rates') }} as fx
            on
                upper(meta.account_currency) = fx.currency
                and meta.date_start = fx.rate_date

    ),
{%- endif %}

raw_spend as (

    {% set platforms = [] -%}
    {%- for platform in ['ocean_engine', 'tencent_ads', 'baidu', 'meta'] -%}
        {%- if var('growthmart__using_' ~ platform) %}{% do platforms.append(platform) %}{% endif -%}
    {%- endfor -%}
    {%- for platform in platforms %}
        select
            platform,
            count(*) as row_count,
            sum(spend_cny) as spend_cny
        from {{ platform }}
        where version_rank = 1
        group by platform
        {% if not loop.last %}union all{% endif %}
    {%- endfor %}

),

unified as (

    select
        platform,
        sum(spend_cny) as spend_cny
    from {{ ref('int_ad_performance_unioned') }}
    group by platform

)

select
    raw_spend.platform,
    raw_spend.spend_cny as raw_spend_cny,
    unified.spend_cny as unified_spend_cny
from raw_spend
full outer join unified
    on raw_spend.platform = unified.platform
where
    raw_spend.spend_cny is null
    or unified.spend_cny is null
    or abs(raw_spend.spend_cny - unified.spend_cny) > 0.0001 * raw_spend.row_count + 0.00001
