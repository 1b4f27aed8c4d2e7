{#- dbt-spark's check of an incremental strategy (overridden: the root project's macro comes first; an adapter's own
    macros cannot be called by package name), with the project's strategy delete_insert_since (macro
    incremental_by_key) added: dbt-spark, unlike dbt-core's materialization, has no hook for custom strategies.
    The checks of dbt-spark 1.11's macro are kept. -#}
{% macro dbt_spark_validate_get_incremental_strategy(raw_strategy, file_format) -%}
    {%- if raw_strategy not in ['append', 'merge', 'insert_overwrite', 'microbatch', 'delete_insert_since'] -%}
        {{ exceptions.raise_compiler_error("Invalid incremental strategy provided: " ~ raw_strategy) }}
    {%- elif raw_strategy == 'merge' and file_format not in ['delta', 'iceberg', 'hudi'] -%}
        {{ exceptions.raise_compiler_error("Incremental strategy merge needs file_format delta, iceberg or hudi") }}
    {%- elif raw_strategy in ['insert_overwrite', 'microbatch'] and target.endpoint -%}
        {{ exceptions.raise_compiler_error("Incremental strategy " ~ raw_strategy ~ " cannot run on an endpoint") }}
    {%- endif -%}
    {{ return(raw_strategy) }}
{%- endmacro %}
