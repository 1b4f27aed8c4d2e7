-- Competitors' tracked listings per ISO week (Monday start, Beijing days of observed_at): how many listings were
-- read, their price level and change against the week before, the deepest discount and the promotions shown.
-- A listing is (shop_platform, item_id); its week price is the last one read in the week, and its change is
-- against its last price of the previous week only (a listing not read that week has no change). Reads after
-- data end (dim_dates) have not happened yet. Grain: competitor, week_start (weeks with at least one observation).

with

stg_competitor__prices as (

    select * from {{ ref('stg_competitor__prices') }}

),

dim_dates as (

    select * from {{ ref('dim_dates') }}

),

observations as (

    select
        competitor,
        shop_platform,
        item_id,
        -- an empty promotion box is no promotion
        nullif(trim(promotion_text), '') as promotion_text,
        price_cny,
        -- 1 - price / list price; a page without a crossed-out list price shows no discount
        coalesce(1 - {{ safe_divide('price_cny', 'list_price_cny') }}, 0) as discount,
        cast({{ dbt.date_trunc('week', 'observed_date') }} as date) as week_start,
        observed_at
    from stg_competitor__prices
    where observed_date <= (select max(dim_dates.date_day) from dim_dates)

),

last_reads as (

    select
        *,
        row_number() over (
            partition by shop_platform, item_id, week_start order by observed_at desc
        ) as read_rank
    from observations

),

item_weeks as (

    select
        competitor,
        shop_platform,
        item_id,
        price_cny,
        week_start
    from last_reads
    where read_rank = 1

),

item_changes as (

    select
        this_week.competitor,
        this_week.price_cny,
        previous_week.price_cny as previous_price_cny,
        {{ safe_divide('this_week.price_cny - previous_week.price_cny', 'previous_week.price_cny') }}
            as price_change,
        this_week.week_start
    from item_weeks as this_week
    left join item_weeks as previous_week
        on
            this_week.shop_platform = previous_week.shop_platform
            and this_week.item_id = previous_week.item_id
            and previous_week.week_start = cast({{ dbt.dateadd('day', -7, 'this_week.week_start') }} as date)

),

item_measures as (

    select
        competitor,
        week_start,
        count(*) as items_tracked,
        avg(cast(price_cny as double)) as avg_price_cny,
        count(case when price_cny < previous_price_cny then 1 end) as items_price_down,
        count(case when price_cny > previous_price_cny then 1 end) as items_price_up,
        -- mean over the listings read in both weeks (avg skips the others' NULL)
        avg(price_change) as avg_price_change
    from item_changes
    group by competitor, week_start

),

promotion_texts as (

    select distinct
        competitor,
        week_start,
        promotion_text
    from observations
    where promotion_text is not null

),

promotions as (

    select
        competitor,
        week_start,
        count(*) as promotions,
        {{ dbt.listagg('promotion_text', "'；'", 'order by promotion_text') }} as promotion_texts
    from promotion_texts
    group by competitor, week_start

),

discounts as (

    select
        competitor,
        week_start,
        max(discount) as max_discount
    from observations
    group by competitor, week_start

),

final as (

    select
        item_measures.competitor,
        promotions.promotion_texts,
        item_measures.items_tracked,
        item_measures.avg_price_cny,
        item_measures.items_price_down,
        item_measures.items_price_up,
        item_measures.avg_price_change,
        discounts.max_discount,
        coalesce(promotions.promotions, 0) as promotions,
        item_measures.week_start
    from item_measures
    inner join discounts
        on
            item_measures.competitor = discounts.competitor
            and item_measures.week_start = discounts.week_start
    left join promotions
        on
            item_measures.competitor = promotions.competitor
            and item_measures.week_start = promotions.week_start

)

select * from final
