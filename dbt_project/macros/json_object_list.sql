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
