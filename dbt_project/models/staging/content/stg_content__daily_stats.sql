with

content_daily_stats as (

    select * from {{ source('raw', 'content_daily_stats') }}

),

ranked as (

    select
        *,
        {{ latest_version_rank(['stat_date', 'content_id']) }} as version_rank
    from content_daily_stats

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

select * from final
