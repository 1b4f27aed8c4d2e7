-- Our app's and the tracked competitors' shopping-chart positions per ISO week (Monday start, Beijing days):
-- best and mean position over every day and store read in the week, and the mean's change against the week
-- before (NULL when that week has no position); days after data end (dim_dates) left out. Grain: brand,
-- week_start (weeks with at least one position).

with

stg_competitor__app_store_ranks as (

    select * from {{ ref('stg_competitor__app_store_ranks') }}

),

dim_dates as (

    select * from {{ ref('dim_dates') }}

),

weekly as (

    select
        brand,
        cast({{ dbt.date_trunc('week', 'rank_date') }} as date) as week_start,
        min(chart_rank) as best_app_rank,
        avg(cast(chart_rank as double)) as avg_app_rank,
        {{ dbt.bool_or('is_own_brand') }} as is_own_brand
    from stg_competitor__app_store_ranks
    where rank_date <= (select max(dim_dates.date_day) from dim_dates)
    group by brand, cast({{ dbt.date_trunc('week', 'rank_date') }} as date)

),

final as (

    select
        this_week.brand,
        cast(this_week.best_app_rank as integer) as best_app_rank,
        this_week.avg_app_rank,
        -- negative = climbing the chart
        this_week.avg_app_rank - previous_week.avg_app_rank as app_rank_change,
        this_week.is_own_brand,
        this_week.week_start
    from weekly as this_week
    left join weekly as previous_week
        on
            this_week.brand = previous_week.brand
            and previous_week.week_start = cast({{ dbt.dateadd('day', -7, 'this_week.week_start') }} as date)

)

select * from final
