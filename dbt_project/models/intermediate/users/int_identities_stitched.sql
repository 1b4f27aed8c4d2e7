-- anonymous_id (device/cookie) -> user_id. The registry's signup device is authoritative; other devices
-- are tied to the first user seen logged in on them. Grain: anonymous_id.

with

stg_app__users as (

    select * from {{ ref('stg_app__users') }}

),

stg_app__events as (

    select * from {{ ref('stg_app__events') }}

),

links as (

    -- priority 1: the device the user signed up from
    select
        anonymous_id,
        user_id,
        1 as link_priority,
        signup_at as linked_at
    from stg_app__users

    union all

    -- priority 2: any device the user was seen logged in on
    select
        anonymous_id,
        user_id,
        2 as link_priority,
        min(event_at) as linked_at
    from stg_app__events
    where user_id is not null
    group by anonymous_id, user_id

),

ranked as (

    select
        anonymous_id,
        user_id,
        link_priority,
        linked_at,
        row_number() over (
            partition by anonymous_id
            order by link_priority, linked_at, user_id
        ) as link_rank
    from links

),

final as (

    select
        anonymous_id,
        user_id,
        link_priority = 1 as is_signup_device,
        -- UTC
        linked_at
    from ranked
    where link_rank = 1

)

select * from final
