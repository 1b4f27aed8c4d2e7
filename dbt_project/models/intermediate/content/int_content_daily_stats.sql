-- The owned channels' daily stats: the CMS export (stg_content__daily_stats), where a WeChat article's views,
-- shares and favorites come from the datacube (stg_wechat__article_summary, the platform's own figures) for the
-- item-days it reports, its msgid mapped onto content_id by the CMS export's platform_item_id. The datacube has
-- no likes, comments, follows, link clicks, leads or completion: those stay the CMS export's, NULL for an
-- item-day only the datacube reports. Grain: content_id, stat_date. A view: stitched at read time from two
-- incremental staging tables.

{{ config(materialized='view') }}

with

cms as (

    select * from {{ ref('stg_content__daily_stats') }}

),

wechat_articles as (

    select
        content_id,
        platform_item_id
    from {{ ref('stg_content__items') }}
    where channel = 'wechat_oa' and platform_item_id is not null

),

datacube as (

    select
        wechat_articles.content_id,
        article_summary.stat_date,
        article_summary.views,
        article_summary.shares,
        article_summary.favorites,
        article_summary.partition_date
    from {{ ref('stg_wechat__article_summary') }} as article_summary
    inner join wechat_articles
        on article_summary.msgid = wechat_articles.platform_item_id

),

final as (

    select
        coalesce(cms.content_id, datacube.content_id) as content_id,
        coalesce(cms.channel, 'wechat_oa') as channel,
        coalesce(datacube.views, cms.views) as views,
        cms.completion_rate,
        cms.avg_watch_seconds,
        cms.likes,
        cms.comments,
        coalesce(datacube.shares, cms.shares) as shares,
        coalesce(datacube.favorites, cms.favorites) as favorites,
        cms.follows_gained,
        cms.link_clicks,
        cms.leads,
        coalesce(cms.stat_date, datacube.stat_date) as stat_date,
        -- the later landing of the two, so a re-landed datacube day is recounted
        coalesce(
            greatest(cms.partition_date, datacube.partition_date), cms.partition_date, datacube.partition_date
        ) as partition_date,
        case
            when datacube.content_id is not null then 'wechat_datacube' else 'cms_export'
        end as engagement_source
    from cms
    full outer join datacube
        on
            cms.content_id = datacube.content_id
            and cms.stat_date = datacube.stat_date

)

select * from final
