{#- An aggregate: the JSON array (as text) of one object per row where `filter` holds, in `order_by` order;
    `fields` maps each key to its SQL expression (keys in the given order). NULL when no row qualifies. -#}
{% macro json_object_list(fields, order_by, filter='true') -%}
    {{ return(adapter.dispatch('json_object_list', 'growthmart')(fields, order_by, filter)) }}
{%- endmacro %}

{% macro default__json_object_list(fields, order_by, filter) -%}
    cast(json_agg(json_build_object(
        {%- for key, expr in fields.items() %}'{{ key }}', {{ expr }}{% if not loop.last %}, {% endif %}{% endfor -%}
    ) order by {{ order_by }}) filter (where {{ filter }}) as {{ dbt.type_string() }})
{%- endmacro %}

{% macro duckdb__json_object_list(fields, order_by, filter) -%}
    cast(to_json(list(json_object(
        {%- for key, expr in fields.items() %}'{{ key }}', {{ expr }}{% if not loop.last %}, {% endif %}{% endfor -%}
    ) order by {{ order_by }}) filter (where {{ filter }})) as {{ dbt.type_string() }})
{%- endmacro %}

{% macro spark__json_object_list(fields, order_by, filter) -%}
    {#- collect_list has no order: collect (sort keys, object) pairs, sort them, keep the objects. `order_by` is a
        comma-separated list of ascending expressions here. Nulls are kept as in DuckDB (ignoreNullFields). -#}
    {%- set keys = order_by.split(',') | map('trim') | list -%}
    {%- for key in keys if ' desc' in key | lower or ' asc' in key | lower -%}
        {{ exceptions.raise_compiler_error("spark json_object_list: order_by must be plain ascending expressions") }}
    {%- endfor -%}
    nullif(to_json(
        transform(
            array_sort(collect_list(case when {{ filter }} then named_struct(
                {%- for key in keys %}'k{{ loop.index }}', {{ key }}, {% endfor -%}
                'v', named_struct(
                    {%- for key, expr in fields.items() -%}
                        '{{ key }}', {{ expr }}{% if not loop.last %}, {% endif %}
                    {%- endfor -%}
                )
            ) end)),
            entry -> entry.v
        ),
        map('ignoreNullFields', 'false')
    ), '[]')
{%- endmacro %}
