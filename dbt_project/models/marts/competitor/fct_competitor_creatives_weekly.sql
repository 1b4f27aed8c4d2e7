-- Competitors' ad creatives per ISO week (Monday start) of the data window (dim_dates): creatives running on any
-- day of the week (first_seen_date <= its Sunday and last_seen_date >= its Monday) and those first seen in it.
-- The ad-intelligence tool reports a creative's first and latest day seen, not the days between, so a creative
-- counts as running every day in between; a creative first seen after data end has not run yet. Grain:
-- competitor, week_start (weeks with a creative running).

with

stg_competitor__creatives as (

    select * from {{ ref('stg_competitor__creatives') }}

),

dim_dates as (

    select * from {{ ref('dim_dates') }}

),

weeks as (

    -- a week's last day, or data end in the data end's week
    select
        week_start,
        max(date_day) as week_end
    from dim_dates
    group by week_start

),

running as (

    select
        stg_competitor__creatives.competitor,
        stg_competitor__creatives.first_seen_date between weeks.week_start and weeks.week_end as is_new,
        weeks.week_start
    from stg_competitor__creatives
    inner join weeks
        on
            stg_competitor__creatives.first_seen_date <= weeks.week_end
            and stg_competitor__creatives.last_seen_date >= weeks.week_start

),

final as (

    select
        competitor,
        count(case when is_new then 1 end) as new_creatives,
        count(*) as active_creatives,
        week_start
    from running
    group by competitor, week_start

)

select * from final
