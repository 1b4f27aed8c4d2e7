-- Last-touch click attribution: every signup and every paid order goes to the campaign of the person's
-- most recent campaign visit (a visit whose utm_campaign is in the registry) at most
-- var('attribution_lookback_days') days before the conversion; none -> campaign_id is NULL.
-- Grain: conversion_type, conversion_id.
-- Incremental: conversions on or after the earliest event / signup day landed in the partition window are
-- re-attributed (a late visit or a new stitching only changes touches after it); orders re-netted by
-- int_orders_netted (a refund, a re-numbered sequence) are refreshed with their stored touch, which older
-- visits alone decide.

{%- set landed_orders = ref('stg_app__orders') %}
{%- set changed_inputs = [(ref('stg_app__events'), 'event_date'), (ref('stg_app__users'), 'signup_date')] %}

{{ config(**incremental_by_key(['conversion_type', 'conversion_id'], 'conversion_date')) }}

with

stg_app__users as (

    select * from {{ ref('stg_app__users') }}
    {% if is_incremental() -%}
        where signup_date >= {{ incremental_changed_from(changed_inputs) }}
    {%- endif %}

),

int_orders_netted as (

    select * from {{ ref('int_orders_netted') }}
    {% if is_incremental() -%}
        where
            created_date >= {{ incremental_changed_from(changed_inputs) }}
            or user_id in ({{ users_with_orders_landed(landed_orders) }})
    {%- endif %}

),

int_visits_classified as (

    select * from {{ ref('int_visits_classified') }}

),

conversions as (

    {{ signup_and_order_conversions('stg_app__users', 'int_orders_netted') }}

),

{% if is_incremental() %}

    stored as (

        select * from {{ this }}
        where conversion_type = 'order' and conversion_id in (select order_id from int_orders_netted)

    ),

{% endif %}

to_attribute as (

    select * from conversions
    {% if is_incremental() -%}
        where
            conversion_date >= {{ incremental_changed_from(changed_inputs) }}
            or (conversion_type = 'order' and conversion_id not in (select conversion_id from stored))
    {%- endif %}

),

campaign_visits as (

    select * from int_visits_classified
    where campaign_id is not null
    {% if is_incremental() -%}
        -- the touches of the conversions re-attributed here (a day more for the timezone's edges)
        and visit_date >= (
            select
                cast({{ dbt.dateadd('day', -(var('attribution_lookback_days') + 1), 'min(conversion_date)') }}
                    as date)
            from to_attribute
        )
    {%- endif %}

),

touches as (

    select
        to_attribute.conversion_type,
        to_attribute.conversion_id,
        campaign_visits.event_id,
        campaign_visits.campaign_id,
        campaign_visits.utm_content,
        campaign_visits.visited_at,
        row_number() over (
            partition by to_attribute.conversion_type, to_attribute.conversion_id
            order by campaign_visits.visited_at desc, campaign_visits.event_id desc
        ) as touch_rank
    from to_attribute
    inner join campaign_visits
        on
            to_attribute.user_id = campaign_visits.user_id
            and to_attribute.converted_at >= campaign_visits.visited_at
            and {{ dbt.dateadd('day', -var('attribution_lookback_days'), 'to_attribute.converted_at') }}
            <= campaign_visits.visited_at

),

final as (

    select
        to_attribute.conversion_id,
        to_attribute.user_id,
        touches.campaign_id,
        touches.event_id as touch_event_id,
        touches.utm_content as touch_utm_content,
        to_attribute.conversion_type,
        to_attribute.net_revenue_cny,
        to_attribute.is_first_order,
        touches.campaign_id is not null as is_attributed,
        to_attribute.conversion_date,
        -- UTC
        to_attribute.converted_at,
        touches.visited_at as touched_at
    from to_attribute
    left join touches
        on
            to_attribute.conversion_type = touches.conversion_type
            and to_attribute.conversion_id = touches.conversion_id
            and touches.touch_rank = 1

    {% if is_incremental() %}

        union all

        -- orders re-netted before the changed days: new amounts, the stored touch
        select
            conversions.conversion_id,
            conversions.user_id,
            stored.campaign_id,
            stored.touch_event_id,
            stored.touch_utm_content,
            conversions.conversion_type,
            conversions.net_revenue_cny,
            conversions.is_first_order,
            stored.is_attributed,
            conversions.conversion_date,
            conversions.converted_at,
            stored.touched_at
        from conversions
        inner join stored
            on
                conversions.conversion_type = stored.conversion_type
                and conversions.conversion_id = stored.conversion_id
        where conversions.conversion_id not in (
            select conversion_id from to_attribute where conversion_type = 'order'
        )

    {% endif %}

)

select
    *,
    {{ built_at() }} as dbt_built_at
from final
-- kept in day order, so a nightly run's day filters skip the older row groups
order by conversion_date
