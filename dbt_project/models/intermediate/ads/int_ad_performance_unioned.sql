-- Every enabled ad platform mapped onto one column contract, then one union all (Fivetran
-- dbt_ad_reporting style). The platforms are those declared in growthmart/contracts.py (macro
-- enabled_ad_platforms), each read from its staging model. Grain: platform, ad_id, report_date.
-- Incremental: the rows each platform's staging table (re-)landed in the partition window replace theirs.

{%- set contract_columns = [
    'ad_id', 'ad_group_id', 'platform_campaign_id', 'account_id',
    'ad_name', 'ad_group_name', 'platform_campaign_name', 'account_timezone', 'currency',
    'impressions', 'clicks', 'spend_original', 'spend_cny',
    'platform_conversions', 'platform_conversion_value_cny',
    'report_date', 'partition_date'
] -%}

{{ config(**incremental_by_key(['platform', 'ad_id', 'report_date'], 'report_date')) }}

with

{% for platform in enabled_ad_platforms() %}
    {{ platform.key }} as (

        select
            '{{ platform.key }}' as platform,
            {{ contract_columns | join(',\n            ') }}
        from {{ ref(platform.staging_model) }}
        where {{ incremental_window_filter() }}

    ),

{% endfor -%}
final as (

    {% for platform in enabled_ad_platforms() -%}
        select * from {{ platform.key }}
        {% if not loop.last %}union all{% endif %}
    {% endfor %}

)

select
    *,
    {{ built_at() }} as dbt_built_at
from final
-- kept in day order, so a nightly run's day filters skip the older row groups
order by report_date
