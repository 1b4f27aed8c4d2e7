{#- One row per enabled rule of `rule_ids` (seed recommendation_rules) with its parameters (seed
    recommendation_rule_parameters) as columns: `numbers` cast to double, `texts` as strings. A disabled rule has no
    row, so a rule model that joins this row produces nothing for it; a parameter missing from the seed is NULL,
    and a comparison with NULL never fires. -#}
{% macro recommendation_parameters(rule_ids, numbers=[], texts=[]) -%}
    select
        rules.rule_id
        {%- for name in numbers %},
            max(case when parameters.parameter = '{{ name }}' then cast(parameters.value as {{ type_double() }}) end)
                as {{ name }}
        {%- endfor %}
        {%- for name in texts %},
            max(case when parameters.parameter = '{{ name }}' then parameters.value end) as {{ name }}
        {%- endfor %}
    from {{ ref('recommendation_rules') }} as rules
    inner join {{ ref('recommendation_rule_parameters') }} as parameters
        on rules.rule_id = parameters.rule_id
    where
        rules.is_enabled
        and rules.rule_id in ('{{ rule_ids | join("', '") }}')
    group by rules.rule_id
{%- endmacro %}
