{#- The model has exactly as many rows as compare_model (filtered by compare_where): for a view that
    LEFT JOINs lookups onto its source, "no row fanned out" - with the source's key unique (tested there),
    the same as the model's key being unique, at the cost of a count instead of a GROUP BY over every key.
    Returns the two counts when they differ. -#}
{% test row_count_equal_to(model, compare_model, compare_where='1 = 1') %}

with

model_rows as (

    select count(*) as row_count from {{ model }}

),

compare_rows as (

    select count(*) as row_count
    from {{ compare_model }}
    where {{ compare_where }}

)

select
    model_rows.row_count as model_row_count,
    compare_rows.row_count as compare_row_count
from model_rows
cross join compare_rows
where model_rows.row_count <> compare_rows.row_count

{% endtest %}
