-- anonymous_id (device/cookie) -> user_id. The registry's signup device is authoritative; other devices
-- are tied to the first user seen logged in on them. Grain: anonymous_id.
-- Incremental: only devices with a signup or a login landed in the partition window are re-ranked, against
-- their stored link. The ranking keeps a minimum (priority, then earliest link), so the stored winner plus
-- the new candidates give the same answer as ranking every link ever landed. partition_date is the landing
-- day of the winning link: the links this run changed are those with a partition_date in the window.

{{ config(**incremental_by_key('anonymous_id')) }}

with

stg_app__users as (

    select * from {{ ref('stg_app__users') }}
    where {{ incremental_window_filter() }}

),

stg_app__events as (

    select * from {{ ref('stg_app__events') }}
    where {{ incremental_window_filter() }}

),

logins as (

    -- each user's first logged-in event on each device
    select
        anonymous_id,
        user_id,
        partition_date,
        event_at,
        row_number() over (partition by anonymous_id, user_id order by event_at, partition_date) as login_rank
    from stg_app__events
    where user_id is not null

),

links as (

    -- priority 1: the device the user signed up from
    select
        anonymous_id,
        user_id,
        1 as link_priority,
        partition_date,
        signup_at as linked_at
    from stg_app__users

    union all

    -- priority 2: any device the user was seen logged in on
    select
        anonymous_id,
        user_id,
        2 as link_priority,
        partition_date,
        event_at as linked_at
    from logins
    where login_rank = 1

    {% if is_incremental() %}

        union all

        -- the links already stored for these devices
        select
            stored.anonymous_id,
            stored.user_id,
            case when stored.is_signup_device then 1 else 2 end as link_priority,
            stored.partition_date,
            stored.linked_at
        from {{ this }} as stored
        where stored.anonymous_id in (
            select anonymous_id from stg_app__users
            union all
            select anonymous_id from logins
        )

    {% endif %}

),

ranked as (

    select
        anonymous_id,
        user_id,
        link_priority,
        partition_date,
        linked_at,
        row_number() over (
            partition by anonymous_id
            order by link_priority, linked_at, user_id, partition_date
        ) as link_rank
    from links

),

final as (

    select
        anonymous_id,
        user_id,
        link_priority = 1 as is_signup_device,
        partition_date,
        -- UTC
        linked_at
    from ranked
    where link_rank = 1

)

select
    *,
    {{ built_at() }} as dbt_built_at
from final
