-- 品牌舆情日报: the published columns of fct_brand_sentiment_daily, which defines every one of them (mentions by
-- sentiment, engagements, weighted reach, sentiment shares of the scored mentions, net sentiment, share of voice
-- among the tracked brands), with the platform's Chinese and English names (dim_code_labels).
-- Grain: report_date, platform, brand.

with

fct_brand_sentiment_daily as (

    select * from {{ ref('fct_brand_sentiment_daily') }}

),

report_rows as (

    select
        report_date,
        platform,
        brand,
        is_own_brand,
        mentions,
        positive_mentions,
        neutral_mentions,
        negative_mentions,
        unscored_mentions,
        engagements,
        weighted_reach,
        positive_share,
        neutral_share,
        negative_share,
        net_sentiment,
        reach_net_sentiment,
        share_of_voice,
        reach_share_of_voice
    from fct_brand_sentiment_daily

),

final as (

    {{ with_code_labels('report_rows', {'platform': 'social_platform'}) }}

)

select * from final
