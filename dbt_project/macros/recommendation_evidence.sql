{#- The evidence columns of a recommendation rule model, from one list of (metric, SQL expression, unit): for slot
    i, evidence_<i>_metric (the name, also the message templates' placeholder {metric}), evidence_<i>_value (the
    exact number, double) and evidence_<i>_text (as the messages print it: macro alert_value, units cny, cny_cents,
    rate, count, ratio, p_value). Slots a rule does not use are NULL, so every rule model has the same columns
    (rpt_recommendations unions them). -#}
{% macro recommendation_evidence(metrics) -%}
    {%- set slots = 6 %}
    {%- if metrics | length > slots %}
        {{ exceptions.raise_compiler_error('recommendation_evidence: at most ' ~ slots ~ ' metrics') }}
    {%- endif %}
    {%- for i in range(1, slots + 1) %}
        {%- if i <= metrics | length %}
            {%- set name, expression, unit = metrics[i - 1] %}
            '{{ name }}' as evidence_{{ i }}_metric,
            cast({{ expression }} as {{ type_double() }}) as evidence_{{ i }}_value,
            {{ alert_value(expression, unit) }} as evidence_{{ i }}_text
        {%- else %}
            cast(null as {{ dbt.type_string() }}) as evidence_{{ i }}_metric,
            cast(null as {{ type_double() }}) as evidence_{{ i }}_value,
            cast(null as {{ dbt.type_string() }}) as evidence_{{ i }}_text
        {%- endif %}
        {%- if not loop.last %},{% endif %}
    {%- endfor %}
{%- endmacro %}
