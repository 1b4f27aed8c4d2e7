{#- The rows of `relation` (a CTE of a report) with the names readers see appended after its columns: the
    campaign's name (dim_campaigns) after `campaign_id`, and for each code column the Chinese and English label of
    its code (dim_code_labels) as <column>_label_zh, <column>_label_en. A code or campaign without a name shows
    itself (NULL only where the code is NULL), never a dropped row (left joins on unique keys; docs/metrics.md).
    `codes` maps a column of `relation` to its code type in dim_code_labels: 'channel', 'platform' (ad
    platform), 'content_platform' (the content reports' `platform`) or 'social_platform' (the brand reports'). -#}
{% macro with_code_labels(relation, codes={}, campaign_id=none) -%}
    select
        {{ relation }}.*
        {%- if campaign_id %},
            coalesce(campaign_names.campaign_name, {{ relation }}.{{ campaign_id }}) as campaign_name
        {%- endif %}
        {%- for column in codes %},
            coalesce({{ column }}_labels.label_zh, {{ relation }}.{{ column }}) as {{ column }}_label_zh,
            coalesce({{ column }}_labels.label_en, {{ relation }}.{{ column }}) as {{ column }}_label_en
        {%- endfor %}
    from {{ relation }}
    {%- if campaign_id %}
        left join {{ ref('dim_campaigns') }} as campaign_names
            on {{ relation }}.{{ campaign_id }} = campaign_names.campaign_id
    {%- endif %}
    {%- for column, code_type in codes.items() %}
        left join {{ ref('dim_code_labels') }} as {{ column }}_labels
            on
                {{ column }}_labels.code_type = '{{ code_type }}'
                and {{ relation }}.{{ column }} = {{ column }}_labels.code
    {%- endfor %}
{%- endmacro %}
