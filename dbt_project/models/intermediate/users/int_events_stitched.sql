-- Events with the person they belong to: the logged-in user_id, else the user the device was stitched to,
-- else (never signed up) the anonymous_id. Grain: event_id.
-- A view, not a table: stitching happens when the events are read, so a signup or login landing later
-- re-attributes every earlier event of its device at once, with nothing stored to rewrite. Readers filter
-- on event_date / partition_date, which reach the scan of the stored events (stg_app__events).

{{ config(materialized='view') }}

with

stg_app__events as (

    select * from {{ ref('stg_app__events') }}

),

int_identities_stitched as (

    select * from {{ ref('int_identities_stitched') }}

),

final as (

    select
        stg_app__events.event_id,
        coalesce(stg_app__events.user_id, int_identities_stitched.user_id) as user_id,
        coalesce(stg_app__events.user_id, int_identities_stitched.user_id, stg_app__events.anonymous_id)
            as person_id,
        stg_app__events.anonymous_id,
        stg_app__events.event_name,
        stg_app__events.platform,
        stg_app__events.utm_source,
        stg_app__events.utm_medium,
        stg_app__events.utm_campaign,
        stg_app__events.utm_content,
        stg_app__events.is_visit,
        stg_app__events.is_activation,
        stg_app__events.is_late_arrival,
        stg_app__events.user_id is null and int_identities_stitched.user_id is not null as is_stitched,
        stg_app__events.event_date,
        stg_app__events.partition_date,
        stg_app__events.event_at
    from stg_app__events
    left join int_identities_stitched
        on stg_app__events.anonymous_id = int_identities_stitched.anonymous_id

)

select * from final
