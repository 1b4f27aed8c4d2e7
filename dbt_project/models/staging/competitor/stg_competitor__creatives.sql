-- One row per competitor creative (platform, creative_id): a creative still running is delivered every day with
-- a later last_seen, so its latest delivery is kept.

with

competitor_creatives as (

    select * from {{ source('raw', 'competitor_creatives') }}

),

ranked as (

    select
        *,
        {{ latest_version_rank(['platform', 'creative_id']) }} as version_rank
    from competitor_creatives

),

final as (

    select
        creative_id,
        competitor,
        lower(trim(platform)) as platform,
        lower(trim(creative_format)) as creative_format,
        title,
        text as creative_text,
        landing_url,
        first_seen as first_seen_date,
        last_seen as last_seen_date,
        _partition_date as partition_date,
        _loaded_at as loaded_at
    from ranked
    where version_rank = 1

)

select * from final
