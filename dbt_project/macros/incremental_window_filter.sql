{#- True for rows landed inside this run's partition window: `column` (a landing day, normally partition_date)
    on or after window_first_landing_day(). Always true on a full build (the model does not exist yet,
    --full-refresh, or no window): then everything is processed.

    There is deliberately no upper bound at the window's end: for the nightly run and an in-order backfill the
    end is the last landed day anyway, and when an old partition is re-run out of order, a version of the same
    key landed after it must still win, as it does in a full build. -#}
{% macro incremental_window_filter(column='partition_date') -%}
    {%- set first_day = window_first_landing_day() -%}
    {%- if is_incremental() and first_day -%}
        {{ column }} >= cast('{{ first_day }}' as date)
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}


{#- The first landing day a run re-processes: its window's start - var('incremental_lookback_days'), as
    'YYYY-MM-DD'; none without a window (a full build). -#}
{% macro window_first_landing_day() -%}
    {%- set window = partition_window() -%}
    {%- if not window.start -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set first_day = modules.datetime.date.fromisoformat(window.start | string)
        - modules.datetime.timedelta(days=var('incremental_lookback_days') | int) -%}
    {{ return(first_day.isoformat()) }}
{%- endmacro %}
