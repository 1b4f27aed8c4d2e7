{#- The declared ad platforms (macro ad_platforms()) whose switch is on (ad_platform_enabled); a compilation
    error when none is: the unified ad table needs at least one. -#}
{% macro enabled_ad_platforms() -%}
    {%- set enabled = [] -%}
    {%- for platform in ad_platforms() -%}
        {%- if ad_platform_enabled(platform.key) %}{% do enabled.append(platform) %}{% endif -%}
    {%- endfor -%}
    {%- if not enabled -%}
        {{ exceptions.raise_compiler_error(
            "every ad platform is switched off (vars growthmart__using_<platform>): enable at least one of "
            ~ ad_platform_keys() | join(', ')
        ) }}
    {%- endif -%}
    {{ return(enabled) }}
{%- endmacro %}
