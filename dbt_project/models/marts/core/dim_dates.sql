-- One row per reporting-timezone day from the first loaded partition to "data end": the last loaded
-- partition day of raw.app_events (the user-events source), or var('data_end_date') when set.
-- Reports read data end as max(date_day). Grain: date_day.

with

stg_app__events as (

    select * from {{ ref('stg_app__events') }}

),

bounds as (

    select
        min(partition_date) as data_start_date,
        {% if var('data_end_date', none) -%}
            cast('{{ var("data_end_date") }}' as date)
        {%- else -%}
            max(partition_date)
        {%- endif %} as data_end_date
    from stg_app__events

),

-- 1..3660: ten years of days; assert_dim_dates_reaches_data_end fails if the data ever outgrows it.
day_numbers as (

    {{ dbt.generate_series(3660) }}

),

days as (

    select
        cast({{ dbt.dateadd('day', 'day_numbers.generated_number - 1', 'bounds.data_start_date') }} as date)
            as date_day,
        bounds.data_end_date
    from bounds
    cross join day_numbers

),

final as (

    select
        date_day,
        -- ISO week (Monday start) and calendar month containing the day
        cast({{ dbt.date_trunc('week', 'date_day') }} as date) as week_start,
        cast({{ dbt.date_trunc('month', 'date_day') }} as date) as month_start,
        date_day = data_end_date as is_data_end
    from days
    where date_day <= data_end_date

)

select * from final
