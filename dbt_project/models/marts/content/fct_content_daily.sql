-- Daily (not cumulative) engagement of each content item. completion_rate is kept as exported
-- (a per-item-day fraction); aggregate it weighted by views. Grain: content_id, stat_date.
-- Incremental: the item days (re-)landed in the partition window replace theirs.

{{ config(**incremental_by_key(['content_id', 'stat_date'], 'stat_date')) }}

with

content_daily_stats as (

    -- the CMS export, WeChat articles' views/shares/favorites from the datacube (int_content_daily_stats)
    select * from {{ ref('int_content_daily_stats') }}
    where {{ incremental_window_filter() }}

),

dim_content as (

    select * from {{ ref('dim_content') }}

),

final as (

    select
        stats.content_id,
        dim_content.campaign_id,
        stats.channel,
        dim_content.content_type,
        stats.views,
        stats.completion_rate,
        stats.avg_watch_seconds,
        stats.likes,
        stats.comments,
        stats.shares,
        stats.favorites,
        stats.follows_gained,
        stats.link_clicks,
        stats.leads,
        stats.stat_date,
        dim_content.published_date
    from content_daily_stats as stats
    left join dim_content
        on stats.content_id = dim_content.content_id

)

select
    *,
    {{ built_at() }} as dbt_built_at
from final
-- kept in day order, so a nightly run's day filters skip the older row groups
order by stat_date
