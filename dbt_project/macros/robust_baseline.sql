{#- The robust baseline of a value per key: how many history rows, their median and their median absolute deviation
    (MAD) from that median, as one select over `history` (a relation or CTE with the key columns and the value).
    One definition for every anomaly model (fct_kpi_anomalies' KPIs, fct_brand_incidents' negative mentions);
    macro robust_scale turns the MAD into the scale a robust z divides by. -#}
{% macro robust_baseline(history, keys, value) -%}
    select
        {%- for key in keys %}
            baseline_history.{{ key }},
        {%- endfor %}
        count(*) as baseline_days,
        min(baseline_medians.baseline_median) as baseline_median,
        percentile_cont(0.5) within group (
            order by abs(baseline_history.{{ value }} - baseline_medians.baseline_median)
        ) as baseline_mad
    from {{ history }} as baseline_history
    inner join (
        select
            {%- for key in keys %}
                {{ key }},
            {%- endfor %}
            percentile_cont(0.5) within group (order by {{ value }}) as baseline_median
        from {{ history }}
        group by {{ keys | join(', ') }}
    ) as baseline_medians
        on
            {%- for key in keys %}
                {% if not loop.first %}and {% endif %}baseline_history.{{ key }} = baseline_medians.{{ key }}
            {%- endfor %}
    group by {% for key in keys %}baseline_history.{{ key }}{% if not loop.last %}, {% endif %}{% endfor %}
{%- endmacro %}

{#- The scale of a robust z-score: 1.4826 x MAD (a standard deviation's estimate, robust to the odd outlier), at
    least `min_scale` (a floor, so a flat history does not make every small change infinitely unusual). NULL when
    the MAD is NULL (no history). -#}
{% macro robust_scale(mad, min_scale) -%}
    case when {{ mad }} is not null then cast(greatest(1.4826 * {{ mad }}, {{ min_scale }}) as double) end
{%- endmacro %}
