-- Per campaign and reporting day: visits carrying the campaign's utm_campaign, and the signups, paid
-- orders (first orders among them) and net revenue last-touch attributed to it, counted on the
-- conversion day. Grain: campaign_id, report_date.
-- Incremental: whole days are re-counted (delete+insert by report_date): every day from the earliest event /
-- signup day landed in the partition window on, and the order days of the orders re-netted in this run (a
-- refund changes the net revenue of the day its order was placed). On those older order days only the
-- conversions are recounted; their visits cannot have changed and are kept as stored.

{%- set landed_orders = ref('stg_app__orders') %}
{%- set netted_orders = ref('int_orders_netted') %}
{%- set changed_inputs = [(ref('stg_app__events'), 'event_date'), (ref('stg_app__users'), 'signup_date')] %}

{{ config(materialized='incremental', incremental_strategy='delete+insert', unique_key='report_date') }}

with

int_visits_classified as (

    select * from {{ ref('int_visits_classified') }}

),

int_conversions_last_touch_attributed as (

    select * from {{ ref('int_conversions_last_touch_attributed') }}

),

{% if is_incremental() %}

    changed_days as (

        -- no event or signup landed: no day from here on changed
        select coalesce({{ incremental_changed_from(changed_inputs) }}, cast('9999-12-31' as date)) as first_changed_date

    ),

    reordered_days as (

        select distinct created_date as report_date
        from {{ netted_orders }}
        where user_id in ({{ users_with_orders_landed(landed_orders) }})

    ),

{% endif %}

visits as (

    select
        campaign_id,
        count(*) as visits,
        visit_date as report_date
    from int_visits_classified
    where campaign_id is not null
    {% if is_incremental() -%}
        and visit_date >= (select first_changed_date from changed_days)
    {%- endif %}
    group by campaign_id, visit_date

    {% if is_incremental() %}

        union all

        -- order days before the changed days: visits as stored
        select
            stored.campaign_id,
            stored.visits,
            stored.report_date
        from {{ this }} as stored
        where
            stored.visits > 0
            and stored.report_date in (select report_date from reordered_days)
            and stored.report_date < (select first_changed_date from changed_days)

    {% endif %}

),

events as (

    select
        campaign_id,
        visits,
        0 as is_signup,
        0 as is_order,
        0 as is_first_order,
        cast(0 as decimal(18, 4)) as net_revenue_cny,
        report_date
    from visits

    union all

    select
        campaign_id,
        0 as visits,
        case when conversion_type = 'signup' then 1 else 0 end as is_signup,
        case when conversion_type = 'order' then 1 else 0 end as is_order,
        case when conversion_type = 'order' and is_first_order then 1 else 0 end as is_first_order,
        coalesce(net_revenue_cny, 0) as net_revenue_cny,
        conversion_date as report_date
    from int_conversions_last_touch_attributed
    where is_attributed
    {% if is_incremental() -%}
        and (
            conversion_date >= (select first_changed_date from changed_days)
            or conversion_date in (select report_date from reordered_days)
        )
    {%- endif %}

),

final as (

    select
        campaign_id,
        cast(sum(visits) as bigint) as visits,
        cast(sum(is_signup) as bigint) as attributed_signups,
        cast(sum(is_order) as bigint) as attributed_orders,
        cast(sum(is_first_order) as bigint) as attributed_first_orders,
        cast(sum(net_revenue_cny) as decimal(18, 4)) as attributed_revenue_cny,
        report_date
    from events
    group by campaign_id, report_date

)

select
    *,
    {{ built_at() }} as dbt_built_at
from final
