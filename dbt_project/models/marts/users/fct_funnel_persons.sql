-- Every visitor's path through the funnel visit -> signup -> activation -> first paid order -> repeat
-- paid order. Each step is the earliest such event at or after the previous step and at most
-- var('funnel_conversion_window_days') days after the first visit; a skipped step ends the path.
-- Grain: person_id (the user_id once stitched, else the anonymous_id).

with

int_persons_first_visited as (

    select * from {{ ref('int_persons_first_visited') }}

),

int_events_stitched as (

    select * from {{ ref('int_events_stitched') }}

),

stg_app__users as (

    select * from {{ ref('stg_app__users') }}

),

int_orders_netted as (

    select * from {{ ref('int_orders_netted') }}

),

signups as (

    select
        persons.person_id,
        persons.window_ends_at,
        min(stg_app__users.signup_at) as signed_up_at
    from int_persons_first_visited as persons
    inner join stg_app__users
        on
            persons.person_id = stg_app__users.user_id
            and stg_app__users.signup_at between persons.visited_at and persons.window_ends_at
    group by persons.person_id, persons.window_ends_at

),

activations as (

    select
        signups.person_id,
        signups.window_ends_at,
        min(events.event_at) as activated_at
    from signups
    inner join int_events_stitched as events
        on
            signups.person_id = events.person_id
            and events.is_activation
            and events.event_at between signups.signed_up_at and signups.window_ends_at
    group by signups.person_id, signups.window_ends_at

),

first_orders as (

    -- order_sequence follows created_at, so both minima point at the same order
    select
        activations.person_id,
        activations.window_ends_at,
        min(orders.order_sequence) as order_sequence,
        min(orders.created_at) as first_ordered_at
    from activations
    inner join int_orders_netted as orders
        on
            activations.person_id = orders.user_id
            and orders.created_at between activations.activated_at and activations.window_ends_at
    group by activations.person_id, activations.window_ends_at

),

repeat_orders as (

    select
        first_orders.person_id,
        min(orders.created_at) as repeat_ordered_at
    from first_orders
    inner join int_orders_netted as orders
        on
            first_orders.person_id = orders.user_id
            and first_orders.order_sequence < orders.order_sequence
            and first_orders.window_ends_at >= orders.created_at
    group by first_orders.person_id

),

final as (

    select
        persons.person_id,
        persons.campaign_id as first_visit_campaign_id,
        persons.channel,
        cast({{ dbt.date_trunc('week', 'persons.visit_date') }} as date) as cohort_week,
        persons.visit_date as first_visit_date,
        -- UTC
        persons.visited_at as first_visited_at,
        signups.signed_up_at,
        activations.activated_at,
        first_orders.first_ordered_at,
        repeat_orders.repeat_ordered_at
    from int_persons_first_visited as persons
    left join signups on persons.person_id = signups.person_id
    left join activations on persons.person_id = activations.person_id
    left join first_orders on persons.person_id = first_orders.person_id
    left join repeat_orders on persons.person_id = repeat_orders.person_id

)

select * from final
