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
