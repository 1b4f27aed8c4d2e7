-- Content items on owned channels, with the campaign their links carry. Grain: content_id.

with

stg_content__items as (

    select * from {{ ref('stg_content__items') }}

),

stg_reference__campaigns as (

    select * from {{ ref('stg_reference__campaigns') }}

),

final as (

    select
        items.content_id,
        campaigns.campaign_id,
        items.channel,
        items.content_type,
        items.topic,
        items.title,
        items.author,
        items.utm_campaign,
        items.duration_seconds,
        items.published_date,
        -- UTC
        items.published_at
    from stg_content__items as items
    left join stg_reference__campaigns as campaigns
        on items.utm_campaign = campaigns.utm_campaign

)

select * from final
