-- Incremental: the item days (re-)landed in the partition window replace their stored rows.

{{ config(**incremental_by_key(['stat_date', 'content_id'], 'stat_date')) }}

with

content_daily_stats as {{ not_materialized() }} (

    select * from {{ source('raw', 'content_daily_stats') }}
    where {{ incremental_window_filter('_partition_date') }}

),

ranked as (

    {{ latest_versions('content_daily_stats', ['stat_date', 'content_id']) }}

),

final as (

    select
        content_id,
        lower(trim(channel)) as channel,
        views,
        -- fraction 0..1, videos only
        completion_rate,
        avg_watch_seconds,
        likes,
        comments,
        shares,
        favorites,
        follows_gained,
        link_clicks,
        leads,
        -- Beijing calendar day as exported (daily, not cumulative)
        stat_date,
        _partition_date as partition_date,
        _loaded_at as loaded_at
    from ranked
    where version_rank = 1

)

select
    *,
    {{ built_at() }} as dbt_built_at
from final
