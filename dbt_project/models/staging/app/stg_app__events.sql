with

app_events as (

    select * from {{ source('raw', 'app_events') }}

),

ranked as (

    select
        *,
        -- An event can be landed twice (tracker retries); event_id identifies it.
        {{ latest_version_rank(['event_id']) }} as version_rank
    from app_events

),

final as (

    select
        event_id,
        anonymous_id,
        user_id,
        lower(trim(event_name)) as event_name,
        lower(trim(platform)) as platform,
        lower(trim(utm_source)) as utm_source,
        lower(trim(utm_medium)) as utm_medium,
        lower(trim(utm_campaign)) as utm_campaign,
        utm_content,
        lower(trim(event_name)) = '{{ var("visit_event") }}' as is_visit,
        lower(trim(event_name)) in ('{{ var("activation_events") | join("', '") }}') as is_activation,
        -- Landed in a later day's folder than the day it happened.
        _partition_date > {{ to_reporting_date('event_at') }} as is_late_arrival,
        -- The day the event happened in the reporting timezone, whatever partition it arrived in.
        {{ to_reporting_date('event_at') }} as event_date,
        _partition_date as partition_date,
        -- UTC
        event_at,
        _loaded_at as loaded_at
    from ranked
    where version_rank = 1

)

select * from final
