{#- dbt-spark's incremental SQL (overridden: the root project's macro comes first; an adapter's own macros cannot be
    called by package name): the project's strategy delete_insert_since goes to
    get_incremental_delete_insert_since_sql, as dbt-core's materialization would; the others as in dbt-spark 1.11. -#}
{% macro dbt_spark_get_incremental_sql(strategy, source, target, existing, unique_key, incremental_predicates) -%}
    {%- if strategy == 'delete_insert_since' -%}
        {{ get_incremental_delete_insert_since_sql({
            'target_relation': target, 'temp_relation': source, 'unique_key': unique_key,
            'dest_columns': adapter.get_columns_in_relation(target),
            'incremental_predicates': incremental_predicates
        }) }}
    {%- elif strategy == 'append' -%}
        {{ get_insert_into_sql(source, target) }}
    {%- elif strategy in ['insert_overwrite', 'microbatch'] -%}
        {%- if strategy == 'microbatch' and not config.get('partition_by') -%}
            {{ exceptions.raise_compiler_error("dbt-spark 'microbatch' needs a partition_by config") }}
        {%- endif -%}
        {{ get_insert_overwrite_sql(source, target, existing) }}
    {%- elif strategy == 'merge' -%}
        {{ get_merge_sql(
            target, source, unique_key, dest_columns=none, incremental_predicates=incremental_predicates
        ) }}
    {%- else -%}
        {{ exceptions.raise_compiler_error("No known SQL for the incremental strategy provided: " ~ strategy) }}
    {%- endif -%}
{%- endmacro %}
