-- Competitor watch per ISO week (Monday start, Beijing days), our brand as the reference row: share of voice and
-- negative share of the mentions, listings' prices, price changes and promotions, ad creatives and app-chart
-- positions. Every brand seen in any of them, every week from the first week with data to the data end's week
-- (zero counts and NULL measures where a brand has nothing that week). Mentions are fct_brand_sentiment_daily's
-- daily counts summed, so a week reconciles with rpt_brand_sentiment_daily. Grain: week_start, brand.

with

fct_brand_sentiment_daily as (

    select * from {{ ref('fct_brand_sentiment_daily') }}

),

fct_competitor_prices_weekly as (

    select * from {{ ref('fct_competitor_prices_weekly') }}

),

fct_competitor_creatives_weekly as (

    select * from {{ ref('fct_competitor_creatives_weekly') }}

),

fct_app_ranks_weekly as (

    select * from {{ ref('fct_app_ranks_weekly') }}

),

dim_dates as (

    select * from {{ ref('dim_dates') }}

),

mentions_weekly as (

    -- the daily counts summed, so the week reconciles with rpt_brand_sentiment_daily
    select
        brand,
        cast({{ dbt.date_trunc('week', 'report_date') }} as date) as week_start,
        {{ dbt.bool_or('is_own_brand') }} as is_own_brand,
        sum(mentions) as mentions,
        sum(negative_mentions) as negative_mentions,
        sum(mentions - unscored_mentions) as scored_mentions
    from fct_brand_sentiment_daily
    group by brand, cast({{ dbt.date_trunc('week', 'report_date') }} as date)

),

brand_weeks as (

    select
        brand,
        week_start,
        is_own_brand
    from mentions_weekly

    union all

    select
        competitor as brand,
        week_start,
        false as is_own_brand
    from fct_competitor_prices_weekly

    union all

    select
        competitor as brand,
        week_start,
        false as is_own_brand
    from fct_competitor_creatives_weekly

    union all

    select
        brand,
        week_start,
        is_own_brand
    from fct_app_ranks_weekly

),

brands as (

    select
        brand,
        {{ dbt.bool_or('is_own_brand') }} as is_own_brand
    from brand_weeks
    group by brand

),

weeks as (

    select distinct dim_dates.week_start
    from dim_dates
    where dim_dates.week_start >= (select min(brand_weeks.week_start) from brand_weeks)

),

spine as (

    select
        weeks.week_start,
        brands.brand,
        brands.is_own_brand
    from weeks
    cross join brands

),

joined as (

    select
        spine.week_start,
        spine.brand,
        spine.is_own_brand,
        coalesce(mentions_weekly.mentions, 0) as mentions,
        coalesce(mentions_weekly.negative_mentions, 0) as negative_mentions,
        coalesce(mentions_weekly.scored_mentions, 0) as scored_mentions,
        fct_competitor_prices_weekly.items_tracked,
        fct_competitor_prices_weekly.avg_price_cny,
        fct_competitor_prices_weekly.items_price_down,
        fct_competitor_prices_weekly.items_price_up,
        fct_competitor_prices_weekly.avg_price_change,
        fct_competitor_prices_weekly.max_discount,
        fct_competitor_prices_weekly.promotions,
        fct_competitor_prices_weekly.promotion_texts,
        fct_competitor_creatives_weekly.new_creatives,
        fct_competitor_creatives_weekly.active_creatives,
        fct_app_ranks_weekly.best_app_rank,
        fct_app_ranks_weekly.avg_app_rank,
        fct_app_ranks_weekly.app_rank_change
    from spine
    left join mentions_weekly
        on spine.brand = mentions_weekly.brand and spine.week_start = mentions_weekly.week_start
    left join fct_competitor_prices_weekly
        on
            spine.brand = fct_competitor_prices_weekly.competitor
            and spine.week_start = fct_competitor_prices_weekly.week_start
    left join fct_competitor_creatives_weekly
        on
            spine.brand = fct_competitor_creatives_weekly.competitor
            and spine.week_start = fct_competitor_creatives_weekly.week_start
    left join fct_app_ranks_weekly
        on spine.brand = fct_app_ranks_weekly.brand and spine.week_start = fct_app_ranks_weekly.week_start

),

final as (

    select
        week_start,
        brand,
        is_own_brand,
        cast(mentions as bigint) as mentions,
        {{ safe_divide('mentions', 'sum(mentions) over (partition by week_start)') }} as share_of_voice,
        {{ safe_divide('negative_mentions', 'scored_mentions') }} as negative_share,
        cast(coalesce(items_tracked, 0) as bigint) as items_tracked,
        cast(avg_price_cny as double) as avg_price_cny,
        cast(coalesce(items_price_down, 0) as bigint) as items_price_down,
        cast(coalesce(items_price_up, 0) as bigint) as items_price_up,
        cast(avg_price_change as double) as avg_price_change,
        cast(max_discount as double) as max_discount,
        cast(coalesce(promotions, 0) as bigint) as promotions,
        promotion_texts,
        cast(coalesce(new_creatives, 0) as bigint) as new_creatives,
        cast(coalesce(active_creatives, 0) as bigint) as active_creatives,
        cast(best_app_rank as integer) as best_app_rank,
        cast(avg_app_rank as double) as avg_app_rank,
        cast(app_rank_change as double) as app_rank_change
    from joined

)

select * from final
