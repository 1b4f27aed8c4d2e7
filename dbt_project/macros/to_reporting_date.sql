{#- Calendar day, in var('reporting_timezone'), of a naive UTC timestamp. Engine-specific, so dispatched. -#}
{% macro to_reporting_date(utc_timestamp) -%}
    {{ return(adapter.dispatch('to_reporting_date', 'growthmart')(utc_timestamp)) }}
{%- endmacro %}

{% macro default__to_reporting_date(utc_timestamp) -%}
    cast(({{ utc_timestamp }} at time zone 'UTC') at time zone '{{ var("reporting_timezone") }}' as date)
{%- endmacro %}

{% macro duckdb__to_reporting_date(utc_timestamp) -%}
    {#- timezone('UTC', naive) reads the value as UTC -> timestamptz; timezone(tz, timestamptz) -> local wall time. -#}
    cast(timezone('{{ var("reporting_timezone") }}', timezone('UTC', {{ utc_timestamp }})) as date)
{%- endmacro %}

{% macro spark__to_reporting_date(utc_timestamp) -%}
    {#- from_utc_timestamp reads the value as UTC and gives the zone's wall time (session time zone UTC). -#}
    cast(from_utc_timestamp({{ utc_timestamp }}, '{{ var("reporting_timezone") }}') as date)
{%- endmacro %}
