-- 品牌舆情日报: per reporting-timezone (Beijing) day, platform and tracked brand, the mentions posted that day
-- (fct_brand_mentions.created_date) by sentiment, their engagements and reach, sentiment shares of the scored
-- mentions, and share of voice among the tracked brands on that platform that day. Every brand and every platform
-- seen in the mentions appears on every day from the first mention day to data end (dim_dates), with zeros on a
-- day without mentions (so a baseline counts quiet days as 0) and NULL shares there.
-- Grain: report_date, platform, brand.

with

dim_dates as (

    select * from {{ ref('dim_dates') }}

),

fct_brand_mentions as (

    select * from {{ ref('fct_brand_mentions') }}

),

brands as (

    select
        brand,
        {{ dbt.bool_or('is_own_brand') }} as is_own_brand
    from fct_brand_mentions
    group by brand

),

platforms as (

    select distinct platform from fct_brand_mentions

),

days as (

    select dim_dates.date_day as report_date
    from dim_dates
    where dim_dates.date_day >= (select min(fct_brand_mentions.created_date) from fct_brand_mentions)

),

grid as (

    select
        days.report_date,
        platforms.platform,
        brands.brand,
        brands.is_own_brand
    from days
    cross join platforms
    cross join brands

),

mentions_daily as (

    select
        created_date as report_date,
        platform,
        brand,
        count(*) as mentions,
        count(case when sentiment_label = 'positive' then 1 end) as positive_mentions,
        count(case when sentiment_label = 'neutral' then 1 end) as neutral_mentions,
        count(case when sentiment_label = 'negative' then 1 end) as negative_mentions,
        count(case when sentiment_label is null then 1 end) as unscored_mentions,
        sum(engagements) as engagements,
        sum(reach) as weighted_reach,
        sum(case when sentiment_label = 'positive' then reach else 0 end) as positive_reach,
        sum(case when sentiment_label = 'negative' then reach else 0 end) as negative_reach,
        sum(case when sentiment_label is not null then reach else 0 end) as scored_reach
    from fct_brand_mentions
    group by created_date, platform, brand

),

filled as (

    select
        grid.report_date,
        grid.platform,
        grid.brand,
        grid.is_own_brand,
        cast(coalesce(mentions_daily.mentions, 0) as bigint) as mentions,
        cast(coalesce(mentions_daily.positive_mentions, 0) as bigint) as positive_mentions,
        cast(coalesce(mentions_daily.neutral_mentions, 0) as bigint) as neutral_mentions,
        cast(coalesce(mentions_daily.negative_mentions, 0) as bigint) as negative_mentions,
        cast(coalesce(mentions_daily.unscored_mentions, 0) as bigint) as unscored_mentions,
        cast(coalesce(mentions_daily.engagements, 0) as bigint) as engagements,
        cast(coalesce(mentions_daily.weighted_reach, 0) as bigint) as weighted_reach,
        coalesce(mentions_daily.positive_reach, 0) as positive_reach,
        coalesce(mentions_daily.negative_reach, 0) as negative_reach,
        coalesce(mentions_daily.scored_reach, 0) as scored_reach
    from grid
    left join mentions_daily
        on
            grid.report_date = mentions_daily.report_date
            and grid.platform = mentions_daily.platform
            and grid.brand = mentions_daily.brand

),

final as (

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
        -- shares of the scored mentions: an unscored mention is no evidence either way
        {{ safe_divide('positive_mentions', 'mentions - unscored_mentions') }} as positive_share,
        {{ safe_divide('neutral_mentions', 'mentions - unscored_mentions') }} as neutral_share,
        {{ safe_divide('negative_mentions', 'mentions - unscored_mentions') }} as negative_share,
        {{ safe_divide('positive_mentions - negative_mentions', 'mentions - unscored_mentions') }} as net_sentiment,
        {{ safe_divide('positive_reach - negative_reach', 'scored_reach') }} as reach_net_sentiment,
        {{ safe_divide('mentions', 'sum(mentions) over (partition by report_date, platform)') }} as share_of_voice,
        {{ safe_divide('weighted_reach', 'sum(weighted_reach) over (partition by report_date, platform)') }}
            as reach_share_of_voice
    from filled

)

select * from final
