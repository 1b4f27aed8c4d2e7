-- The sentiment of each distinct mention text, as the scoring asset stored it. Grain: text_hash.

with

mention_sentiment as (

    select * from {{ source('nlp', 'mention_sentiment') }}

),

final as (

    select
        text_hash,
        label as sentiment_label,
        score as sentiment_score,
        scorer,
        scorer_version,
        -- UTC
        scored_at
    from mention_sentiment

)

select * from final
