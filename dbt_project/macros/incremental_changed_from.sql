{#- The earliest business day an incremental run has to re-derive: the least of min(`column`) over the rows of
    each input landed inside the partition window (incremental_window_filter on its partition_date). E.g. the
    event days of the events just landed and the signup days of the users just landed: a late event re-derives
    the day it happened. NULL when nothing landed, so nothing is re-derived. Only meaningful in an incremental
    run; inputs is a list of (relation, column), refs resolved by the caller so dbt sees the dependencies.
    One scalar subquery, so DuckDB can turn `day >= <this>` into a filter that skips older row groups. -#}
{% macro incremental_changed_from(inputs) -%}
    (
        select min(changed.changed_date)
        from (
            {%- for relation, column in inputs %}
            select min({{ column }}) as changed_date from {{ relation }}
            where {{ incremental_window_filter('partition_date') }}
            {%- if not loop.last %}
            union all
            {%- endif %}
            {%- endfor %}
        ) as changed
    )
{%- endmacro %}
