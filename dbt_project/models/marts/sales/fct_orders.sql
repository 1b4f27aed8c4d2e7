-- Paid orders net of refunds, in CNY at the order day's rate, with the buyer's acquisition and the
-- campaign the order is last-touch attributed to. Grain: order_id.
-- Incremental: the orders int_orders_netted re-netted in this run, and every order placed on or after the
-- earliest event / signup day landed in the partition window (their attribution, or their buyer's first-touch
-- channel, can change).

{%- set landed_orders = ref('stg_app__orders') %}
{%- set changed_inputs = [(ref('stg_app__events'), 'event_date'), (ref('stg_app__users'), 'signup_date')] %}

{{ config(**incremental_by_key('order_id', 'created_date')) }}

with

int_orders_netted as (

    select * from {{ ref('int_orders_netted') }}
    {% if is_incremental() -%}
        where
            created_date >= {{ incremental_changed_from(changed_inputs) }}
            or user_id in ({{ users_with_orders_landed(landed_orders) }})
    {%- endif %}

),

int_conversions_last_touch_attributed as (

    select * from {{ ref('int_conversions_last_touch_attributed') }}

),

dim_users as (

    select * from {{ ref('dim_users') }}

),

joined as (

    select
        orders.order_id,
        orders.user_id,
        attributed.campaign_id as attributed_campaign_id,
        orders.status,
        orders.currency,
        dim_users.channel as user_channel,
        orders.coupon_code,
        orders.order_sequence,
        orders.amount_original,
        orders.refund_amount_original,
        orders.amount_cny,
        orders.refund_amount_cny,
        orders.net_revenue_cny,
        orders.order_sequence = 1 as is_first_order,
        orders.is_refunded,
        orders.is_cancelled,
        orders.has_refund,
        orders.created_date,
        orders.refunded_date,
        dim_users.signup_date,
        -- UTC
        orders.created_at,
        orders.refunded_at
    from int_orders_netted as orders
    left join dim_users
        on orders.user_id = dim_users.user_id
    left join int_conversions_last_touch_attributed as attributed
        on
            orders.order_id = attributed.conversion_id
            and attributed.conversion_type = 'order'

),

final as (

    select
        order_id,
        user_id,
        attributed_campaign_id,
        status,
        currency,
        user_channel,
        coupon_code,
        order_sequence,
        {{ days_between('signup_date', 'created_date') }} as days_since_signup,
        amount_original,
        refund_amount_original,
        amount_cny,
        refund_amount_cny,
        net_revenue_cny,
        is_first_order,
        is_refunded,
        is_cancelled,
        has_refund,
        created_date,
        refunded_date,
        signup_date,
        created_at,
        refunded_at
    from joined

)

select
    *,
    {{ built_at() }} as dbt_built_at
from final
-- kept in day order, so a nightly run's day filters skip the older row groups
order by created_date
