-- Signed-up users with their acquisition: first-touch channel (first visit at or before signup), the
-- campaign their signup is last-touch attributed to, their paid-order history and their last active day.
-- Grain: user_id.
-- Incremental: users who signed up on or after the earliest event / signup day landed in the partition window
-- (their first touch and signup attribution can change), users with an order version landed in the window
-- (their order history changes) and users active on those days (their last active day moves).

{%- set landed_orders = ref('stg_app__orders') %}
{%- set changed_inputs = [(ref('stg_app__events'), 'event_date'), (ref('stg_app__users'), 'signup_date')] %}

{{ config(**incremental_by_key('user_id')) }}

with

int_user_activity_daily as (

    select * from {{ ref('int_user_activity_daily') }}
    {% if is_incremental() -%}
        where activity_date >= {{ incremental_changed_from(changed_inputs) }}
    {%- endif %}

),

stg_app__users as (

    select * from {{ ref('stg_app__users') }}
    {% if is_incremental() -%}
        where
            signup_date >= {{ incremental_changed_from(changed_inputs) }}
            or user_id in ({{ users_with_orders_landed(landed_orders) }})
            or user_id in (select user_id from int_user_activity_daily)
    {%- endif %}

),

int_users_first_touch_attributed as (

    select * from {{ ref('int_users_first_touch_attributed') }}

),

int_conversions_last_touch_attributed as (

    select * from {{ ref('int_conversions_last_touch_attributed') }}

),

int_orders_netted as (

    select * from {{ ref('int_orders_netted') }}
    {% if is_incremental() -%}
        where user_id in (select user_id from stg_app__users)
    {%- endif %}

),

channels as (

    select * from {{ ref('channels') }}

),

order_history as (

    select
        user_id,
        count(*) as paid_orders,
        cast(sum(net_revenue_cny) as decimal(18, 4)) as net_revenue_cny,
        min(created_date) as first_order_date,
        min(created_at) as first_ordered_at
    from int_orders_netted
    group by user_id

),

last_activity as (

    select
        user_id,
        max(activity_date) as last_active_date
    from int_user_activity_daily
    group by user_id

),

final as (

    select
        stg_app__users.user_id,
        stg_app__users.anonymous_id,
        first_touch.first_touch_campaign_id,
        signup_touch.campaign_id as signup_campaign_id,
        first_touch.first_touch_channel as channel,
        coalesce(channels.channel_group, 'unmapped') as channel_group,
        stg_app__users.region,
        stg_app__users.city,
        stg_app__users.device,
        coalesce(order_history.paid_orders, 0) as paid_orders,
        coalesce(order_history.net_revenue_cny, 0) as net_revenue_cny,
        order_history.user_id is not null as is_paying,
        stg_app__users.signup_date,
        cast({{ dbt.date_trunc('week', 'stg_app__users.signup_date') }} as date) as signup_week,
        cast({{ dbt.date_trunc('month', 'stg_app__users.signup_date') }} as date) as signup_month,
        order_history.first_order_date,
        {% if is_incremental() -%}
            -- active since the changed days, or as stored
            coalesce(last_activity.last_active_date, stored.last_active_date) as last_active_date,
        {%- else -%}
            last_activity.last_active_date,
        {%- endif %}
        -- UTC
        stg_app__users.signup_at,
        first_touch.first_visited_at,
        order_history.first_ordered_at
    from stg_app__users
    left join int_users_first_touch_attributed as first_touch
        on stg_app__users.user_id = first_touch.user_id
    left join int_conversions_last_touch_attributed as signup_touch
        on
            stg_app__users.user_id = signup_touch.conversion_id
            and signup_touch.conversion_type = 'signup'
    left join order_history
        on stg_app__users.user_id = order_history.user_id
    left join channels
        on first_touch.first_touch_channel = channels.channel
    left join last_activity
        on stg_app__users.user_id = last_activity.user_id
    {% if is_incremental() -%}
        left join {{ this }} as stored
            on stg_app__users.user_id = stored.user_id
    {%- endif %}

)

select
    *,
    {{ built_at() }} as dbt_built_at
from final
