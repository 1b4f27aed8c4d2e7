{#- The published campaign measures, shared by rpt_campaign_roi_daily and rpt_campaign_roi so the two
    grains define them once. Cost ratios (cpc, cpm, cpa) are NULL without spend, like cac. Expects summed numerators spend_cny, impressions, clicks,
    platform_conversions, visits, attributed_signups, attributed_orders, attributed_revenue_cny,
    ad_spend_cny, non_ad_cost_cny. -#}
{% macro campaign_roi_measures() -%}
    cast(spend_cny as decimal(18, 4)) as spend,
    cast(ad_spend_cny as decimal(18, 4)) as ad_spend,
    cast(non_ad_cost_cny as decimal(18, 4)) as non_ad_cost,
    cast(impressions as bigint) as impressions,
    cast(clicks as bigint) as clicks,
    {{ safe_divide('clicks', 'impressions') }} as ctr,
    {{ safe_divide('nullif(spend_cny, 0)', 'clicks') }} as cpc,
    {{ safe_divide('nullif(spend_cny, 0) * 1000', 'impressions') }} as cpm,
    cast(platform_conversions as bigint) as platform_conversions,
    cast(visits as bigint) as visits,
    cast(attributed_signups as bigint) as attributed_signups,
    cast(attributed_orders as bigint) as attributed_orders,
    cast(attributed_revenue_cny as decimal(18, 4)) as attributed_revenue,
    {{ safe_divide('attributed_orders', 'clicks') }} as cvr,
    {{ safe_divide('nullif(spend_cny, 0)', 'attributed_orders') }} as cpa,
    {{ safe_divide('attributed_revenue_cny', 'spend_cny') }} as roas,
    {{ safe_divide('attributed_revenue_cny - spend_cny', 'spend_cny') }} as roi
{%- endmacro %}


{#- The numerators campaign_roi_measures expects, summed over a group of fct_campaign_performance_daily rows (a
    campaign's life in rpt_campaign_roi, a channel's day in fct_kpi_anomalies): one list, so a new measure's
    numerator is added once. -#}
{% macro campaign_roi_numerators() -%}
    sum(spend_cny) as spend_cny,
    sum(ad_spend_cny) as ad_spend_cny,
    sum(non_ad_cost_cny) as non_ad_cost_cny,
    sum(impressions) as impressions,
    sum(clicks) as clicks,
    sum(platform_conversions) as platform_conversions,
    sum(visits) as visits,
    sum(attributed_signups) as attributed_signups,
    sum(attributed_orders) as attributed_orders,
    sum(attributed_revenue_cny) as attributed_revenue_cny
{%- endmacro %}
