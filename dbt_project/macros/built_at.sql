{#- When this dbt invocation started, as a timestamp: every incremental model stamps the rows it writes with it
    (column dbt_built_at). Rows a run did not rewrite keep an older stamp, so "the rows this run wrote" is
    `dbt_built_at = built_at()` — what the nightly run's data tests check (macro get_where_subquery). -#}
{% macro built_at() -%}
    cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S.%f") }}' as {{ dbt.type_timestamp() }})
{%- endmacro %}
