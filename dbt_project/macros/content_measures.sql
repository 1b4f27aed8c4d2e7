{#- The published content measures, shared by rpt_content_daily and rpt_content_items so the two grains
    define them once. Expects summed numerators views, completion_views, completed_views, likes, comments,
    shares, favorites, follows_gained, link_clicks, leads, attributed_visits, attributed_signups,
    attributed_orders, attributed_revenue_cny, production_cost_cny, boost_cost_cny, content_cost_cny.
    completion_rate is view-weighted over the item-days that report one; cost_per_lead is NULL without leads
    and, like cac, without cost. -#}
{% macro content_measures() -%}
    cast(views as bigint) as views,
    cast(completion_views as bigint) as completion_views,
    cast(completed_views as double) as completed_views,
    {{ safe_divide('completed_views', 'completion_views') }} as completion_rate,
    cast(likes as bigint) as likes,
    cast(comments as bigint) as comments,
    cast(shares as bigint) as shares,
    cast(favorites as bigint) as favorites,
    cast(likes + comments + shares + favorites as bigint) as engagements,
    {{ safe_divide('likes + comments + shares + favorites', 'views') }} as engagement_rate,
    cast(follows_gained as bigint) as follows_gained,
    cast(link_clicks as bigint) as link_clicks,
    cast(leads as bigint) as leads,
    cast(attributed_visits as bigint) as attributed_visits,
    cast(attributed_signups as bigint) as attributed_signups,
    cast(attributed_orders as bigint) as attributed_orders,
    cast(attributed_revenue_cny as decimal(18, 4)) as attributed_revenue,
    cast(production_cost_cny as decimal(18, 4)) as production_cost,
    cast(boost_cost_cny as decimal(18, 4)) as boost_cost,
    cast(content_cost_cny as decimal(18, 4)) as content_cost,
    {{ safe_divide('nullif(content_cost_cny, 0)', 'leads') }} as cost_per_lead
{%- endmacro %}
