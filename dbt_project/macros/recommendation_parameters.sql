{#- One row per enabled rule of `rule_ids` (seed recommendation_rules) with its parameters (seed
    recommendation_rule_parameters) as columns: `numbers` cast to double, `texts` as strings. A disabled rule has no
    row, so a rule model that joins this row produces nothing for it. An enabled rule's parameter missing from the
    seed (or empty) fails the model, naming rule and parameter: a NULL threshold would silence the rule unseen. -#}
{% macro recommendation_parameters(rule_ids, numbers=[], texts=[]) -%}
    select
        rules.rule_id
        {%- for name in numbers %},
            {{ _recommendation_parameter(name, 'cast(parameters.value as ' ~ type_double() ~ ')') }}
        {%- endfor %}
        {%- for name in texts %},
            {{ _recommendation_parameter(name, 'parameters.value') }}
        {%- endfor %}
    from {{ ref('recommendation_rules') }} as rules
    inner join {{ ref('recommendation_rule_parameters') }} as parameters
        on rules.rule_id = parameters.rule_id
    where
        rules.is_enabled
        and rules.rule_id in ('{{ rule_ids | join("', '") }}')
    group by rules.rule_id
{%- endmacro %}

{% macro _recommendation_parameter(name, value) -%}
    coalesce(
        max(case when parameters.parameter = '{{ name }}' then {{ value }} end),
        {{ raise_error(
            "'recommendation rule ' || rules.rule_id || ': parameter " ~ name
            ~ " is missing or empty in seed recommendation_rule_parameters'"
        ) }}
    ) as {{ name }}
{%- endmacro %}
