{#- Whole seconds from start_timestamp to end_timestamp. dbt.datediff on the default adapters; on DuckDB a
    plain date_diff (dbt-duckdb's datediff wraps the call across lines, as days_between notes). -#}
{% macro seconds_between(start_timestamp, end_timestamp) -%}
    {{ return(adapter.dispatch('seconds_between', 'growthmart')(start_timestamp, end_timestamp)) }}
{%- endmacro %}

{% macro default__seconds_between(start_timestamp, end_timestamp) -%}
    {{ dbt.datediff(start_timestamp, end_timestamp, 'second') }}
{%- endmacro %}

{% macro duckdb__seconds_between(start_timestamp, end_timestamp) -%}
    date_diff('second', {{ start_timestamp }}, {{ end_timestamp }})
{%- endmacro %}

{% macro spark__seconds_between(start_timestamp, end_timestamp) -%}
    {#- second boundaries crossed, as DuckDB's date_diff (timestampdiff counts whole elapsed seconds instead) -#}
    (unix_seconds({{ end_timestamp }}) - unix_seconds({{ start_timestamp }}))
{%- endmacro %}
