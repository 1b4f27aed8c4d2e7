{#- A number as the alert and recommendation messages print it: unit 'cny' (¥12,345), 'cny_cents' (¥12.34), 'rate'
    (12.3%), 'count' (1,234), 'ratio' (0.42: ROAS, ROI) and 'p_value' (0.003; <0.001 below). rpt_alerts' and
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
            when {{ value }} < 0.001 then '<0.001'
            else cast(round({{ value }}, 3) as {{ dbt.type_string() }})
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
        case when {{ number }} < 0.001 then '<0.001' else format('{:.3f}', {{ number }}) end
    {%- else -%}
        format('{:,.0f}', {{ number }})
    {%- endif -%}
{%- endmacro %}

{% macro spark__alert_value(value, unit) -%}
    {#- Java's format strings (format_string, US locale): the same digits and grouping as DuckDB's format() -#}
    {%- set number = 'cast(' ~ value ~ ' as double)' -%}
    {%- if unit == 'rate' -%}
        format_string('%.1f%%', 100 * {{ number }})
    {%- elif unit == 'cny_cents' -%}
        format_string('¥%,.2f', {{ number }})
    {%- elif unit == 'cny' -%}
        format_string('¥%,.0f', {{ number }})
    {%- elif unit == 'ratio' -%}
        format_string('%.2f', {{ number }})
    {%- elif unit == 'p_value' -%}
        case when {{ number }} < 0.001 then '<0.001' else format_string('%.3f', {{ number }}) end
    {%- else -%}
        format_string('%,.0f', {{ number }})
    {%- endif -%}
{%- endmacro %}
