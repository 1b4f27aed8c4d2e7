-- One row per signed-up user as of data end: RFM (recency, frequency, monetary) over their paid orders net of
-- refunds, quintile scores 1..5, the value tier with its suggested CRM action, this week's lifecycle state,
-- acquisition channel and activity dates: the list a CRM or push tool imports for targeted recalls.
-- Purchases: orders in fct_orders created by data end that keep revenue after refunds (a fully refunded or
-- cancelled-after-payment order is not a purchase; a partial refund only lowers monetary).
-- Scores among buyers only (n = buyers): score = 1 + floor(5 * (rank - 1) / n), rank = rank() ascending, so ties
-- share the lower rank; recency ranks the last order day ascending, so the most recent buyers score 5.
-- Tiers in order: new (signed up < var('segment_new_user_days') days before data end), never_purchased,
-- high_value (R, F, M >= 4), loyal (R >= 3, F >= 3), at_risk (R <= 2 and F >= 3 or M >= 4), potential (R >= 3),
-- hibernating (the rest). Grain: user_id.
-- The body of rpt_user_segments (which adds the channel's labels) and of the recall recommendation
-- (rpt_recommendations): the one definition of the value tiers.
-- A full table on purpose: recency and every quintile move with data end and with every other buyer, so each
-- night re-scores every user (O(users), one pass).

{%- set new_days = var('segment_new_user_days') | int %}

with

dim_users as (

    select * from {{ ref('dim_users') }}

),

fct_orders as (

    select * from {{ ref('fct_orders') }}

),

fct_user_lifecycle_weekly as (

    select * from {{ ref('fct_user_lifecycle_weekly') }}

),

segment_actions as (

    select * from {{ ref('segment_actions') }}

),

dim_dates as (

    select * from {{ ref('dim_dates') }}

),

data_end as (

    select
        max(date_day) as data_end_date,
        max(week_start) as data_end_week,
        cast({{ dbt.dateadd('day', -7, 'max(week_start)') }} as date) as previous_week
    from dim_dates

),

purchases as (

    select
        fct_orders.user_id,
        count(case when fct_orders.net_revenue_cny > 0 then fct_orders.order_id end) as frequency,
        cast(sum(fct_orders.net_revenue_cny) as decimal(18, 4)) as monetary_cny,
        max(case when fct_orders.net_revenue_cny > 0 then fct_orders.created_date end) as last_order_date
    from fct_orders
    cross join data_end
    where fct_orders.created_date <= data_end.data_end_date
    group by fct_orders.user_id

),

buyers as (

    select
        *,
        count(*) over () as buyers,
        rank() over (order by last_order_date) as recency_rank,
        rank() over (order by frequency) as frequency_rank,
        rank() over (order by monetary_cny) as monetary_rank
    from purchases
    where frequency > 0

),

scored as (

    select
        user_id,
        cast(1 + floor(5 * (recency_rank - 1) / cast(buyers as {{ dbt.type_float() }})) as integer) as r_score,
        cast(1 + floor(5 * (frequency_rank - 1) / cast(buyers as {{ dbt.type_float() }})) as integer) as f_score,
        cast(1 + floor(5 * (monetary_rank - 1) / cast(buyers as {{ dbt.type_float() }})) as integer) as m_score
    from buyers

),

current_state as (

    select
        fct_user_lifecycle_weekly.user_id,
        fct_user_lifecycle_weekly.state
    from fct_user_lifecycle_weekly
    inner join data_end
        on fct_user_lifecycle_weekly.week_start = data_end.data_end_week

),

previous_week_state as (

    select
        fct_user_lifecycle_weekly.user_id,
        fct_user_lifecycle_weekly.state
    from fct_user_lifecycle_weekly
    inner join data_end
        on fct_user_lifecycle_weekly.week_start = data_end.previous_week

),

joined as (

    select
        dim_users.user_id,
        dim_users.channel,
        -- a user with no row this week is past their churn entry (fct_user_lifecycle_weekly stores none)
        case
            when dim_users.signup_date > data_end.data_end_date then null
            else coalesce(current_state.state, 'churned')
        end as lifecycle_state,
        -- the week before: complete, so not "dormant so far this week"; NULL for users who signed up this week
        case
            when dim_users.signup_date < data_end.data_end_week
                then coalesce(previous_week_state.state, 'churned')
        end as previous_week_state,
        cast({{ days_between('purchases.last_order_date', 'data_end.data_end_date') }} as integer) as recency_days,
        cast(coalesce(purchases.frequency, 0) as bigint) as frequency,
        cast(coalesce(purchases.monetary_cny, 0) as decimal(18, 4)) as monetary_cny,
        scored.r_score,
        scored.f_score,
        scored.m_score,
        cast({{ days_between('dim_users.signup_date', 'data_end.data_end_date') }} as integer) as signup_age_days,
        dim_users.signup_date,
        dim_users.last_active_date,
        purchases.last_order_date,
        data_end.data_end_date
    from dim_users
    cross join data_end
    left join purchases
        on dim_users.user_id = purchases.user_id
    left join scored
        on dim_users.user_id = scored.user_id
    left join current_state
        on dim_users.user_id = current_state.user_id
    left join previous_week_state
        on dim_users.user_id = previous_week_state.user_id

),

tiered as (

    select
        *,
        case
            when signup_age_days < {{ new_days }} then 'new'
            when frequency = 0 then 'never_purchased'
            when r_score >= 4 and f_score >= 4 and m_score >= 4 then 'high_value'
            when r_score >= 3 and f_score >= 3 then 'loyal'
            when r_score <= 2 and (f_score >= 3 or m_score >= 4) then 'at_risk'
            when r_score >= 3 then 'potential'
            else 'hibernating'
        end as value_tier
    from joined

),

final as (

    select
        tiered.user_id,
        tiered.channel,
        tiered.lifecycle_state,
        tiered.previous_week_state,
        tiered.value_tier,
        segment_actions.tier_label_zh,
        case
            when tiered.r_score is not null
                then
                    cast(tiered.r_score as {{ dbt.type_string() }})
                    || cast(tiered.f_score as {{ dbt.type_string() }})
                    || cast(tiered.m_score as {{ dbt.type_string() }})
        end as rfm_cell,
        segment_actions.suggested_action_zh,
        segment_actions.suggested_action_en,
        tiered.recency_days,
        tiered.frequency,
        tiered.monetary_cny,
        tiered.r_score,
        tiered.f_score,
        tiered.m_score,
        tiered.signup_age_days,
        tiered.signup_date,
        tiered.last_active_date,
        tiered.last_order_date,
        tiered.data_end_date
    from tiered
    left join segment_actions
        on tiered.value_tier = segment_actions.tier

)

select * from final
