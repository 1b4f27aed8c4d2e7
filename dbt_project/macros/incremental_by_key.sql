{#- Config of an incremental model whose new rows replace the stored rows with the same `unique_key`. With
    `delete_since` (a date column a replaced row never has smaller than its replacement), only stored rows on or after
    the new rows' earliest `delete_since` are candidates (strategy delete_insert_since). `tombstone`: the condition of
    new rows that only delete their key's stored row and are not kept. DuckDB: delete+insert (or
    delete_insert_since), tombstones deleted by a post-hook; Spark: delete_insert_since, its Parquet table
    partitioned by `delete_since` (the partitions from the earliest new day on are rewritten) or rewritten whole
    without one, tombstones never written. Use as `config(**incremental_by_key('order_id', 'created_date'))`. -#}
{% macro incremental_by_key(unique_key, delete_since=none, tombstone=none) -%}
    {{ return(adapter.dispatch('incremental_by_key', 'growthmart')(unique_key, delete_since, tombstone)) }}
{%- endmacro %}

{% macro default__incremental_by_key(unique_key, delete_since, tombstone) -%}
    {%- set config = {'materialized': 'incremental', 'unique_key': unique_key} -%}
    {%- if delete_since -%}
        {%- do config.update({'incremental_strategy': 'delete_insert_since', 'delete_since': delete_since}) -%}
    {%- else -%}
        {%- do config.update({'incremental_strategy': 'delete+insert'}) -%}
    {%- endif -%}
    {%- if tombstone -%}
        {%- do config.update({'post_hook': 'delete from {{ this }} where ' ~ tombstone}) -%}
    {%- endif -%}
    {{ return(config) }}
{%- endmacro %}

{% macro spark__incremental_by_key(unique_key, delete_since, tombstone) -%}
    {{ return({
        'materialized': 'incremental', 'incremental_strategy': 'delete_insert_since', 'file_format': 'parquet',
        'unique_key': unique_key, 'delete_since': delete_since, 'tombstone': tombstone,
        'partition_by': [delete_since] if delete_since else none
    }) }}
{%- endmacro %}
