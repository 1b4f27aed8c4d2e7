{#- Incremental strategy 'delete_insert_since': delete+insert on unique_key, with the delete narrowed to stored
    rows whose `delete_since` column (a model config) is on or after the smallest value being inserted.
    dbt's delete+insert finds the keys to replace by scanning the whole key column of the target, which grows
    with the history; tables kept in day order (landing order, or an explicit order by) let DuckDB skip every
    row group older than the new rows instead. Valid only when a replaced row never has a smaller
    `delete_since` than its replacement: an event's day is the same in every version, a person's first visit
    only moves earlier. Spark has no DELETE on Parquet tables: there the partitions are rewritten (see spark__).
    Without `delete_since` (Spark only, macro incremental_by_key) every stored row is a candidate. -#}
{% macro get_incremental_delete_insert_since_sql(arg_dict) -%}
    {{ return(adapter.dispatch('get_incremental_delete_insert_since_sql', 'growthmart')(arg_dict)) }}
{%- endmacro %}

{% macro default__get_incremental_delete_insert_since_sql(arg_dict) -%}
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


{#- Spark: the stored rows to keep (on or after the new rows' earliest `delete_since`, key not among the new rows)
    and the new rows (but tombstones: config `tombstone`, macro incremental_by_key) are staged in a table; the
    table's partitions from that day on are dropped and the stage appended (a partition left without rows is gone,
    as its rows are in DuckDB). Without `delete_since` the table is overwritten with the stage. Not atomic: a
    failure between the drop and the append needs a full refresh. -#}
{% macro spark__get_incremental_delete_insert_since_sql(arg_dict) -%}
    {%- set target = arg_dict['target_relation'] -%}
    {%- set source = arg_dict['temp_relation'] -%}
    {%- set unique_key = arg_dict['unique_key'] -%}
    {%- set keys = [unique_key] if unique_key is string else unique_key -%}
    {%- set since = config.get('delete_since') -%}
    {%- set tombstone = config.get('tombstone') -%}
    {%- set stage = target.incorporate(path={'identifier': target.identifier ~ '__dbt_stage'}) -%}
    {%- set columns = adapter.get_columns_in_relation(target) | map(attribute='quoted') | join(', ') -%}
    {%- set first_day -%}
        (select min(incoming.{{ since }}) from {{ source }} as incoming)
    {%- endset -%}

    {%- call statement('drop_stage') %}drop table if exists {{ stage }}{% endcall -%}
    {%- call statement('stage') -%}
        create table {{ stage }} using parquet as
        select {{ columns }} from {{ source }}
        {%- if tombstone %} where not coalesce({{ tombstone }}, false){% endif %}
        union all
        select {{ columns }} from {{ target }} as existing
        where
            {% if since %}existing.{{ since }} >= {{ first_day }} and {% endif %}not exists (
                select 1 from {{ source }} as incoming
                where
                    {%- for key in keys %}
                    {% if not loop.first %}and {% endif %}incoming.{{ key }} = existing.{{ key }}
                    {%- endfor %}
            )
    {%- endcall -%}
    {%- if since -%}
        {%- set days = run_query(
            "select distinct cast(" ~ since ~ " as string) from " ~ target ~ " where " ~ since ~ " >= " ~ first_day
        ).columns[0].values() -%}
        {%- if days | length > 0 -%}
            {%- call statement('drop_partitions') -%}
                alter table {{ target }} drop if exists
                {% for day in days -%}
                    partition ({{ since }} = '{{ day }}'){% if not loop.last %}, {% endif %}
                {%- endfor %}
            {%- endcall -%}
        {%- endif -%}
        {%- call statement('append') -%}
            insert into table {{ target }} select {{ columns }} from {{ stage }}
        {%- endcall -%}
    {%- else -%}
        {%- call statement('overwrite') -%}
            insert overwrite table {{ target }} select {{ columns }} from {{ stage }}
        {%- endcall -%}
    {%- endif %}
    drop table if exists {{ stage }}
{%- endmacro %}
