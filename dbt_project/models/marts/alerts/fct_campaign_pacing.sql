-- Budget pacing of every campaign with a flight (start and end date) and a budget, on each of the last
-- var('alert_history_days') days up to data end that falls in its flight, from the flight's
-- var('alert_pacing_min_days')-th day on: spend to date (fct_campaign_costs_daily, the one definition of
-- spend, CNY) against the budget (CNY at the rate of its registry snapshot's day, dim_campaigns) times the elapsed
-- share of the flight. Open-ended campaigns (no end date) have no flight to pace against; campaigns without a
-- budget are not paced.
-- Grain: campaign_id, pacing_date. A full table: a few rows per live campaign.

with

dim_dates as (

    select * from {{ ref('dim_dates') }}

),

dim_campaigns as (

    select * from {{ ref('dim_campaigns') }}
    where budget_cny > 0 and start_date is not null and end_date is not null

),

fct_campaign_costs_daily as (

    select * from {{ ref('fct_campaign_costs_daily') }}

),

data_end as (

    select max(date_day) as data_end_date from dim_dates

),

pacing_days as (

    select
        dim_campaigns.campaign_id,
        dim_campaigns.campaign_name,
        dim_campaigns.channel,
        dim_campaigns.start_date,
        dim_campaigns.end_date,
        dim_campaigns.budget_cny,
        dim_dates.date_day as pacing_date,
        {{ days_between('dim_campaigns.start_date', 'dim_campaigns.end_date') }} + 1 as flight_days,
        {{ days_between('dim_campaigns.start_date', 'dim_dates.date_day') }} + 1 as elapsed_days
    from dim_campaigns
    cross join data_end
    inner join dim_dates
        on
            dim_dates.date_day between dim_campaigns.start_date and dim_campaigns.end_date
            and dim_dates.date_day
            > cast({{ dbt.dateadd('day', -var('alert_history_days'), 'data_end.data_end_date') }} as date)
    where {{ days_between('dim_campaigns.start_date', 'dim_dates.date_day') }} + 1 >= {{ var('alert_pacing_min_days') }}

),

spend_to_date as (

    select
        pacing_days.campaign_id,
        pacing_days.pacing_date,
        sum(fct_campaign_costs_daily.spend_cny) as spend_to_date_cny
    from pacing_days
    inner join fct_campaign_costs_daily
        on
            pacing_days.campaign_id = fct_campaign_costs_daily.campaign_id
            and pacing_days.pacing_date >= fct_campaign_costs_daily.cost_date
    group by pacing_days.campaign_id, pacing_days.pacing_date

),

measured as (

    select
        pacing_days.*,
        cast(coalesce(spend_to_date.spend_to_date_cny, 0) as decimal(18, 4)) as spend_to_date_cny,
        {{ safe_divide('pacing_days.elapsed_days', 'pacing_days.flight_days') }} as elapsed_share
    from pacing_days
    left join spend_to_date
        on
            pacing_days.campaign_id = spend_to_date.campaign_id
            and pacing_days.pacing_date = spend_to_date.pacing_date

),

paced as (

    select
        *,
        cast(budget_cny * elapsed_share as double) as expected_spend_cny,
        {{ safe_divide('spend_to_date_cny', 'budget_cny * elapsed_share') }} as pace_ratio
    from measured

),

final as (

    select
        campaign_id,
        campaign_name,
        channel,
        pacing_date,
        start_date,
        end_date,
        cast(flight_days as integer) as flight_days,
        cast(elapsed_days as integer) as elapsed_days,
        elapsed_share,
        cast(budget_cny as decimal(18, 4)) as budget_cny,
        spend_to_date_cny,
        expected_spend_cny,
        pace_ratio,
        case
            when pace_ratio > {{ var('alert_pacing_over') }} then 'over'
            when pace_ratio < {{ var('alert_pacing_under') }} then 'under'
            else 'on_track'
        end as pacing_status,
        case
            when
                pace_ratio > {{ var('alert_pacing_over_critical') }}
                or pace_ratio < {{ var('alert_pacing_under_critical') }}
                then 'critical'
            when
                pace_ratio > {{ var('alert_pacing_over') }}
                or pace_ratio < {{ var('alert_pacing_under') }}
                then 'warning'
        end as severity
    from paced

)

select * from final
