-- Net revenue (CNY, net of refunds) of each monthly acquisition cohort by day since signup (day 0 =
-- signup day, reporting timezone). Only days with revenue have rows. Grain: acquisition_month,
-- channel, day_n.

with

dim_users as (

    select * from {{ ref('dim_users') }}

),

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
    group by dim_users.signup_month, dim_users.channel, fct_orders.days_since_signup

)

select * from final
