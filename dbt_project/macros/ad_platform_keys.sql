{#- The `platform` values of every declared ad platform (macro ad_platforms(), generated from
    growthmart/contracts.py), enabled or not: the accepted values of every `platform` column. -#}
{% macro ad_platform_keys() -%}
    {{ return(ad_platforms() | map(attribute='key') | list) }}
{%- endmacro %}
