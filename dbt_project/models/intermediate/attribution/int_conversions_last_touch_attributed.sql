-- Last-touch click attribution: every signup and every paid order goes to the campaign of the person's
-- most recent campaign visit (a visit whose utm_campaign is in the registry) at most
-- var('attribution_lookback_days') days before the conversion; none -> campaign_id is NULL.
-- Grain: conversion_type, conversion_id.

with

stg_app__users as (

    select * from {{ ref('stg_app__users') }}

),

int_orders_netted as (

    select * from {{ ref('int_orders_netted') }}

),

int_visits_classified as (

    select * from {{ ref('int_visits_classified') }}

),

conversions as (

    select
        'signup' as conversion_type,
        user_id as conversion_id,
        user_id,
        false as is_first_order,
        cast(null as decimal(18, 4)) as net_revenue_cny,
        signup_date as conversion_date,
        signup_at as converted_at
    from stg_app__users

    union all

    select
        'order' as conversion_type,
        order_id as conversion_id,
        user_id,
        order_sequence = 1 as is_first_order,
        net_revenue_cny,
        created_date as conversion_date,
        created_at as converted_at
    from int_orders_netted

),

touches as (

    select
        conversions.conversion_type,
        conversions.conversion_id,
        int_visits_classified.event_id,
        int_visits_classified.campaign_id,
        int_visits_classified.visited_at,
        row_number() over (
            partition by conversions.conversion_type, conversions.conversion_id
            order by int_visits_classified.visited_at desc, int_visits_classified.event_id desc
        ) as touch_rank
    from conversions
    inner join int_visits_classified
        on
            conversions.user_id = int_visits_classified.user_id
            and conversions.converted_at >= int_visits_classified.visited_at
            and {{ dbt.dateadd('day', -var('attribution_lookback_days'), 'conversions.converted_at') }}
            <= int_visits_classified.visited_at
    where int_visits_classified.campaign_id is not null

),

final as (

    select
        conversions.conversion_id,
        conversions.user_id,
        touches.campaign_id,
        touches.event_id as touch_event_id,
        conversions.conversion_type,
        conversions.net_revenue_cny,
        conversions.is_first_order,
        touches.campaign_id is not null as is_attributed,
        conversions.conversion_date,
        -- UTC
        conversions.converted_at,
        touches.visited_at as touched_at
    from conversions
    left join touches
        on
            conversions.conversion_type = touches.conversion_type
            and conversions.conversion_id = touches.conversion_id
            and touches.touch_rank = 1

)

select * from final
