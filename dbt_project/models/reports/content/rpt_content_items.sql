-- Owned content per item over its whole life (every day up to data end): the measures of
-- rpt_content_daily summed per item, ratios recomputed from the summed numerators, and the item's rank
-- among the items of its platform published the same ISO week. Grain: content_id.
-- Ranking: by attributed_signups (conversions through the item's UTM content tag), then leads, then views,
-- all descending; items equal on all three share a rank and the next rank skips (SQL rank()).
-- A table rebuilt each run, not incremental: one row per item, summed from incremental marts.

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

stats as (

    select
        content_id,
        sum(views) as views,
        sum(case when completion_rate is not null then views else 0 end) as completion_views,
        sum(coalesce(views * completion_rate, 0)) as completed_views,
        sum(coalesce(likes, 0)) as likes,
        sum(coalesce(comments, 0)) as comments,
        sum(coalesce(shares, 0)) as shares,
        sum(coalesce(favorites, 0)) as favorites,
        sum(coalesce(follows_gained, 0)) as follows_gained,
        sum(coalesce(link_clicks, 0)) as link_clicks,
        sum(coalesce(leads, 0)) as leads,
        min(stat_date) as first_stat_date,
        max(stat_date) as last_stat_date
    from fct_content_daily
    group by content_id

),

attribution as (

    select
        content_id,
        sum(attributed_visits) as attributed_visits,
        sum(attributed_signups) as attributed_signups,
        sum(attributed_orders) as attributed_orders,
        sum(attributed_revenue_cny) as attributed_revenue_cny
    from fct_content_attribution_daily
    group by content_id

),

costs as (

    select
        content_id,
        sum(production_cost_cny) as production_cost_cny,
        sum(boost_cost_cny) as boost_cost_cny,
        sum(content_cost_cny) as content_cost_cny
    from fct_content_costs_daily
    group by content_id

),

items as (

    select content_id from dim_content
    union
    select content_id from stats
    union
    select content_id from attribution
    union
    select content_id from costs

),

lifetime as (

    select
        items.content_id,
        dim_content.campaign_id,
        dim_content.channel as platform,
        dim_content.content_type,
        dim_content.topic,
        dim_content.title,
        coalesce(stats.views, 0) as views,
        coalesce(stats.completion_views, 0) as completion_views,
        coalesce(stats.completed_views, 0) as completed_views,
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
        coalesce(costs.production_cost_cny, 0) as production_cost_cny,
        coalesce(costs.boost_cost_cny, 0) as boost_cost_cny,
        coalesce(costs.content_cost_cny, 0) as content_cost_cny,
        dim_content.published_date,
        cast({{ dbt.date_trunc('week', 'dim_content.published_date') }} as date) as publish_week,
        stats.first_stat_date,
        stats.last_stat_date
    from items
    left join dim_content
        on items.content_id = dim_content.content_id
    left join stats
        on items.content_id = stats.content_id
    left join attribution
        on items.content_id = attribution.content_id
    left join costs
        on items.content_id = costs.content_id

),

report_rows as (

    select
        content_id,
        campaign_id,
        platform,
        content_type,
        topic,
        title,
        {{ content_measures() }},
        cast(rank() over (
            partition by platform, publish_week
            order by attributed_signups desc, leads desc, views desc
        ) as integer) as rank_in_platform_week,
        cast(count(*) over (partition by platform, publish_week) as integer) as items_in_platform_week,
        boost_cost_cny > 0 as is_boosted,
        published_date,
        publish_week,
        first_stat_date,
        last_stat_date
    from lifetime

),

final as (

    {{ with_code_labels('report_rows', {'platform': 'content_platform'}, campaign_id='campaign_id') }}

)

select * from final
