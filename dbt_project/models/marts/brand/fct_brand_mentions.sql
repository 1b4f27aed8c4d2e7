-- 品牌舆情: every mention of our brand or a tracked competitor (stg_brand__mentions: the latest delivery, counted
-- once) with the sentiment of its text (nlp.mention_sentiment, joined on the macro text_hash, the scoring asset's
-- key). A mention whose text is not scored yet keeps NULL sentiment columns: it still counts as a mention.
-- engagements = likes + comments + reposts (a count the platform does not show counts 0); reach = the author's
-- followers + engagements, the potential audience. Grain: mention_id.

with

stg_brand__mentions as (

    select * from {{ ref('stg_brand__mentions') }}

),

stg_nlp__mention_sentiment as (

    select * from {{ ref('stg_nlp__mention_sentiment') }}

),

mentions as (

    select
        *,
        {{ text_hash('mention_text') }} as text_hash,
        coalesce(likes, 0) + coalesce(comments, 0) + coalesce(reposts, 0) as engagements
    from stg_brand__mentions

),

final as (

    select
        mentions.mention_id,
        mentions.brand,
        mentions.is_own_brand,
        mentions.platform,
        mentions.created_date,
        -- UTC
        mentions.created_at,
        mentions.author,
        mentions.author_followers,
        mentions.url,
        mentions.mention_text,
        mentions.likes,
        mentions.comments,
        mentions.reposts,
        mentions.engagements,
        coalesce(mentions.author_followers, 0) + mentions.engagements as reach,
        stg_nlp__mention_sentiment.sentiment_label,
        stg_nlp__mention_sentiment.sentiment_score,
        stg_nlp__mention_sentiment.scorer,
        stg_nlp__mention_sentiment.scorer_version,
        -- landing lineage: the day, not the load time (run metadata, which a rebuild changes)
        mentions.partition_date
    from mentions
    left join stg_nlp__mention_sentiment on mentions.text_hash = stg_nlp__mention_sentiment.text_hash

)

select * from final
