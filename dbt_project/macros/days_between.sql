{#- Whole calendar days from start_date to end_date (dates; 0 = same day). dbt.datediff on the default
    adapters; on DuckDB a plain date_diff (dbt-duckdb's datediff casts to timestamp and wraps the call
    across lines, which the linter reads as one overlong line). -#}
{% macro days_between(start_date, end_date) -%}
    {{ return(adapter.dispatch('days_between', 'growthmart')(start_date, end_date)) }}
{%- endmacro %}

{% macro default__days_between(start_date, end_date) -%}
    {{ dbt.datediff(start_date, end_date, 'day') }}
{%- endmacro %}

{% macro duckdb__days_between(start_date, end_date) -%}
    date_diff('day', {{ start_date }}, {{ end_date }})
{%- endmacro %}

{% macro spark__days_between(start_date, end_date) -%}
    datediff({{ end_date }}, {{ start_date }})
{%- endmacro %}
