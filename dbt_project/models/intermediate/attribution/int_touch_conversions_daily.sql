-- Last-touch conversions by the tags of their touch, per campaign, UTM content tag and reporting day: visits
-- carrying them, and the signups, paid orders (first orders among them) and net revenue whose last-touch visit
-- (int_conversions_last_touch_attributed.touch_event_id, its tag touch_utm_content) carried them, counted on the
-- conversion day.
-- The one count of last-touch conversions: campaign performance sums it per campaign_id, content attribution
-- per owned content item (utm_content = content_id), A/B tests per variant (utm_content = variant_key).
-- Grain: campaign_id, utm_content, report_date; either tag may be NULL, never both (a visit carrying neither
-- is nobody's). A conversion's campaign is its attributed campaign_id.
-- Incremental: whole days are re-counted (delete+insert by report_date): every day from the earliest event /
-- signup day landed in the partition window on, and the order days of the orders re-netted in this run (a
-- refund changes the net revenue of the day its order was placed). On those older order days only the
-- conversions are recounted; their visits cannot have changed and are kept as stored.

{%- set landed_orders = ref('stg_app__orders') %}
{%- set netted_orders = ref('int_orders_netted') %}
{%- set changed_inputs = [(ref('stg_app__events'), 'event_date'), (ref('stg_app__users'), 'signup_date')] %}

{{ config(**incremental_by_day('report_date')) }}

with

int_visits_classified as (

    select * from {{ ref('int_visits_classified') }}
    where campaign_id is not null or utm_content is not null

),

int_conversions_last_touch_attributed as (

    select * from {{ ref('int_conversions_last_touch_attributed') }}

),

{% if is_incremental() %}

    {{ days_to_recount(changed_inputs, landed_orders, netted_orders) }}

{% endif %}

conversions as (

    select * from int_conversions_last_touch_attributed
    where is_attributed
    {% if is_incremental() -%}
        and {{ in_days_to_recount('conversion_date') }}
    {%- endif %}

),

visits as (

    select
        campaign_id,
        utm_content,
        count(*) as visits,
        visit_date as report_date
    from int_visits_classified
    {% if is_incremental() -%}
        where visit_date >= (select first_changed_date from days_to_recount)
    {%- endif %}
    group by campaign_id, utm_content, visit_date

    {% if is_incremental() %}

        union all

        -- order days before the changed days: visits as stored
        select
            stored.campaign_id,
            stored.utm_content,
            stored.visits,
            stored.report_date
        from {{ this }} as stored
        where
            stored.visits > 0
            and stored.report_date in (select report_date from reordered_days)
            and stored.report_date < (select first_changed_date from days_to_recount)

    {% endif %}

),

events as (

    select
        campaign_id,
        utm_content,
        visits,
        0 as is_signup,
        0 as is_order,
        0 as is_first_order,
        cast(0 as decimal(18, 4)) as net_revenue_cny,
        report_date
    from visits

    union all

    select
        conversions.campaign_id,
        conversions.touch_utm_content as utm_content,
        0 as visits,
        case when conversions.conversion_type = 'signup' then 1 else 0 end as is_signup,
        case when conversions.conversion_type = 'order' then 1 else 0 end as is_order,
        case when conversions.conversion_type = 'order' and conversions.is_first_order then 1 else 0 end
            as is_first_order,
        coalesce(conversions.net_revenue_cny, 0) as net_revenue_cny,
        conversions.conversion_date as report_date
    from conversions

),

final as (

    select
        campaign_id,
        utm_content,
        cast(sum(visits) as bigint) as visits,
        cast(sum(is_signup) as bigint) as attributed_signups,
        cast(sum(is_order) as bigint) as attributed_orders,
        cast(sum(is_first_order) as bigint) as attributed_first_orders,
        cast(sum(net_revenue_cny) as decimal(18, 4)) as attributed_revenue_cny,
        report_date
    from events
    group by campaign_id, utm_content, report_date

)

select
    *,
    {{ built_at() }} as dbt_built_at
from final
