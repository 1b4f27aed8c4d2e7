-- Monthly acquisition cohorts per first-touch channel: users who signed up that month (reporting
-- timezone), those whose first paid order came within 30 days (days 0..29 after signup), and the
-- channel's spend that month (ad + non-ad costs by cost day; NULL when the channel spent nothing).
-- Grain: acquisition_month, channel.

with

dim_users as (

    select * from {{ ref('dim_users') }}

),

fct_campaign_costs_daily as (

    select * from {{ ref('fct_campaign_costs_daily') }}

),

users as (

    select
        signup_month as acquisition_month,
        channel,
        count(*) as new_users,
        count(
            case
                when {{ days_between('signup_date', 'first_order_date') }} < 30 then user_id
            end
        ) as new_paying_users
    from dim_users
    group by signup_month, channel

),

spend as (

    select
        cast({{ dbt.date_trunc('month', 'cost_date') }} as date) as acquisition_month,
        channel,
        cast(nullif(sum(spend_cny), 0) as decimal(18, 4)) as spend_cny
    from fct_campaign_costs_daily
    group by {{ dbt.date_trunc('month', 'cost_date') }}, channel

),

final as (

    select
        coalesce(users.acquisition_month, spend.acquisition_month) as acquisition_month,
        coalesce(users.channel, spend.channel) as channel,
        coalesce(users.new_users, 0) as new_users,
        coalesce(users.new_paying_users, 0) as new_paying_users,
        spend.spend_cny
    from users
    full outer join spend
        on
            users.acquisition_month = spend.acquisition_month
            and users.channel = spend.channel

)

select * from final
