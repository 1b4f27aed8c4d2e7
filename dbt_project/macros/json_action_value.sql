{#- Sum of `value` over the entries of a Meta actions/action_values JSON list whose action_type matches
    (values are JSON strings); 0 when the list is NULL or holds no such entry. Engine-specific JSON and
    list functions, so dispatched. -#}
{% macro json_action_value(json_list, action_type) -%}
    {{ return(adapter.dispatch('json_action_value', 'growthmart')(json_list, action_type)) }}
{%- endmacro %}

{% macro default__json_action_value(json_list, action_type) -%}
    {{ exceptions.raise_compiler_error("json_action_value has no implementation for " ~ target.type) }}
{%- endmacro %}

{% macro duckdb__json_action_value(json_list, action_type) -%}
    coalesce(
        list_sum(
            list_transform(
                list_filter(
                    from_json({{ json_list }}, '[{"action_type": "VARCHAR", "value": "VARCHAR"}]'),
                    lambda action: action.action_type = '{{ action_type }}'
                ),
                lambda action: cast(action.value as decimal(18, 4))
            )
        ),
        0
    )
{%- endmacro %}

{% macro spark__json_action_value(json_list, action_type) -%}
    coalesce(
        aggregate(
            filter(
                from_json({{ json_list }}, 'array<struct<action_type: string, value: string>>'),
                action -> action.action_type = '{{ action_type }}'
            ),
            cast(null as decimal(38, 4)),
            (total, action) -> cast(coalesce(total, 0) + cast(action.value as decimal(18, 4)) as decimal(38, 4))
        ),
        0
    )
{%- endmacro %}
