{#- This run's partition window as {'start': 'YYYY-MM-DD' or none, 'end': ...}.

    From vars partition_start / partition_end when given (a hand-run `dbt build --vars ...`, unit tests);
    otherwise, at execution time, from the one-row table var('run_window_relation') the Dagster dbt asset writes
    before it starts dbt and removes afterwards. The table keeps the window out of the parsed project: changing
    --vars would make dbt re-parse the whole project on every run, the table leaves the manifest prepared at setup
    valid. No vars and no table (a plain `dbt build`, or parse time) means no window: everything is processed. -#}
{% macro partition_window() -%}
    {%- set start = var('partition_start', none) -%}
    {%- set end = var('partition_end', none) -%}
    {%- if start is none and execute -%}
        {#- The table does not change while dbt runs: it is read once per invocation and the answer kept in `graph`,
            the one dict every node of the invocation shares, under the invocation's id (without it every test read
            it again: ~400 queries, ~2.5 s of dbt's CPU in a one-day run). -#}
        {%- set cache_key = 'growthmart_run_window:' ~ invocation_id -%}
        {%- if cache_key not in graph -%}
            {%- do graph.update({cache_key: run_window_table_row()}) -%}
        {%- endif -%}
        {%- set start, end = graph[cache_key] -%}
    {%- endif -%}
    {%- if start is not none and end is not none and (end | string) < (start | string) -%}
        {{ exceptions.raise_compiler_error("partition_end " ~ end ~ " is before partition_start " ~ start) }}
    {%- endif -%}
    {{ return({'start': start, 'end': end}) }}
{%- endmacro %}


{#- [partition_start, partition_end] from var('run_window_relation'), or [none, none] when the table is absent. -#}
{% macro run_window_table_row() -%}
    {%- set schema_name, table_name = var('run_window_relation').split('.') -%}
    {%- set relation = adapter.get_relation(database=target.database, schema=schema_name, identifier=table_name) -%}
    {%- if relation is none -%}
        {{ return([none, none]) }}
    {%- endif -%}
    {%- set rows = run_query(
        "select cast(partition_start as " ~ dbt.type_string() ~ "), "
        ~ "cast(partition_end as " ~ dbt.type_string() ~ ") from " ~ relation
    ).rows -%}
    {%- if rows | length > 1 -%}
        {{ exceptions.raise_compiler_error(relation ~ " must hold one row (the run's window), found " ~ rows | length) }}
    {%- endif -%}
    {{ return([rows[0][0], rows[0][1]] if rows | length == 1 else [none, none]) }}
{%- endmacro %}
