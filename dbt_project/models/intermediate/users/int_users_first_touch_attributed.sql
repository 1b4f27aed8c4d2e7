-- First-touch channel of every signed-up user: the channel of their first visit at or before signup
-- (stitched across devices). A user with no visit before signup is organic. Grain: user_id.

with

stg_app__users as (

    select * from {{ ref('stg_app__users') }}

),

int_visits_classified as (

    select * from {{ ref('int_visits_classified') }}

),

visits_before_signup as (

    select
        int_visits_classified.user_id,
        int_visits_classified.event_id,
        int_visits_classified.campaign_id,
        int_visits_classified.channel,
        int_visits_classified.visited_at,
        row_number() over (
            partition by int_visits_classified.user_id
            order by int_visits_classified.visited_at, int_visits_classified.event_id
        ) as visit_rank
    from int_visits_classified
    inner join stg_app__users
        on int_visits_classified.user_id = stg_app__users.user_id
    where int_visits_classified.visited_at <= stg_app__users.signup_at

),

final as (

    select
        stg_app__users.user_id,
        visits_before_signup.event_id as first_visit_event_id,
        visits_before_signup.campaign_id as first_touch_campaign_id,
        coalesce(visits_before_signup.channel, 'organic') as first_touch_channel,
        visits_before_signup.event_id is not null as has_visit_before_signup,
        -- UTC
        visits_before_signup.visited_at as first_visited_at
    from stg_app__users
    left join visits_before_signup
        on
            stg_app__users.user_id = visits_before_signup.user_id
            and visits_before_signup.visit_rank = 1

)

select * from final
