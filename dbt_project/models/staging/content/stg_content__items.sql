with

content_items as (

    select * from {{ source('raw', 'content_items') }}

),

ranked as (

    select
        *,
        {{ latest_version_rank(['content_id']) }} as version_rank
    from content_items

),

final as (

    select
        content_id,
        lower(trim(channel)) as channel,
        lower(trim(content_type)) as content_type,
        -- editorial topic; NULL in exports older than the column
        trim(topic) as topic,
        title,
        author,
        lower(trim(utm_campaign)) as utm_campaign,
        duration_seconds,
        -- the platform's own id (WeChat msgid); NULL in exports older than the column
        trim(platform_item_id) as platform_item_id,
        {{ to_reporting_date('published_at') }} as published_date,
        -- UTC
        published_at,
        _partition_date as partition_date,
        _loaded_at as loaded_at
    from ranked
    where version_rank = 1

)

select * from final
