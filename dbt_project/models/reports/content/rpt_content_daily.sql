-- Owned content per day and item: attention (views, completion, engagement), what it drove (follows, link
-- clicks, leads, and visits, signups, orders and revenue through its UTM content tag, last touch) and what
-- it cost (production + paid boosts, CNY). Grain: report_date, content_id.
-- A table rebuilt each run, not incremental: it only joins three incremental marts at item-day grain
-- (about 14 stat days per item, ~10k rows in the 200-day demo), which costs less than tracking changed days.

with

fct_content_daily as (

    select * from {{ ref('fct_content_daily') }}

),

fct_content_attribution_daily as (

    select * from {{ ref('fct_content_attribution_daily') }}

),

fct_content_costs_daily as (

    select * from {{ ref('fct_content_costs_daily') }}

),

dim_content as (

    select * from {{ ref('dim_content') }}

),

item_days as (

    select
        content_id,
        stat_date as report_date
    from fct_content_daily

    union

    select
        content_id,
        report_date
    from fct_content_attribution_daily

    union

    select
        content_id,
        cost_date as report_date
    from fct_content_costs_daily

),

daily as (

    select
        item_days.content_id,
        coalesce(stats.views, 0) as views,
        case when stats.completion_rate is not null then stats.views else 0 end as completion_views,
        coalesce(stats.views * stats.completion_rate, 0) as completed_views,
        coalesce(stats.likes, 0) as likes,
        coalesce(stats.comments, 0) as comments,
        coalesce(stats.shares, 0) as shares,
        coalesce(stats.favorites, 0) as favorites,
        coalesce(stats.follows_gained, 0) as follows_gained,
        coalesce(stats.link_clicks, 0) as link_clicks,
        coalesce(stats.leads, 0) as leads,
        coalesce(attribution.attributed_visits, 0) as attributed_visits,
        coalesce(attribution.attributed_signups, 0) as attributed_signups,
        coalesce(attribution.attributed_orders, 0) as attributed_orders,
        coalesce(attribution.attributed_revenue_cny, 0) as attributed_revenue_cny,
        coalesce(item_costs.production_cost_cny, 0) as production_cost_cny,
        coalesce(item_costs.boost_cost_cny, 0) as boost_cost_cny,
        coalesce(item_costs.content_cost_cny, 0) as content_cost_cny,
        item_days.report_date
    from item_days
    left join fct_content_daily as stats
        on
            item_days.content_id = stats.content_id
            and item_days.report_date = stats.stat_date
    left join fct_content_attribution_daily as attribution
        on
            item_days.content_id = attribution.content_id
            and item_days.report_date = attribution.report_date
    left join fct_content_costs_daily as item_costs
        on
            item_days.content_id = item_costs.content_id
            and item_days.report_date = item_costs.cost_date

),

report_rows as (

    select
        daily.report_date,
        daily.content_id,
        dim_content.campaign_id,
        dim_content.channel as platform,
        dim_content.content_type,
        dim_content.topic,
        {{ content_measures() }},
        cast({{ days_between('dim_content.published_date', 'daily.report_date') }} as integer)
            as days_since_publication,
        dim_content.published_date
    from daily
    left join dim_content
        on daily.content_id = dim_content.content_id

),

final as (

    {{ with_code_labels('report_rows', {'platform': 'content_platform'}, campaign_id='campaign_id') }}

)

select * from final
