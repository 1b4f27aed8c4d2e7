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
        {%- set schema_name, table_name = var('run_window_relation').split('.') -%}
        {%- set relation = adapter.get_relation(database=target.database, schema=schema_name, identifier=table_name) -%}
        {%- if relation is not none -%}
            {%- set rows = run_query(
                "select cast(partition_start as " ~ dbt.type_string() ~ "), "
                ~ "cast(partition_end as " ~ dbt.type_string() ~ ") from " ~ relation
            ).rows -%}
            {%- if rows | length > 1 -%}
                {{ exceptions.raise_compiler_error(relation ~ " must hold one row (the run's window), found " ~ rows | length) }}
            {%- elif rows | length == 1 -%}
                {%- set start = rows[0][0] -%}
                {%- set end = rows[0][1] -%}
            {%- endif -%}
        {%- endif -%}
    {%- endif -%}
    {%- if start is not none and end is not none and (end | string) < (start | string) -%}
        {{ exceptions.raise_compiler_error("partition_end " ~ end ~ " is before partition_start " ~ start) }}
    {%- endif -%}
    {{ return({'start': start, 'end': end}) }}
{%- endmacro %}
