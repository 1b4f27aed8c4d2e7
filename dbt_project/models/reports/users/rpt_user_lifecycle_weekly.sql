-- Users per lifecycle state, ISO week (Monday start) and first-touch channel, with where they came from (the
-- previous week's state). Every signed-up user is in exactly one state per week from their signup week on
-- (fct_user_lifecycle_weekly); churned users have no stored row after their churn entry, so churned counts are
-- the running stock: churn entries minus churned users coming back, summed over the weeks so far.
-- Grain: week_start, channel, state (every combination, zeros included).
-- A full table on purpose: it aggregates the sparse weekly fact (rows only for new, active, dormant and
-- churn-entry weeks) in one pass, and churned stocks are running sums that change with every earlier week.

{%- set states = ['new', 'returning', 'resurrected', 'dormant', 'churned'] %}

with

fct_user_lifecycle_weekly as (

    select * from {{ ref('fct_user_lifecycle_weekly') }}

),

dim_users as (

    select * from {{ ref('dim_users') }}

),

dim_dates as (

    select * from {{ ref('dim_dates') }}

),

data_end as (

    select max(date_day) as data_end_date from dim_dates

),

signed_up as (

    select
        dim_users.user_id,
        dim_users.channel,
        cast({{ dbt.date_trunc('week', 'dim_users.signup_date') }} as date) as signup_week
    from dim_users
    cross join data_end
    where dim_users.signup_date <= data_end.data_end_date

),

states as (

    {% for state in states -%}
        select
            '{{ state }}' as state,
            {{ loop.index }} as state_order
        {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

weeks as (

    select week_start from dim_dates
    union
    select week_start from fct_user_lifecycle_weekly

),

channels as (

    select distinct channel from signed_up

),

signups as (

    select
        signup_week,
        channel,
        count(*) as users
    from signed_up
    group by signup_week, channel

),

week_channels as (

    select
        weeks.week_start,
        channels.channel
    from weeks
    cross join channels

),

stored as (

    select
        lifecycle.week_start,
        signed_up.channel,
        lifecycle.state,
        lifecycle.previous_state
    from fct_user_lifecycle_weekly as lifecycle
    inner join signed_up
        on lifecycle.user_id = signed_up.user_id

),

stored_counts as (

    select
        week_start,
        channel,
        state,
        count(*) as users,
        {% for state in states -%}
            sum(case when previous_state = '{{ state }}' then 1 else 0 end) as users_from_{{ state }},
        {% endfor -%}
        sum(case when state = 'churned' then 1 else 0 end) as churn_entries
    from stored
    group by week_start, channel, state

),

flows as (

    -- per week and channel: users who signed up, entered churn, and came back from churn
    select
        week_channels.week_start,
        week_channels.channel,
        coalesce(max(signups.users), 0) as signups,
        coalesce(sum(stored_counts.churn_entries), 0) as churn_entries,
        coalesce(sum(stored_counts.users_from_churned), 0) as churn_exits
    from week_channels
    left join stored_counts
        on
            week_channels.week_start = stored_counts.week_start
            and week_channels.channel = stored_counts.channel
    left join signups
        on
            week_channels.week_start = signups.signup_week
            and week_channels.channel = signups.channel
    group by week_channels.week_start, week_channels.channel

),

running as (

    select
        week_start,
        channel,
        churn_entries,
        sum(signups) over (
            partition by channel order by week_start rows between unbounded preceding and current row
        ) as signed_up_users,
        sum(churn_entries - churn_exits) over (
            partition by channel order by week_start rows between unbounded preceding and current row
        ) as churned_users
    from flows

),

counted as (

    select
        running.week_start,
        running.channel,
        states.state,
        states.state_order,
        case
            when states.state = 'churned' then running.churned_users
            else coalesce(stored_counts.users, 0)
        end as users,
        {% for state in states -%}
            {% if state == 'churned' -%}
                case
                    -- stayed churned: churned users now who did not just enter churn this week
                    when states.state = 'churned' then running.churned_users - running.churn_entries
                    else coalesce(stored_counts.users_from_churned, 0)
                end
            {%- else -%}
                coalesce(stored_counts.users_from_{{ state }}, 0)
            {%- endif %} as users_from_{{ state }},
        {% endfor -%}
        running.signed_up_users,
        least(cast({{ dbt.dateadd('day', 6, 'running.week_start') }} as date), data_end.data_end_date)
            as measure_date,
        cast({{ dbt.dateadd('day', 6, 'running.week_start') }} as date) <= data_end.data_end_date as is_complete
    from running
    cross join states
    cross join data_end
    left join stored_counts
        on
            running.week_start = stored_counts.week_start
            and running.channel = stored_counts.channel
            and states.state = stored_counts.state
    where running.week_start <= data_end.data_end_date

),

report_rows as (

    select
        week_start,
        channel,
        state,
        cast(state_order as integer) as state_order,
        cast(users as bigint) as users,
        {% for state in states -%}
            cast(users_from_{{ state }} as bigint) as users_from_{{ state }},
        {% endfor -%}
        cast(signed_up_users as bigint) as signed_up_users,
        {{ safe_divide('users', 'signed_up_users') }} as users_share,
        is_complete,
        measure_date
    from counted
    -- weeks before the channel's first signup have nobody to count
    where signed_up_users > 0

),

final as (

    {{ with_code_labels('report_rows', {'channel': 'channel'}) }}

)

select * from final
