{#- True for rows landed inside this run's partition window (macro partition_window): `column` (a landing day,
    normally partition_date) on or after the window's start - var('incremental_lookback_days'). Always true on a
    full build (the model does not exist yet, --full-refresh, or no window): then everything is processed.

    There is deliberately no upper bound at the window's end: for the nightly run and an in-order backfill the
    end is the last landed day anyway, and when an old partition is re-run out of order, a version of the same
    key landed after it must still win, as it does in a full build. -#}
{% macro incremental_window_filter(column='partition_date') -%}
    {%- set window = partition_window() -%}
    {%- if is_incremental() and window.start -%}
        {%- set first_day = modules.datetime.date.fromisoformat(window.start | string)
            - modules.datetime.timedelta(days=var('incremental_lookback_days') | int) -%}
        {{ column }} >= cast('{{ first_day.isoformat() }}' as date)
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}
