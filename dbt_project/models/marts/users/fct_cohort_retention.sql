-- Signup cohorts (signup day x first-touch channel) and how many of their users were active on day N
-- after signup (N in var('retention_days'): 0..30, 60, 90; day 0 = signup day). Counts are as observed up to data end;
-- is_complete says whether day N has happened. Grain: cohort_date, channel, day_n.
-- Incremental: whole cohort days (delete+insert by cohort_date) are re-derived: cohorts still inside the longest
-- retention day of the earliest changed day (their day-N counts and is_complete can move), and older cohorts
-- with a user active on the changed days (their "day N or later" counts move). Exact day-N counts before the
-- changed days cannot change and are kept as stored.

{%- set changed_inputs = [(ref('stg_app__events'), 'event_date'), (ref('stg_app__users'), 'signup_date')] %}
{%- set longest_day = var('retention_days') | max %}

{{ config(**incremental_by_day('cohort_date')) }}

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

{% if is_incremental() %}

    changed_days as (

        select {{ incremental_changed_from(changed_inputs) }} as first_changed_date

    ),

    recount_cohorts as (

        select distinct dim_users.signup_date as cohort_date
        from dim_users
        cross join changed_days
        where
            dim_users.signup_date
            >= cast({{ dbt.dateadd('day', -(longest_day + 1), 'changed_days.first_changed_date') }} as date)
            or dim_users.last_active_date >= changed_days.first_changed_date

    ),

{% endif %}

day_numbers as (

    {{ dbt.generate_series(longest_day + 1) }}

),

retention_days as (

    select generated_number - 1 as day_n
    from day_numbers
    where generated_number - 1 in ({{ var('retention_days') | join(', ') }})

),

cohort_users as (

    -- how far each user's activity reached: days from signup to their last active day (NULL: never active)
    select
        dim_users.signup_date as cohort_date,
        dim_users.channel,
        {{ days_between('dim_users.signup_date', 'dim_users.last_active_date') }} as last_active_day_n
    from dim_users
    cross join data_end
    where dim_users.signup_date <= data_end.data_end_date
    {% if is_incremental() -%}
        and dim_users.signup_date in (select cohort_date from recount_cohorts)
    {%- endif %}

),

reach as (

    select
        cohort_date,
        channel,
        least(last_active_day_n, {{ longest_day }}) as last_active_day_n,
        count(*) as users
    from cohort_users
    group by cohort_date, channel, least(last_active_day_n, {{ longest_day }})

),

cohorts as (

    select
        reach.cohort_date,
        reach.channel,
        retention_days.day_n,
        cast(sum(reach.users) as bigint) as cohort_size,
        cast(sum(case when reach.last_active_day_n >= retention_days.day_n then reach.users else 0 end) as bigint)
            as unbounded_retained_users
    from reach
    cross join retention_days
    group by reach.cohort_date, reach.channel, retention_days.day_n

),

retained as (

    select
        activity.signup_date as cohort_date,
        activity.channel,
        activity.days_since_signup as day_n,
        count(*) as retained_users
    from fct_user_activity_daily as activity
    cross join data_end
    where
        activity.activity_date <= data_end.data_end_date
        and activity.days_since_signup in ({{ var('retention_days') | join(', ') }})
    {% if is_incremental() -%}
        and activity.activity_date >= (select first_changed_date from changed_days)
        and activity.signup_date in (select cohort_date from recount_cohorts)
    {%- endif %}
    group by activity.signup_date, activity.channel, activity.days_since_signup

),

final as (

    select
        cohorts.cohort_date,
        cohorts.channel,
        cohorts.day_n,
        cohorts.cohort_size,
        {% if is_incremental() -%}
            cast(
                case
                    when
                        {{ dbt.dateadd('day', 'cohorts.day_n', 'cohorts.cohort_date') }}
                        >= (select first_changed_date from changed_days)
                        then coalesce(retained.retained_users, 0)
                    else coalesce(stored.retained_users, 0)
                end as bigint
            ) as retained_users,
        {%- else -%}
            cast(coalesce(retained.retained_users, 0) as bigint) as retained_users,
        {%- endif %}
        cohorts.unbounded_retained_users,
        cast({{ dbt.dateadd('day', 'cohorts.day_n', 'cohorts.cohort_date') }} as date) <= data_end.data_end_date
            as is_complete
    from cohorts
    cross join data_end
    left join retained
        on
            cohorts.cohort_date = retained.cohort_date
            and cohorts.channel = retained.channel
            and cohorts.day_n = retained.day_n
    {% if is_incremental() -%}
        left join {{ this }} as stored
            on
                cohorts.cohort_date = stored.cohort_date
                and cohorts.channel = stored.channel
                and cohorts.day_n = stored.day_n
    {%- endif %}

)

select
    *,
    {{ built_at() }} as dbt_built_at
from final
