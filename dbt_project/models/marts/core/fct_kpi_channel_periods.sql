-- The per-channel parts of the new-user and CAC KPIs per period (every loaded day, ISO week and calendar month of
-- dim_dates, as fct_kpis): visits (session starts, int_visits_classified) by their channel, new users by their
-- first-touch channel (dim_users, the users fct_kpis counts) and spend (fct_campaign_costs_daily, the spend
-- fct_kpis sums) by the campaign's channel. Summed over the channels they are fct_kpis' new_users and spend, so
-- rpt_kpi_drivers can split those KPIs' changes by channel. A channel appears in a period where it has visits,
-- new users or spend. Grain: period, period_start, channel.
-- A full table like fct_kpis: one pass over the visits (a group by day and channel), a few rows per day.

with

int_visits_classified as (

    select * from {{ ref('int_visits_classified') }}

),

dim_users as (

    select * from {{ ref('dim_users') }}

),

fct_campaign_costs_daily as (

    select * from {{ ref('fct_campaign_costs_daily') }}

),

daily as (

    -- a campaign the registry gives no channel is `unmapped`, like a UTM the channel map does not know
    select
        visit_date as date_day,
        channel,
        count(*) as visits,
        0 as new_users,
        cast(0 as decimal(18, 4)) as spend_cny
    from int_visits_classified
    group by visit_date, channel

    union all

    select
        signup_date as date_day,
        channel,
        0 as visits,
        count(*) as new_users,
        cast(0 as decimal(18, 4)) as spend_cny
    from dim_users
    group by signup_date, channel

    union all

    select
        cost_date as date_day,
        coalesce(channel, 'unmapped') as channel,
        0 as visits,
        0 as new_users,
        sum(spend_cny) as spend_cny
    from fct_campaign_costs_daily
    group by cost_date, coalesce(channel, 'unmapped')

),

periods as (

    {{ sum_by_period(
        'daily', 'date_day',
        dimensions={'channel': 'channel'},
        measures={'visits': 'visits', 'new_users': 'new_users', 'spend_cny': 'spend_cny'},
    ) }}

),

final as (

    select
        period,
        channel,
        cast(visits as bigint) as visits,
        cast(new_users as bigint) as new_users,
        cast(spend_cny as decimal(18, 4)) as spend_cny,
        period_start
    from periods

)

select * from final
