-- Multi-touch attributed conversions per conversion day, touch channel and attribution model: the sum of the
-- touches' credits (orders, signups) and revenue credits (CNY) from int_conversion_touch_credits. A row exists
-- where the channel has a non-zero credit that day under that model. Grain: conversion_date, channel,
-- attribution_model.
-- Incremental: whole conversion days are re-summed (delete+insert by conversion_date): every day from the
-- earliest event / signup day landed in the partition window on, and the order days of the orders re-netted
-- in this run (a refund changes the revenue credits of the day its order was placed).

{%- set landed_orders = ref('stg_app__orders') %}
{%- set netted_orders = ref('int_orders_netted') %}
{%- set changed_inputs = [(ref('stg_app__events'), 'event_date'), (ref('stg_app__users'), 'signup_date')] %}

{{ config(**incremental_by_day('conversion_date')) }}

with

int_conversion_touch_credits as (

    select * from {{ ref('int_conversion_touch_credits') }}
    {% if is_incremental() -%}
        where
            conversion_date >= coalesce({{ incremental_changed_from(changed_inputs) }}, cast('9999-12-31' as date))
            or conversion_date in (
                select netted.created_date from {{ netted_orders }} as netted
                where netted.user_id in ({{ users_with_orders_landed(landed_orders) }})
            )
    {%- endif %}

),

credits as (

    {%- for model in attribution_models() %}

        select
            channel,
            '{{ model }}' as attribution_model,
            conversion_type,
            {{ model }}_credit as credit,
            {{ model }}_revenue_cny as revenue_credit_cny,
            conversion_date
        from int_conversion_touch_credits
        where {{ model }}_credit > 0
        {% if not loop.last %}union all{% endif %}
    {%- endfor %}

),

final as (

    select
        channel,
        attribution_model,
        cast(
            sum(case when conversion_type = 'order' then credit else 0 end) as decimal(18, 6)
        ) as attributed_orders,
        cast(
            sum(case when conversion_type = 'order' then revenue_credit_cny else 0 end) as decimal(18, 4)
        ) as attributed_revenue_cny,
        cast(
            sum(case when conversion_type = 'signup' then credit else 0 end) as decimal(18, 6)
        ) as attributed_signups,
        conversion_date
    from credits
    group by conversion_date, channel, attribution_model

)

select
    *,
    {{ built_at() }} as dbt_built_at
from final
