-- Spend in the unified ad table = raw spend converted independently of the staging models: newest
-- landed version of each (day, ad) in raw, each enabled ad platform's spend and currency as declared in
-- growthmart/contracts.py (macro enabled_ad_platforms: Tencent fen / 100, Meta's account currency),
-- other currencies x that day's rate. This is the one place outside staging that reads source(): the
-- point is to re-derive from raw.
-- Tolerance: 0.0001 CNY per row (to_cny rounds each row to 4 decimals).

-- Shown in Dagster as a check on int_ad_performance_unioned (the test reads several models).
{{ config(meta={'dagster': {'ref': {'name': 'int_ad_performance_unioned'}}}) }}

with

{% for platform in enabled_ad_platforms() -%}
    raw_{{ platform.key }} as (

        select
            '{{ platform.key }}' as platform,
            {{ platform.report_date_column }} as report_date,
            {{ platform.currency_sql }} as currency,
            {{ platform.spend_sql }} as amount,
            {{ latest_version_rank(platform.key_columns) }} as version_rank
        from {{ source('raw', platform.source) }}

    ),

{% endfor -%}
fx_rates as (

    select * from {{ ref('stg_reference__fx_rates') }}

),

raw_versions as (

    {% for platform in enabled_ad_platforms() -%}
        select * from raw_{{ platform.key }}
        where version_rank = 1
        {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

raw_spend as (

    select
        raw_versions.platform,
        count(*) as row_count,
        sum(
            case
                when raw_versions.currency = '{{ var("reporting_currency") }}' then raw_versions.amount
                else raw_versions.amount * fx_rates.rate_to_cny
            end
        ) as spend_cny
    from raw_versions
    left join fx_rates
        on
            raw_versions.currency = fx_rates.currency
            and raw_versions.report_date = fx_rates.rate_date
    group by raw_versions.platform

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
