{#- The multi-touch attribution models, in the order reports list them: one credit column per model
    (<model>_credit, <model>_revenue_cny) in int_conversion_touch_credits, one attribution_model value in
    fct_attribution_channel_daily and rpt_attribution_channels. -#}
{% macro attribution_models() -%}
    {{ return(['last_touch', 'first_touch', 'linear', 'position_based', 'time_decay']) }}
{%- endmacro %}
