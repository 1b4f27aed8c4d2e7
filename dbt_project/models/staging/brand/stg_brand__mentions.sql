-- One row per mention: the listening tool delivers a mention again on later days with its counts grown (same
-- mention_id and text), so the latest delivery's counts are kept and the mention is counted once.

with

brand_mentions as (

    select * from {{ source('raw', 'brand_mentions') }}

),

ranked as (

    select
        *,
        {{ latest_version_rank(['mention_id']) }} as version_rank,
        count(*) over (partition by mention_id) as delivery_count,
        min(_partition_date) over (partition by mention_id) as first_delivered_date
    from brand_mentions

),

final as (

    select
        mention_id,
        lower(trim(platform)) as platform,
        brand,
        author,
        url,
        text as mention_text,
        -- JSON list text, e.g. ["GM优选"]
        matched_keywords,
        author_followers,
        likes,
        comments,
        reposts,
        delivery_count,
        lower(trim(brand_type)) = 'own' as is_own_brand,
        {{ to_reporting_date('created_at') }} as created_date,
        first_delivered_date,
        -- the latest delivery's landing day
        _partition_date as partition_date,
        -- UTC; typed as dbt's timestamp: Spark's raw tables keep naive UTC as timestamp_ntz, which the reports'
        -- contracts (timestamp) would reject
        cast(created_at as {{ dbt.type_timestamp() }}) as created_at,
        _loaded_at as loaded_at
    from ranked
    where version_rank = 1

)

select * from final
