-- Acquisition cost and value of monthly signup cohorts per first-touch channel, plus a blended `all`
-- row (rollup over the channels). paying_cac waits for the 30-day paying window of the whole
-- month; LTV over N days counts days 0..N-1 after signup and is NULL
-- until every user of the month has had N days (month end + N - 1 <= data end); payback only looks at
-- days every user of the month has reached. Grain: acquisition_month, channel.

with

fct_acquisition_cohorts_monthly as (

    select * from {{ ref('fct_acquisition_cohorts_monthly') }}

),

fct_acquisition_revenue_daily as (

    select * from {{ ref('fct_acquisition_revenue_daily') }}

),

dim_dates as (

    select * from {{ ref('dim_dates') }}

),

data_end as (

    select max(date_day) as data_end_date from dim_dates

),

cohorts as (

    select
        acquisition_month,
        coalesce(channel, 'all') as channel,
        sum(new_users) as new_users,
        sum(new_paying_users) as new_paying_users,
        sum(spend_cny) as spend_cny,
        cast({{ dbt.last_day('acquisition_month', 'month') }} as date) as month_end_date
    from fct_acquisition_cohorts_monthly
    group by acquisition_month, rollup(channel)

),

revenue as (

    select
        acquisition_month,
        coalesce(channel, 'all') as channel,
        day_n,
        sum(net_revenue_cny) as net_revenue_cny,
        sum(sum(net_revenue_cny)) over (
            partition by acquisition_month, channel
            order by day_n
            rows between unbounded preceding and current row
        ) as cumulative_net_revenue_cny
    from fct_acquisition_revenue_daily
    group by acquisition_month, day_n, rollup(channel)

),

value as (

    -- cumulative revenue per user >= cac  <=>  cumulative revenue >= spend (same users)
    select
        cohorts.acquisition_month,
        cohorts.channel,
        {%- for n in [7, 30, 90] %}
            case
                when {{ dbt.dateadd('day', n - 1, 'cohorts.month_end_date') }} <= data_end.data_end_date
                    then coalesce(sum(case when revenue.day_n < {{ n }} then revenue.net_revenue_cny end), 0)
            end as net_revenue_{{ n }}d,
        {%- endfor %}
        {{ dbt.dateadd('day', 29, 'cohorts.month_end_date') }} <= data_end.data_end_date as is_paying_window_complete,
        min(
            case
                when
                    {{ dbt.dateadd('day', 'revenue.day_n', 'cohorts.month_end_date') }} <= data_end.data_end_date
                    and revenue.cumulative_net_revenue_cny >= cohorts.spend_cny
                    then revenue.day_n
            end
        ) as payback_days
    from cohorts
    cross join data_end
    left join revenue
        on cohorts.acquisition_month = revenue.acquisition_month and cohorts.channel = revenue.channel
    where cohorts.acquisition_month <= data_end.data_end_date
    group by cohorts.acquisition_month, cohorts.channel, cohorts.month_end_date, data_end.data_end_date

),

report_rows as (

    select
        cohorts.acquisition_month,
        cohorts.channel,
        cast(cohorts.spend_cny as decimal(18, 4)) as spend,
        cast(cohorts.new_users as bigint) as new_users,
        cast(cohorts.new_paying_users as bigint) as new_paying_users,
        {{ safe_divide('cohorts.spend_cny', 'cohorts.new_users') }} as cac,
        case
            when value.is_paying_window_complete
                then {{ safe_divide('cohorts.spend_cny', 'cohorts.new_paying_users') }}
        end as paying_cac,
        {{ safe_divide('value.net_revenue_7d', 'cohorts.new_users') }} as ltv_7d,
        {{ safe_divide('value.net_revenue_30d', 'cohorts.new_users') }} as ltv_30d,
        {{ safe_divide('value.net_revenue_90d', 'cohorts.new_users') }} as ltv_90d,
        -- (revenue_90d / users) / (spend / users) = revenue_90d / spend
        {{ safe_divide('value.net_revenue_90d', 'cohorts.spend_cny') }} as ltv_90d_to_cac,
        cast(value.payback_days as integer) as payback_days
    from cohorts
    inner join value
        on cohorts.acquisition_month = value.acquisition_month and cohorts.channel = value.channel

),

final as (

    {{ with_code_labels('report_rows', {'channel': 'channel'}) }}

)

select * from final
