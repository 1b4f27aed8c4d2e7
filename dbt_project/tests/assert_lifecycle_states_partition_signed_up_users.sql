-- Every week, the users over the five lifecycle states are exactly the users signed up by the week's measure day:
-- per channel (against the report's own signed_up_users) and over all channels (against dim_users). Returns a row
-- per week and channel (or '(all channels)') where someone is counted twice or has no state.

-- Shown in Dagster as a check on rpt_user_lifecycle_weekly (the test reads several models).
{{ config(meta={'dagster': {'ref': {'name': 'rpt_user_lifecycle_weekly'}}}) }}

with

per_channel as (

    select
        week_start,
        channel,
        min(measure_date) as measure_date,
        count(distinct state) as states,
        sum(users) as users_over_states,
        min(signed_up_users) as signed_up_users,
        max(signed_up_users) as max_signed_up_users
    from {{ ref('rpt_user_lifecycle_weekly') }}
    group by week_start, channel

),

per_week as (

    select
        week_start,
        min(measure_date) as measure_date,
        sum(users_over_states) as users_over_states
    from per_channel
    group by week_start

),

signed_up as (

    select
        per_week.week_start,
        count(users.user_id) as signed_up_users
    from per_week
    left join {{ ref('dim_users') }} as users on per_week.measure_date >= users.signup_date
    group by per_week.week_start

)

select
    week_start,
    channel,
    users_over_states,
    signed_up_users,
    states
from per_channel
where users_over_states <> signed_up_users or signed_up_users <> max_signed_up_users or states <> 5

union all

select
    per_week.week_start,
    '(all channels)' as channel,
    per_week.users_over_states,
    signed_up.signed_up_users,
    5 as states
from per_week
inner join signed_up on per_week.week_start = signed_up.week_start
where per_week.users_over_states <> signed_up.signed_up_users
