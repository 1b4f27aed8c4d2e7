-- dim_dates spans first loaded day .. data end without gaps: its day spine (generate_series) is long
-- enough and nothing was cut off.

-- Shown in Dagster as a check on dim_dates (the test reads several models).
{{ config(meta={'dagster': {'ref': {'name': 'dim_dates'}}}) }}

with

bounds as (

    select
        min(date_day) as first_day,
        max(date_day) as last_day,
        count(*) as day_count,
        {{ days_between('min(date_day)', 'max(date_day)') }} + 1 as expected_day_count
    from {{ ref('dim_dates') }}

),

loaded as (

    select
        {% if var('data_end_date', none) -%}
            cast('{{ var("data_end_date") }}' as date)
        {%- else -%}
            max(partition_date)
        {%- endif %} as data_end_date
    from {{ ref('stg_app__events') }}

)

select
    bounds.first_day,
    bounds.last_day,
    bounds.day_count,
    loaded.data_end_date
from bounds
cross join loaded
where
    bounds.last_day <> loaded.data_end_date
    or bounds.day_count <> bounds.expected_day_count
