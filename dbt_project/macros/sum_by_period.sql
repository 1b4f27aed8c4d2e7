{#- The rows of `relation` summed per day, ISO week (Monday) and calendar month of dim_dates, the periods of
    fct_kpis: columns period ('day', 'week', 'month'), period_start, then `dimensions` (name -> SQL expression,
    grouped by) and `measures` (name -> SQL expression, summed). Only days of dim_dates (first loaded day .. data
    end) count, as in fct_kpis. `date_column`: the column of `relation` holding the row's day. -#}
{% macro sum_by_period(relation, date_column, dimensions={}, measures={}) -%}
    {%- for datepart, period in [('day', 'date_day'), ('week', 'week_start'), ('month', 'month_start')] %}
        select
            '{{ datepart }}' as period,
            dim_dates.{{ period }} as period_start,
            {%- for name, expression in dimensions.items() %}
                {{ expression }} as {{ name }},
            {%- endfor %}
            {%- for name, expression in measures.items() %}
                sum({{ expression }}) as {{ name }}{% if not loop.last %},{% endif %}
            {%- endfor %}
        from {{ relation }}
        inner join {{ ref('dim_dates') }} as dim_dates on {{ relation }}.{{ date_column }} = dim_dates.date_day
        group by dim_dates.{{ period }}{% for expression in dimensions.values() %}, {{ expression }}{% endfor %}
        {%- if not loop.last %}

            union all
        {%- endif %}
    {%- endfor %}
{%- endmacro %}
