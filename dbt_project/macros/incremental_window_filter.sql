{#- True for rows landed inside this run's partition window: `column` (a landing day, normally partition_date)
    on or after var('partition_start') - var('incremental_lookback_days'). Always true on a full build (the
    model does not exist yet, --full-refresh, or no partition vars): then everything is processed.

    There is deliberately no upper bound at var('partition_end'): for the nightly run and an in-order backfill
    the end is the last landed day anyway, and when an old partition is re-run out of order, a version of the
    same key landed after it must still win, as it does in a full build. -#}
{% macro incremental_window_filter(column='partition_date') -%}
    {%- set start = var('partition_start', none) -%}
    {%- set end = var('partition_end', none) -%}
    {%- if start and end and end < start -%}
        {{ exceptions.raise_compiler_error("partition_end " ~ end ~ " is before partition_start " ~ start) }}
    {%- endif -%}
    {%- if is_incremental() and start -%}
        {%- set first_day = modules.datetime.date.fromisoformat(start | string)
            - modules.datetime.timedelta(days=var('incremental_lookback_days') | int) -%}
        {{ column }} >= cast('{{ first_day.isoformat() }}' as date)
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}
