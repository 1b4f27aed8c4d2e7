{#- dbt's listagg on Spark (overrides dbt-spark's, which ignores order_by_clause and so gives the items in any
    order): Spark 4's listagg ... within group (order by ...) keeps DuckDB's string_agg order. -#}
{% macro spark__listagg(measure, delimiter_text, order_by_clause, limit_num) -%}
    {%- if limit_num -%}
        {{ exceptions.raise_compiler_error("listagg: limit_num is not implemented on Spark") }}
    {%- endif -%}
    listagg({{ measure }}, {{ delimiter_text }}){% if order_by_clause %} within group ({{ order_by_clause }}){% endif %}
{%- endmacro %}
