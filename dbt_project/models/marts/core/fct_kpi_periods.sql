-- The user and order numerators of the KPI reports per period: every loaded day, ISO week (Monday) and calendar
-- month of dim_dates. Distinct users (active, paying) are recounted per period, never summed from days.
-- Grain: period (day, week, month), period_start.
-- Incremental: whole periods holding a changed day are recounted (delete+insert by period): the days from the
-- earliest event / signup day landed in the partition window on, and the order days of the orders re-netted in
-- this run. A nightly run recounts a few days, their week and their month, not the history.

{%- set landed_orders = ref('stg_app__orders') %}
{%- set netted_orders = ref('int_orders_netted') %}
{%- set changed_inputs = [(ref('stg_app__events'), 'event_date'), (ref('stg_app__users'), 'signup_date')] %}

{{ config(**incremental_by_day(['period', 'period_start'])) }}

with

dim_dates as (

    select * from {{ ref('dim_dates') }}

),

dim_users as (

    select * from {{ ref('dim_users') }}

),

fct_user_activity_daily as (

    select * from {{ ref('fct_user_activity_daily') }}

),

fct_orders as (

    select * from {{ ref('fct_orders') }}

),

period_days as (

    select
        'day' as period,
        date_day as period_start,
        date_day
    from dim_dates

    union all

    select
        'week' as period,
        week_start as period_start,
        date_day
    from dim_dates

    union all

    select
        'month' as period,
        month_start as period_start,
        date_day
    from dim_dates

),

{% if is_incremental() %}

    {{ days_to_recount(changed_inputs, landed_orders, netted_orders) }}

    changed_periods as (

        select distinct
            period,
            period_start
        from period_days
        where {{ in_days_to_recount('date_day') }}

    ),

{% endif %}

scope as (

    select period_days.*
    from period_days
    {% if is_incremental() -%}
        inner join changed_periods
            on
                period_days.period = changed_periods.period
                and period_days.period_start = changed_periods.period_start
    {%- endif %}

),

signups as (

    select
        scope.period,
        scope.period_start,
        count(*) as new_users
    from dim_users
    inner join scope on dim_users.signup_date = scope.date_day
    group by scope.period, scope.period_start

),

activity as (

    select
        scope.period,
        scope.period_start,
        count(distinct fct_user_activity_daily.user_id) as active_users
    from fct_user_activity_daily
    inner join scope on fct_user_activity_daily.activity_date = scope.date_day
    group by scope.period, scope.period_start

),

orders as (

    select
        scope.period,
        scope.period_start,
        count(distinct fct_orders.user_id) as paying_users,
        count(*) as orders,
        sum(fct_orders.amount_cny) as gmv_cny,
        sum(fct_orders.net_revenue_cny) as net_revenue_cny
    from fct_orders
    inner join scope on fct_orders.created_date = scope.date_day
    group by scope.period, scope.period_start

),

periods as (

    select distinct
        period,
        period_start
    from scope

),

final as (

    select
        periods.period,
        cast(coalesce(signups.new_users, 0) as bigint) as new_users,
        cast(coalesce(activity.active_users, 0) as bigint) as active_users,
        cast(coalesce(orders.paying_users, 0) as bigint) as paying_users,
        cast(coalesce(orders.orders, 0) as bigint) as orders,
        cast(coalesce(orders.gmv_cny, 0) as decimal(18, 4)) as gmv_cny,
        cast(coalesce(orders.net_revenue_cny, 0) as decimal(18, 4)) as net_revenue_cny,
        periods.period_start
    from periods
    left join signups
        on periods.period = signups.period and periods.period_start = signups.period_start
    left join activity
        on periods.period = activity.period and periods.period_start = activity.period_start
    left join orders
        on periods.period = orders.period and periods.period_start = orders.period_start

)

select
    *,
    {{ built_at() }} as dbt_built_at
from final
