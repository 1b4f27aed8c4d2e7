-- Net revenue (CNY, net of refunds) of each monthly acquisition cohort by day since signup (day 0 =
-- signup day, reporting timezone). Only days with revenue have rows. Grain: acquisition_month,
-- channel, day_n.
-- Incremental: whole acquisition months (delete+insert by acquisition_month): the months from the earliest
-- event / signup day landed in the partition window on (new users, first-touch channels that can still
-- change), and the signup months of users whose orders were re-netted in this run (a refund lowers the
-- revenue of the buyer's cohort).

{%- set landed_orders = ref('stg_app__orders') %}
{%- set changed_inputs = [(ref('stg_app__events'), 'event_date'), (ref('stg_app__users'), 'signup_date')] %}

{{ config(**incremental_by_day('acquisition_month')) }}

with

dim_users as (

    select * from {{ ref('dim_users') }}

),

{% if is_incremental() %}

    changed_months as (

        select
            cast({{ dbt.date_trunc('month', incremental_changed_from(changed_inputs)) }} as date) as first_changed_month

    ),

    reordered_months as (

        select distinct signup_month from dim_users
        where user_id in ({{ users_with_orders_landed(landed_orders) }})

    ),

{% endif %}

fct_orders as (

    select * from {{ ref('fct_orders') }}

),

final as (

    select
        dim_users.signup_month as acquisition_month,
        dim_users.channel,
        fct_orders.days_since_signup as day_n,
        count(*) as orders,
        cast(sum(fct_orders.net_revenue_cny) as decimal(18, 4)) as net_revenue_cny
    from fct_orders
    inner join dim_users
        on fct_orders.user_id = dim_users.user_id
    where fct_orders.days_since_signup >= 0
    {% if is_incremental() -%}
        and (
            dim_users.signup_month >= (select first_changed_month from changed_months)
            or dim_users.signup_month in (select signup_month from reordered_months)
        )
    {%- endif %}
    group by dim_users.signup_month, dim_users.channel, fct_orders.days_since_signup

)

select
    *,
    {{ built_at() }} as dbt_built_at
from final
