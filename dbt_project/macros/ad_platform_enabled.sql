{#- The enable switch of a declared ad platform: var growthmart__using_<key>, on unless set to false
    (Fivetran dbt_ad_reporting style). A disabled platform's staging model is disabled and it drops out of the
    unified ad table and the raw spend reconciliation. -#}
{% macro ad_platform_enabled(key) -%}
    {{ return(var('growthmart__using_' ~ key, true)) }}
{%- endmacro %}
