-- Signup cohorts (signup day x first-touch channel) and how many of their users were active on day N
-- after signup (N in var('retention_days'): 0..30, 60, 90; day 0 = signup day). Counts are as observed up to data end;
-- is_complete says whether day N has happened. Grain: cohort_date, channel, day_n.

with

dim_users as (

    select * from {{ ref('dim_users') }}

),

fct_user_activity_daily as (

    select * from {{ ref('fct_user_activity_daily') }}

),

dim_dates as (

    select * from {{ ref('dim_dates') }}

),

data_end as (

    select max(date_day) as data_end_date from dim_dates

),

day_numbers as (

    {{ dbt.generate_series(var('retention_days') | max + 1) }}

),

retention_days as (

    select generated_number - 1 as day_n
    from day_numbers
    where generated_number - 1 in ({{ var('retention_days') | join(', ') }})

),

activity as (

    select fct_user_activity_daily.*
    from fct_user_activity_daily
    cross join data_end
    where fct_user_activity_daily.activity_date <= data_end.data_end_date

),

last_activity as (

    select
        user_id,
        max(activity_date) as last_activity_date
    from activity
    group by user_id

),

user_days as (

    select
        dim_users.user_id,
        dim_users.channel,
        retention_days.day_n,
        dim_users.signup_date as cohort_date,
        cast({{ dbt.dateadd('day', 'retention_days.day_n', 'dim_users.signup_date') }} as date) as target_date,
        last_activity.last_activity_date,
        data_end.data_end_date
    from dim_users
    cross join retention_days
    cross join data_end
    left join last_activity
        on dim_users.user_id = last_activity.user_id
    where dim_users.signup_date <= data_end.data_end_date

),

final as (

    select
        user_days.cohort_date,
        user_days.channel,
        user_days.day_n,
        count(*) as cohort_size,
        count(activity.user_id) as retained_users,
        cast(sum(case when user_days.last_activity_date >= user_days.target_date then 1 else 0 end) as bigint)
            as unbounded_retained_users,
        user_days.target_date <= user_days.data_end_date as is_complete
    from user_days
    left join activity
        on
            user_days.user_id = activity.user_id
            and user_days.target_date = activity.activity_date
    group by
        user_days.cohort_date,
        user_days.channel,
        user_days.day_n,
        user_days.target_date,
        user_days.data_end_date

)

select * from final
