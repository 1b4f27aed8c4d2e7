-- One row per signed-up user and reporting-timezone day with at least one event ("active" = at least one
-- event that calendar day), from the signup day on: stitched anonymous activity before signup belongs to the
-- funnel, not to user counts. Late events count on the day they happened. Grain: user_id, activity_date.
-- Incremental: every day from the earliest event / signup day landed in the partition window is re-counted
-- whole (delete+insert by activity_date): a late event re-counts its own day, a signup re-counts the days its
-- device's earlier events were stitched to it.

{%- set changed_inputs = [(ref('stg_app__events'), 'event_date'), (ref('stg_app__users'), 'signup_date')] %}

{{ config(**incremental_by_day('activity_date')) }}

with

int_events_stitched as (

    select * from {{ ref('int_events_stitched') }}
    {% if is_incremental() -%}
        where event_date >= {{ incremental_changed_from(changed_inputs) }}
    {%- endif %}

),

stg_app__users as (

    select * from {{ ref('stg_app__users') }}

),

final as (

    select
        events.user_id,
        count(*) as events,
        cast(sum(case when events.is_visit then 1 else 0 end) as bigint) as visits,
        cast(sum(case when events.is_activation then 1 else 0 end) as bigint) as activation_events,
        events.event_date as activity_date,
        stg_app__users.signup_date
    from int_events_stitched as events
    inner join stg_app__users
        on events.user_id = stg_app__users.user_id
    where events.event_date >= stg_app__users.signup_date
    group by events.user_id, events.event_date, stg_app__users.signup_date

)

select
    *,
    {{ built_at() }} as dbt_built_at
from final
-- kept in day order, so a nightly run's day filters skip the older row groups
order by activity_date
