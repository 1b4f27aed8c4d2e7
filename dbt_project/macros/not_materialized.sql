{#- Between `<name> as` and the body of an import CTE that a model reads more than once: read it in place each
    time. DuckDB (1.4 on) materializes every CTE referenced twice, which for an import CTE copies the whole table
    before reading it (stg_app__events at 100M events: 140 s, 84 s without the copy). Spark inlines on its own. -#}
{% macro not_materialized() -%}
    {{ return(adapter.dispatch('not_materialized', 'growthmart')()) }}
{%- endmacro %}

{% macro default__not_materialized() -%}
{%- endmacro %}

{% macro duckdb__not_materialized() -%}
    not materialized
{%- endmacro %}
