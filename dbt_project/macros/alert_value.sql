{#- A number as the alert and recommendation messages print it: unit 'cny' (¥12,345), 'cny_cents' (¥12.34), 'rate'
    (12.3%), 'count' (1,234), 'ratio' (0.42: ROAS, ROI) and 'p_value' (p = 0.003; p < 0.001 below: the relation is part of the text). rpt_alerts' and
    rpt_recommendations' messages use it; the numeric columns beside them keep the exact values. -#}
{% macro alert_value(value, unit) -%}
    {{ return(adapter.dispatch('alert_value', 'growthmart')(value, unit)) }}
{%- endmacro %}

{% macro default__alert_value(value, unit) -%}
    {%- if unit == 'rate' -%}
        {{ dbt.concat(["cast(round(100 * " ~ value ~ ", 1) as " ~ dbt.type_string() ~ ")", "'%'"]) }}
    {%- elif unit in ('cny', 'cny_cents') -%}
        {{ dbt.concat(["'¥'", "cast(round(" ~ value ~ ", " ~ (2 if unit == 'cny_cents' else 0) ~ ") as " ~ dbt.type_string() ~ ")"]) }}
    {%- elif unit == 'ratio' -%}
        cast(round({{ value }}, 2) as {{ dbt.type_string() }})
    {%- elif unit == 'p_value' -%}
        case
            when {{ value }} < 0.001 then 'p < 0.001'
            else 'p = ' || cast(round({{ value }}, 3) as {{ dbt.type_string() }})
        end
    {%- else -%}
        cast(round({{ value }}) as {{ dbt.type_string() }})
    {%- endif -%}
{%- endmacro %}

{% macro duckdb__alert_value(value, unit) -%}
    {%- set number = 'cast(' ~ value ~ ' as double)' -%}
    {%- if unit == 'rate' -%}
        format('{:.1f}%', 100 * {{ number }})
    {%- elif unit == 'cny_cents' -%}
        format('¥{:,.2f}', {{ number }})
    {%- elif unit == 'cny' -%}
        format('¥{:,.0f}', {{ number }})
    {%- elif unit == 'ratio' -%}
        format('{:.2f}', {{ number }})
    {%- elif unit == 'p_value' -%}
        case when {{ number }} < 0.001 then 'p < 0.001' else 'p = ' || format('{:.3f}', {{ number }}) end
    {%- else -%}
        format('{:,.0f}', {{ number }})
    {%- endif -%}
{%- endmacro %}

{% macro spark__alert_value(value, unit) -%}
    {#- format_number (Java's DecimalFormat: half-even on the double's exact value, as DuckDB's format(); US grouping
        commas, dropped where DuckDB's pattern has none). Not format_string: Java's %.1f rounds 18.45 (18.4499..)
        up to 18.5 where DuckDB prints 18.4. -#}
    {%- set number = 'cast(' ~ value ~ ' as double)' -%}
    {%- if unit == 'rate' -%}
        concat(replace(format_number(100 * {{ number }}, 1), ',', ''), '%')
    {%- elif unit == 'cny_cents' -%}
        concat('¥', format_number({{ number }}, 2))
    {%- elif unit == 'cny' -%}
        concat('¥', format_number({{ number }}, 0))
    {%- elif unit == 'ratio' -%}
        replace(format_number({{ number }}, 2), ',', '')
    {%- elif unit == 'p_value' -%}
        case when {{ number }} < 0.001 then 'p < 0.001' else 'p = ' || replace(format_number({{ number }}, 3), ',', '') end
    {%- else -%}
        format_number({{ number }}, 0)
    {%- endif -%}
{%- endmacro %}
