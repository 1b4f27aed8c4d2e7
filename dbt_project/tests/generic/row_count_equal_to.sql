{#- The model has exactly as many rows as compare_model (filtered by compare_where): for a view that
    LEFT JOINs lookups onto its source, "no row fanned out" - with the source's key unique (tested there),
    the same as the model's key being unique, at the cost of a count instead of a GROUP BY over every key.
    Returns the two counts when they differ.
    window_column: a landing-day column both sides have; in a run with a partition window both are counted over
    the rows landed in it (window_first_landing_day on), so a nightly run counts the night's rows, not history. -#}
{% test row_count_equal_to(model, compare_model, compare_where='1 = 1', window_column=none) %}
{%- set first_day = window_first_landing_day() if window_column else none %}
{%- set in_window = window_column ~ " >= cast('" ~ first_day ~ "' as date)" if first_day else '1 = 1' %}

with

model_rows as (

    select count(*) as row_count from {{ model }}
    where {{ in_window }}

),

compare_rows as (

    select count(*) as row_count
    from {{ compare_model }}
    where ({{ compare_where }}) and {{ in_window }}

)

select
    model_rows.row_count as model_row_count,
    compare_rows.row_count as compare_row_count
from model_rows
cross join compare_rows
where model_rows.row_count <> compare_rows.row_count

{% endtest %}
