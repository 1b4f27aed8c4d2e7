-- Multi-touch attribution credits: every signup and paid order with each visit (session start) of the same
-- user at most var('mta_lookback_days') days before it, and the touch's share of the conversion under five
-- models: last_touch, first_touch, linear, position_based (40/20/40) and time_decay (weight
-- 2^(-age / var('mta_half_life_days')), age in fractional days before the conversion). Grain: conversion_type,
-- conversion_id, touch_number (touches of a conversion numbered 1.. by visited_at, event_id).
-- The credited path: with var('mta_ignore_direct_last_touch') the direct (channel 'organic', no UTM) touches
-- after the conversion's last non-direct touch are dropped from the path in every model (so direct is never the
-- last touch unless every touch is direct); they stay as rows with credit 0 and is_credited false. Direct touches
-- earlier in the path keep their credit. A conversion without any visit in the window gets one touchless row
-- (touch_event_id NULL, channel 'organic') holding all credit, so every model attributes every conversion.
-- Exactness: each credit is a decimal(18, 6) and each revenue credit a decimal(18, 4), rounded per touch; the
-- path's last credited touch takes the residual (1 - the others, net revenue - the others), so per conversion
-- and model the credits sum to exactly 1 and the revenue credits to exactly the net revenue (0 for signups).
-- Incremental: as int_conversions_last_touch_attributed: conversions on or after the earliest event / signup day
-- landed in the partition window are re-attributed; orders re-netted before that keep their stored touches and
-- credits, and only their revenue credits are recomputed from the new net revenue.

{%- set landed_orders = ref('stg_app__orders') %}
{%- set changed_inputs = [(ref('stg_app__events'), 'event_date'), (ref('stg_app__users'), 'signup_date')] %}
{%- set lookback_days = var('mta_lookback_days') %}
{%- set models = attribution_models() %}
{%- if var('mta_ignore_direct_last_touch') %}
    {%- set path_length = 'coalesce(last_non_direct_number, touch_count)' %}
{%- else %}
    {%- set path_length = 'touch_count' %}
{%- endif %}

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

    {{ signup_and_order_conversions('stg_app__users', 'int_orders_netted', signup_revenue='0') }}

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

visits as (

    select
        event_id,
        user_id,
        channel,
        campaign_id,
        visited_at
    from int_visits_classified
    where user_id is not null
    {% if is_incremental() -%}
        -- the touches of the conversions re-attributed here (a day more for the timezone's edges)
        and visit_date >= (
            select cast({{ dbt.dateadd('day', -(lookback_days + 1), 'min(conversion_date)') }} as date)
            from to_attribute
        )
    {%- endif %}

),

touches as (

    select
        to_attribute.conversion_type,
        to_attribute.conversion_id,
        to_attribute.user_id,
        visits.event_id as touch_event_id,
        coalesce(visits.channel, 'organic') as channel,
        visits.campaign_id,
        to_attribute.net_revenue_cny,
        -- fractional days from the touch to the conversion (0 for a touchless conversion)
        coalesce(
            {{ seconds_between('visits.visited_at', 'to_attribute.converted_at') }} / 86400.0, 0
        ) as touch_age_days,
        row_number() over (
            partition by to_attribute.conversion_type, to_attribute.conversion_id
            order by visits.visited_at, visits.event_id
        ) as touch_number,
        count(*) over (
            partition by to_attribute.conversion_type, to_attribute.conversion_id
        ) as touch_count,
        coalesce(visits.channel, 'organic') = 'organic' as is_direct,
        visits.event_id is not null as has_touch,
        to_attribute.is_first_order,
        to_attribute.conversion_date,
        -- UTC
        to_attribute.converted_at,
        visits.visited_at as touched_at
    from to_attribute
    left join visits
        on
            to_attribute.user_id = visits.user_id
            and to_attribute.converted_at >= visits.visited_at
            and {{ dbt.dateadd('day', -lookback_days, 'to_attribute.converted_at') }} <= visits.visited_at

),

paths as (

    select
        *,
        max(case when not is_direct then touch_number end) over (
            partition by conversion_type, conversion_id
        ) as last_non_direct_number
    from touches

),

path_lengths as (

    -- touches credited: 1..path_length (the direct touches dropped are always a suffix of the path)
    select
        *,
        {{ path_length }} as path_length
    from paths

),

weights as (

    select
        *,
        case when touch_number = path_length then 1.0 else 0.0 end as last_touch_weight,
        case when touch_number = 1 then 1.0 else 0.0 end as first_touch_weight,
        case when touch_number <= path_length then 1.0 / path_length else 0.0 end as linear_weight,
        case
            when touch_number > path_length then 0.0
            when path_length = 1 then 1.0
            when path_length = 2 then 0.5
            when touch_number = 1 or touch_number = path_length then 0.4
            else 0.2 / (path_length - 2)
        end as position_based_weight,
        case
            when touch_number <= path_length
                then power(2.0, -touch_age_days / {{ var('mta_half_life_days') }})
            else 0.0
        end as time_decay_raw
    from path_lengths

),

normalized as (

    select
        *,
        time_decay_raw / sum(time_decay_raw) over (partition by conversion_type, conversion_id) as time_decay_weight
    from weights

),

rounded as (

    select
        *,
        {%- for model in models %}
            cast(round({{ model }}_weight, 6) as decimal(18, 6)) as {{ model }}_rounded,
        {%- endfor %}
        touch_number <= path_length as is_credited,
        touch_number = path_length as is_path_end
    from normalized

),

credited as (

    -- the path end takes the residual: the credits of a conversion sum to exactly 1
    select
        conversion_type,
        conversion_id,
        user_id,
        touch_event_id,
        channel,
        campaign_id,
        touch_number,
        path_length,
        net_revenue_cny,
        touch_age_days,
        {%- for model in models %}
            {{ residual_at_path_end('1', model ~ '_rounded', 'decimal(18, 6)') }} as {{ model }}_credit,
        {%- endfor %}
        is_direct,
        has_touch,
        is_credited,
        is_path_end,
        is_first_order,
        conversion_date,
        converted_at,
        touched_at
    from rounded

),

all_credited as (

    select * from credited

    {% if is_incremental() %}

        union all

        -- orders re-netted before the changed days: the stored touches and credits, the new amounts
        select
            stored.conversion_type,
            stored.conversion_id,
            stored.user_id,
            stored.touch_event_id,
            stored.channel,
            stored.campaign_id,
            stored.touch_number,
            stored.path_length,
            conversions.net_revenue_cny,
            stored.touch_age_days,
            {%- for model in models %}
                stored.{{ model }}_credit,
            {%- endfor %}
            stored.is_direct,
            stored.has_touch,
            stored.is_credited,
            stored.is_path_end,
            conversions.is_first_order,
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

),

revenue_rounded as (

    select
        {%- for model in models %}
            cast(round(net_revenue_cny * {{ model }}_credit, 4) as decimal(18, 4)) as {{ model }}_revenue_rounded,
        {%- endfor %}
        *
    from all_credited

),

final as (

    -- the path end takes the revenue residual: revenue credits sum to exactly the net revenue
    select
        conversion_type,
        conversion_id,
        user_id,
        touch_event_id,
        channel,
        campaign_id,
        touch_number,
        path_length,
        net_revenue_cny,
        touch_age_days,
        {%- for model in models %}
            {{ model }}_credit,
        {%- endfor %}
        {%- for model in models %}
            {{ residual_at_path_end('net_revenue_cny', model ~ '_revenue_rounded', 'decimal(18, 4)') }}
                as {{ model }}_revenue_cny,
        {%- endfor %}
        is_direct,
        has_touch,
        is_credited,
        is_path_end,
        is_first_order,
        conversion_date,
        -- UTC
        converted_at,
        touched_at
    from revenue_rounded

)

select
    *,
    {{ built_at() }} as dbt_built_at
from final
-- kept in day order, so a nightly run's day filters skip the older row groups
order by conversion_date
