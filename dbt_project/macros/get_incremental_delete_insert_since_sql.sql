{#- Incremental strategy 'delete_insert_since': delete+insert on unique_key, with the delete narrowed to stored
    rows whose `delete_since` column (a model config) is on or after the smallest value being inserted.
    dbt's delete+insert finds the keys to replace by scanning the whole key column of the target, which grows
    with the history; tables kept in day order (landing order, or an explicit order by) let DuckDB skip every
    row group older than the new rows instead. Valid only when a replaced row never has a smaller
    `delete_since` than its replacement: an event's day is the same in every version, a person's first visit
    only moves earlier. -#}
{% macro get_incremental_delete_insert_since_sql(arg_dict) -%}
    {%- set target = arg_dict['target_relation'] -%}
    {%- set source = arg_dict['temp_relation'] -%}
    {%- set unique_key = arg_dict['unique_key'] -%}
    {%- set keys = [unique_key] if unique_key is string else unique_key -%}
    {%- set since = config.get('delete_since') -%}
    {%- if not since -%}
        {{ exceptions.raise_compiler_error("incremental_strategy 'delete_insert_since' needs config delete_since") }}
    {%- endif -%}
    {%- set columns = get_quoted_csv(arg_dict['dest_columns'] | map(attribute='name')) -%}

    delete from {{ target }} as existing
    where
        existing.{{ since }} >= (select min(incoming.{{ since }}) from {{ source }} as incoming)
        and exists (
            select 1 from {{ source }} as incoming
            where
                {%- for key in keys %}
                {% if not loop.first %}and {% endif %}incoming.{{ key }} = existing.{{ key }}
                {%- endfor %}
        );

    insert into {{ target }} ({{ columns }})
    select {{ columns }} from {{ source }}
{%- endmacro %}
