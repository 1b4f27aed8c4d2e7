-- Daily activity of signed-up users (active = at least one event that reporting-timezone day), from
-- their signup day on (stitched anonymous activity before signup belongs to the funnel, not to user
-- counts), with the user's signup cohort. Grain: user_id, activity_date.
-- Incremental like int_user_activity_daily: whole days from the earliest changed day on. A user whose
-- first-touch channel changes signed up on or after that day, so all their rows are among the re-derived.

{%- set changed_inputs = [(ref('stg_app__events'), 'event_date'), (ref('stg_app__users'), 'signup_date')] %}

{{ config(**incremental_by_day('activity_date')) }}

with

int_user_activity_daily as (

    select * from {{ ref('int_user_activity_daily') }}
    {% if is_incremental() -%}
        where activity_date >= {{ incremental_changed_from(changed_inputs) }}
    {%- endif %}

),

dim_users as (

    select * from {{ ref('dim_users') }}

),

joined as (

    select
        activity.user_id,
        dim_users.channel,
        activity.events,
        activity.visits,
        activity.activation_events,
        activity.activity_date,
        dim_users.signup_date
    from int_user_activity_daily as activity
    inner join dim_users
        on activity.user_id = dim_users.user_id
    where activity.activity_date >= dim_users.signup_date

),

final as (

    select
        user_id,
        channel,
        {{ days_between('signup_date', 'activity_date') }} as days_since_signup,
        events,
        visits,
        activation_events,
        activity_date,
        signup_date
    from joined

)

select
    *,
    {{ built_at() }} as dbt_built_at
from final
-- kept in day order, so a nightly run's day filters skip the older row groups
order by activity_date
