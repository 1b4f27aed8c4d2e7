{#- A double-precision float type. Not dbt.type_float(): on DuckDB that is FLOAT, a 4-byte single (7 digits),
    too coarse for z statistics and p-values. -#}
{% macro type_double() -%}
    {{ return(adapter.dispatch('type_double', 'growthmart')()) }}
{%- endmacro %}

{% macro default__type_double() -%}
    double precision
{%- endmacro %}

{% macro duckdb__type_double() -%}
    double
{%- endmacro %}

{% macro spark__type_double() -%}
    double
{%- endmacro %}
