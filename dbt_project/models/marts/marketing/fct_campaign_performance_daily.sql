-- Per campaign and day: spend (ad + non-ad, CNY), ad delivery, visits, and the signups and orders
-- last-touch attributed to it. Additive numerators only; ratios live in the reports.
-- Grain: campaign_id, report_date.
-- Incremental: whole days (delete+insert by report_date): from the earliest ad / cost / event / signup day
-- landed in the partition window on, and the order days of the orders re-netted in this run.

{%- set landed_orders = ref('stg_app__orders') %}
{%- set netted_orders = ref('int_orders_netted') %}
{%- set changed_inputs = [
    (ref('int_ad_performance_unioned'), 'report_date'),
    (ref('stg_reference__non_ad_costs'), 'cost_date'),
    (ref('stg_app__events'), 'event_date'),
    (ref('stg_app__users'), 'signup_date'),
] %}

{{ config(**incremental_by_day('report_date')) }}

with

{% if is_incremental() %}

    {{ days_to_recount(changed_inputs, landed_orders, netted_orders) }}

{% endif %}

fct_campaign_costs_daily as (

    select * from {{ ref('fct_campaign_costs_daily') }}
    {% if is_incremental() -%}
        where {{ in_days_to_recount('cost_date') }}
    {%- endif %}

),

fct_ad_performance_daily as (

    select * from {{ ref('fct_ad_performance_daily') }}
    {% if is_incremental() -%}
        where {{ in_days_to_recount('report_date') }}
    {%- endif %}

),

int_touch_conversions_daily as (

    select * from {{ ref('int_touch_conversions_daily') }}
    where campaign_id is not null
    {% if is_incremental() -%}
        and {{ in_days_to_recount('report_date') }}
    {%- endif %}

),

dim_campaigns as (

    select * from {{ ref('dim_campaigns') }}

),

campaign_conversions as (

    -- the last-touch conversions of every UTM content tag of the campaign
    select
        campaign_id,
        cast(sum(visits) as bigint) as visits,
        cast(sum(attributed_signups) as bigint) as attributed_signups,
        cast(sum(attributed_orders) as bigint) as attributed_orders,
        cast(sum(attributed_first_orders) as bigint) as attributed_first_orders,
        cast(sum(attributed_revenue_cny) as decimal(18, 4)) as attributed_revenue_cny,
        report_date
    from int_touch_conversions_daily
    group by campaign_id, report_date

),

ads as (

    select
        campaign_id,
        cast(sum(impressions) as bigint) as impressions,
        cast(sum(clicks) as bigint) as clicks,
        cast(sum(platform_conversions) as bigint) as platform_conversions,
        report_date
    from fct_ad_performance_daily
    group by campaign_id, report_date

),

campaign_days as (

    select
        campaign_id,
        cost_date as report_date
    from fct_campaign_costs_daily

    union

    select
        campaign_id,
        report_date
    from ads

    union

    select
        campaign_id,
        report_date
    from campaign_conversions

),

final as (

    select
        campaign_days.campaign_id,
        dim_campaigns.platform,
        dim_campaigns.channel,
        dim_campaigns.campaign_type,
        coalesce(campaign_costs.spend_cny, 0) as spend_cny,
        coalesce(campaign_costs.ad_spend_cny, 0) as ad_spend_cny,
        coalesce(campaign_costs.non_ad_cost_cny, 0) as non_ad_cost_cny,
        coalesce(ads.impressions, 0) as impressions,
        coalesce(ads.clicks, 0) as clicks,
        coalesce(ads.platform_conversions, 0) as platform_conversions,
        coalesce(conversions.visits, 0) as visits,
        coalesce(conversions.attributed_signups, 0) as attributed_signups,
        coalesce(conversions.attributed_orders, 0) as attributed_orders,
        coalesce(conversions.attributed_first_orders, 0) as attributed_first_orders,
        coalesce(conversions.attributed_revenue_cny, 0) as attributed_revenue_cny,
        campaign_days.report_date
    from campaign_days
    left join dim_campaigns
        on campaign_days.campaign_id = dim_campaigns.campaign_id
    left join fct_campaign_costs_daily as campaign_costs
        on
            campaign_days.campaign_id = campaign_costs.campaign_id
            and campaign_days.report_date = campaign_costs.cost_date
    left join ads
        on
            campaign_days.campaign_id = ads.campaign_id
            and campaign_days.report_date = ads.report_date
    left join campaign_conversions as conversions
        on
            campaign_days.campaign_id = conversions.campaign_id
            and campaign_days.report_date = conversions.report_date

)

select
    *,
    {{ built_at() }} as dbt_built_at
from final
