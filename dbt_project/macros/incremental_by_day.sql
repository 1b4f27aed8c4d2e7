{#- Config of an incremental model that re-derives whole days (or weeks, months) of `day_column` (a column, or a
    list of them, e.g. ['period', 'period_start']): the new rows of a day replace all of that day's stored rows.
    DuckDB: delete+insert keyed on the day; Spark: insert_overwrite of Parquet day partitions (a table partitioned
    by the day, dynamic partition overwrite). Use as `config(**incremental_by_day('report_date'))`. -#}
{% macro incremental_by_day(day_column) -%}
    {{ return(adapter.dispatch('incremental_by_day', 'growthmart')(day_column)) }}
{%- endmacro %}

{% macro default__incremental_by_day(day_column) -%}
    {{ return({'materialized': 'incremental', 'incremental_strategy': 'delete+insert', 'unique_key': day_column}) }}
{%- endmacro %}

{% macro spark__incremental_by_day(day_column) -%}
    {{ return({
        'materialized': 'incremental', 'incremental_strategy': 'insert_overwrite',
        'partition_by': [day_column] if day_column is string else day_column, 'file_format': 'parquet'
    }) }}
{%- endmacro %}
