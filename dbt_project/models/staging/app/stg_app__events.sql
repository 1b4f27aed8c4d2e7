-- Incremental: the raw rows landed in the partition window are deduplicated and replace their event_id's
-- stored row (a copy landed again later wins); every version of an event has the same event_date.

{{ config(**incremental_by_key('event_id', 'event_date')) }}

with

app_events as {{ not_materialized() }} (

    select * from {{ source('raw', 'app_events') }}
    where {{ incremental_window_filter('_partition_date') }}

),

ranked as (

    {{ latest_versions('app_events', ['event_id']) }}

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

select
    *,
    {{ built_at() }} as dbt_built_at
from final
