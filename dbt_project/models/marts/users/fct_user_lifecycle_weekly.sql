-- Weekly lifecycle state of signed-up users (ISO weeks, Monday start, reporting-timezone days), stored sparse:
-- one row per user and week from the signup week to the data-end week in which the user is new, returning,
-- resurrected or dormant, plus one row for the week the user becomes churned (the churn entry). Every later week
-- with no row is "churned" until the user's next row (a resurrection): rpt_user_lifecycle_weekly counts churned
-- users cumulatively, so a night writes rows for recently active users only, not for the whole churned base.
-- States (docs/metrics.md, DECISIONLOG): new = signup week; returning = active this and the previous week;
-- resurrected = active this week, not the previous one, not new; otherwise inactive this week: churned when
-- days from the last active day (the signup day if never active) to the week's measure day (its Sunday, or
-- data end in the current week) >= var('churn_inactive_days'), else dormant. Grain: user_id, week_start.
-- Incremental: weeks from the week of the earliest event / signup day landed in the partition window on
-- (delete+insert by week_start). A week's state depends only on activity since the last active day, at most
-- `max_offset` weeks back, so the anchors are read from that far before the first re-derived week.

{%- set changed_inputs = [(ref('stg_app__events'), 'event_date'), (ref('stg_app__users'), 'signup_date')] %}
{%- set churn_days = var('churn_inactive_days') | int %}
{#- inactive weeks after an anchor week until the churn entry: its last day + churn_days lies in week +5 (30) -#}
{%- set max_offset = (churn_days + 6) // 7 + 1 %}

{{ config(**incremental_by_day('week_start')) }}

with

dim_dates as (

    select * from {{ ref('dim_dates') }}

),

data_end as (

    select
        max(date_day) as data_end_date,
        max(week_start) as data_end_week
    from dim_dates

),

{% if is_incremental() %}

    changed_weeks as (

        select
            first_week,
            cast({{ dbt.dateadd('day', -7 * (max_offset + 2), 'first_week') }} as date) as read_from_week
        from (
            select cast({{ dbt.date_trunc('week', incremental_changed_from(changed_inputs)) }} as date) as first_week
        ) as changed

    ),

{% endif %}

int_user_activity_weekly as (

    select * from {{ ref('int_user_activity_weekly') }}
    {% if is_incremental() -%}
        where week_start >= (select read_from_week from changed_weeks)
    {%- endif %}

),

dim_users as (

    select * from {{ ref('dim_users') }}

),

offsets as (

    select generated_number - 1 as week_offset
    from ({{ dbt.generate_series(max_offset + 1) }}) as series

),

signed_up as (

    select
        dim_users.user_id,
        dim_users.signup_date,
        cast({{ dbt.date_trunc('week', 'dim_users.signup_date') }} as date) as signup_week
    from dim_users
    cross join data_end
    where dim_users.signup_date <= data_end.data_end_date

),

anchor_weeks as (

    -- weeks a user was active, and the signup week (active or not): the weeks a state is known from activity
    select
        user_id,
        week_start,
        1 as is_active,
        active_days,
        last_active_date as anchor_date
    from int_user_activity_weekly

    union all

    select
        user_id,
        signup_week as week_start,
        0 as is_active,
        0 as active_days,
        signup_date as anchor_date
    from signed_up
    {% if is_incremental() -%}
        where signup_week >= (select read_from_week from changed_weeks)
    {%- endif %}

),

anchors as (

    select
        anchor_weeks.user_id,
        anchor_weeks.week_start,
        signed_up.signup_week,
        signed_up.signup_date,
        max(anchor_weeks.is_active) as is_active,
        cast(sum(anchor_weeks.active_days) as bigint) as active_days,
        max(anchor_weeks.anchor_date) as anchor_date
    from anchor_weeks
    inner join signed_up
        on anchor_weeks.user_id = signed_up.user_id
    cross join data_end
    where anchor_weeks.week_start <= data_end.data_end_week
    group by anchor_weeks.user_id, anchor_weeks.week_start, signed_up.signup_week, signed_up.signup_date

),

sequenced as (

    select
        *,
        lag(week_start) over (partition by user_id order by week_start) as previous_anchor_week,
        lag(is_active) over (partition by user_id order by week_start) as previous_is_active,
        lead(week_start) over (partition by user_id order by week_start) as next_anchor_week
    from anchors

),

expanded as (

    -- the anchor week (offset 0), then its inactive weeks up to the churn entry, the next anchor or data end
    select
        sequenced.user_id,
        sequenced.signup_week,
        sequenced.signup_date,
        offsets.week_offset,
        sequenced.is_active,
        sequenced.active_days,
        sequenced.previous_anchor_week,
        sequenced.previous_is_active,
        sequenced.anchor_date,
        cast({{ dbt.dateadd('day', '7 * offsets.week_offset', 'sequenced.week_start') }} as date) as week_start,
        data_end.data_end_date
    from sequenced
    cross join offsets
    cross join data_end
    where
        offsets.week_offset = 0
        or (
            cast({{ dbt.dateadd('day', '7 * offsets.week_offset', 'sequenced.week_start') }} as date)
            <= data_end.data_end_week
            and (
                sequenced.next_anchor_week is null
                or cast({{ dbt.dateadd('day', '7 * offsets.week_offset', 'sequenced.week_start') }} as date)
                < sequenced.next_anchor_week
            )
            and (
                offsets.week_offset = 1
                -- the previous week (complete: it ended before this one began) was not churned yet
                or {{ days_between(
                    'sequenced.anchor_date',
                    dbt.dateadd('day', '7 * offsets.week_offset - 1', 'sequenced.week_start')
                ) }} < {{ churn_days }}
            )
        )

),

measured as (

    select
        *,
        -- the day the state is measured on: the week's Sunday, or data end in the current week
        least(cast({{ dbt.dateadd('day', 6, 'week_start') }} as date), data_end_date) as measure_date
    from expanded

),

stated as (

    select
        *,
        case
            when week_start = signup_week then 'new'
            when week_offset = 0 and is_active = 1 and previous_is_active = 1
                and previous_anchor_week = cast({{ dbt.dateadd('day', -7, 'week_start') }} as date)
                then 'returning'
            when week_offset = 0 and is_active = 1 then 'resurrected'
            when {{ days_between('anchor_date', 'measure_date') }} >= {{ churn_days }} then 'churned'
            else 'dormant'
        end as state
    from measured

),

with_previous as (

    select
        *,
        lag(week_start) over (partition by user_id order by week_start) as previous_row_week,
        lag(state) over (partition by user_id order by week_start) as previous_row_state
    from stated

),

final as (

    select
        user_id,
        state,
        case
            when week_start = signup_week then null
            when previous_row_week = cast({{ dbt.dateadd('day', -7, 'week_start') }} as date)
                then previous_row_state
            -- a week without a row after the signup week is a churned week
            else 'churned'
        end as previous_state,
        case when week_offset = 0 then active_days else 0 end as active_days,
        {{ days_between('anchor_date', 'measure_date') }} as days_since_last_active,
        week_offset = 0 and is_active = 1 as is_active,
        week_start,
        measure_date,
        -- last active day up to measure_date (the signup day when never active)
        anchor_date as last_active_date,
        signup_date
    from with_previous
    {% if is_incremental() -%}
        where week_start >= (select first_week from changed_weeks)
    {%- endif %}

)

select
    *,
    {{ built_at() }} as dbt_built_at
from final
-- kept in week order, so a nightly run's week filters skip the older row groups
order by week_start
