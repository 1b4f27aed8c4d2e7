-- First-touch channel of every signed-up user: the channel of their first visit at or before signup
-- (stitched across devices). A user with no visit before signup is organic. Grain: user_id.
-- The user's first visit as a person is their first visit at or before signup whenever one exists (it is the
-- earliest of all), so this reads int_persons_first_visited instead of every visit.
-- Incremental: a first touch changes only for a user who signs up, or whose earlier visit lands late; either
-- way the signup day is on or after the earliest event / signup day landed in the window.

{%- set changed_inputs = [(ref('stg_app__events'), 'event_date'), (ref('stg_app__users'), 'signup_date')] %}

{{ config(**incremental_by_key('user_id')) }}

with

stg_app__users as (

    select * from {{ ref('stg_app__users') }}
    {% if is_incremental() -%}
        where signup_date >= {{ incremental_changed_from(changed_inputs) }}
    {%- endif %}

),

int_persons_first_visited as (

    select * from {{ ref('int_persons_first_visited') }}

),

final as (

    select
        stg_app__users.user_id,
        first_visits.first_visit_event_id,
        first_visits.campaign_id as first_touch_campaign_id,
        coalesce(first_visits.channel, 'organic') as first_touch_channel,
        first_visits.person_id is not null as has_visit_before_signup,
        -- UTC
        first_visits.visited_at as first_visited_at
    from stg_app__users
    left join int_persons_first_visited as first_visits
        on
            stg_app__users.user_id = first_visits.person_id
            and stg_app__users.signup_at >= first_visits.visited_at

)

select
    *,
    {{ built_at() }} as dbt_built_at
from final
