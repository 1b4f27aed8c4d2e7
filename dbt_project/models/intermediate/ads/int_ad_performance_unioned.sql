-- Every enabled ad platform mapped onto one column contract, then one union all (Fivetran
-- dbt_ad_reporting style). Grain: platform, ad_id, report_date.
-- Incremental: the rows each platform's staging table (re-)landed in the partition window replace theirs.

{%- set contract_columns = [
    'ad_id', 'ad_group_id', 'platform_campaign_id', 'account_id',
    'ad_name', 'ad_group_name', 'platform_campaign_name', 'account_timezone', 'currency',
    'impressions', 'clicks', 'spend_original', 'spend_cny',
    'platform_conversions', 'platform_conversion_value_cny',
    'report_date', 'partition_date'
] -%}

{%- set platforms = [] -%}
{%- if var('growthmart__using_ocean_engine') -%}
    {%- do platforms.append(('ocean_engine', ref('stg_ocean_engine__ad_stats'))) -%}
{%- endif -%}
{%- if var('growthmart__using_tencent_ads') -%}
    {%- do platforms.append(('tencent_ads', ref('stg_tencent_ads__daily_reports'))) -%}
{%- endif -%}
{%- if var('growthmart__using_baidu') -%}
    {%- do platforms.append(('baidu', ref('stg_baidu__keyword_stats'))) -%}
{%- endif -%}
{%- if var('growthmart__using_meta') -%}
    {%- do platforms.append(('meta', ref('stg_meta_ads__insights'))) -%}
{%- endif %}

{{ config(
    materialized='incremental',
    incremental_strategy='delete_insert_since',
    unique_key=['platform', 'ad_id', 'report_date'],
    delete_since='report_date'
) }}

with

{% for platform, relation in platforms %}
    {{ platform }} as (

        select
            '{{ platform }}' as platform,
            {{ contract_columns | join(',\n            ') }}
        from {{ relation }}
        where {{ incremental_window_filter() }}

    ),

{% endfor -%}
final as (

    {% for platform, relation in platforms -%}
        select * from {{ platform }}
        {% if not loop.last %}union all{% endif %}
    {% endfor %}

)

select
    *,
    {{ built_at() }} as dbt_built_at
from final
-- kept in day order, so a nightly run's day filters skip the older row groups
order by report_date
