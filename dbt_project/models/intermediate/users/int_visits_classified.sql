-- Visits (session starts) with their channel and campaign. Channel comes from (utm_source, utm_medium)
-- through the channel_map seed, the one UTM -> channel mapping: no UTM at all = organic, UTM tags the
-- map does not know = unmapped. Campaign comes from utm_campaign through the registry. Grain: event_id.
-- A view over int_events_stitched, for the same reason: a visit always carries the current stitching.

{{ config(materialized='view') }}

with

int_events_stitched as (

    select * from {{ ref('int_events_stitched') }}

),

channel_map as (

    select * from {{ ref('channel_map') }}

),

stg_reference__campaigns as (

    select * from {{ ref('stg_reference__campaigns') }}

),

visits as (

    select * from int_events_stitched
    where is_visit

),

final as (

    select
        visits.event_id,
        visits.person_id,
        visits.user_id,
        visits.anonymous_id,
        stg_reference__campaigns.campaign_id,
        case
            when
                visits.utm_source is null
                and visits.utm_medium is null
                and visits.utm_campaign is null
                then 'organic'
            else coalesce(channel_map.channel, 'unmapped')
        end as channel,
        visits.utm_source,
        visits.utm_medium,
        visits.utm_campaign,
        visits.utm_content,
        visits.platform,
        visits.is_late_arrival,
        visits.event_date as visit_date,
        visits.partition_date,
        -- UTC
        visits.event_at as visited_at
    from visits
    left join channel_map
        on
            visits.utm_source = channel_map.utm_source
            and visits.utm_medium = channel_map.utm_medium
    left join stg_reference__campaigns
        on visits.utm_campaign = stg_reference__campaigns.utm_campaign

)

select * from final
