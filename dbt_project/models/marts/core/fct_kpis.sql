-- The core KPIs per period: every loaded day, ISO week (Monday) and calendar month of dim_dates, the body of
-- rpt_kpi_daily / _weekly / _monthly (each selects its period), so the three grains cannot drift apart.
-- Users and orders come per period from fct_kpi_periods (distinct users recounted per period, never summed from
-- days); spend from fct_campaign_costs_daily; retention from fct_cohort_retention, the one model that defines
-- who is retained: the period's complete signup cohorts, weighted by cohort size. Only days of dim_dates (up to
-- data end) count. Every ratio is sum(numerator) / sum(denominator) over the period through safe_divide.
-- Grain: period (day, week, month), period_start. A full table: a few rows per day, from incremental marts, and
-- a period's completeness and its cohorts' retention move with data end.

{%- set grains = [('day', 'date_day'), ('week', 'week_start'), ('month', 'month_start')] %}

with

dim_dates as (

    select * from {{ ref('dim_dates') }}

),

data_end as (

    select max(date_day) as data_end_date from dim_dates

),

fct_kpi_periods as (

    select * from {{ ref('fct_kpi_periods') }}

),

fct_campaign_costs_daily as (

    select * from {{ ref('fct_campaign_costs_daily') }}

),

fct_cohort_retention as (

    select * from {{ ref('fct_cohort_retention') }}

),

periods as (

    -- complete = every day of the period is loaded: it starts on or after the first loaded day and the
    -- next period starts by data end + 1
    {%- for datepart, period in grains %}

        select
            '{{ datepart }}' as period,
            dim_dates.{{ period }} as period_start,
            min(dim_dates.date_day) = dim_dates.{{ period }}
            and max({{ dbt.dateadd(datepart, 1, 'dim_dates.' ~ period) }})
            <= max({{ dbt.dateadd('day', 1, 'data_end.data_end_date') }}) as is_complete
        from dim_dates
        cross join data_end
        group by dim_dates.{{ period }}
        {%- if not loop.last %}

            union all
        {%- endif %}
    {%- endfor %}

),

signups as (

    select
        period,
        period_start,
        new_users
    from fct_kpi_periods
    where new_users > 0

),

activity as (

    select
        period,
        period_start,
        active_users
    from fct_kpi_periods
    where active_users > 0

),

orders as (

    select
        period,
        period_start,
        paying_users,
        orders,
        gmv_cny as gmv,
        net_revenue_cny as net_revenue
    from fct_kpi_periods
    where orders > 0

),

costs as (

    {{ sum_by_period('fct_campaign_costs_daily', 'cost_date', measures={'spend': 'spend_cny'}) }}

),

retention as (

    -- cohorts signed up in the period, complete ones only, weighted by cohort size
    {%- for datepart, period in grains %}

        select
            '{{ datepart }}' as period,
            dim_dates.{{ period }} as period_start,
            {%- for n in [1, 7, 30] %}
                sum(case when cohorts.day_n = {{ n }} then cohorts.retained_users end) as retained_d{{ n }},
                sum(case when cohorts.day_n = {{ n }} then cohorts.cohort_size end) as cohort_size_d{{ n }}
                {%- if not loop.last %},{% endif %}
            {%- endfor %}
        from fct_cohort_retention as cohorts
        inner join dim_dates on cohorts.cohort_date = dim_dates.date_day
        where cohorts.is_complete and cohorts.day_n in (1, 7, 30)
        group by dim_dates.{{ period }}
        {%- if not loop.last %}

            union all
        {%- endif %}
    {%- endfor %}

),

final as (

    select
        periods.period,
        periods.period_start,
        cast(coalesce(signups.new_users, 0) as bigint) as new_users,
        cast(coalesce(activity.active_users, 0) as bigint) as active_users,
        cast(coalesce(orders.paying_users, 0) as bigint) as paying_users,
        cast(coalesce(orders.orders, 0) as bigint) as orders,
        cast(coalesce(orders.gmv, 0) as decimal(18, 4)) as gmv,
        cast(coalesce(orders.net_revenue, 0) as decimal(18, 4)) as net_revenue,
        {{ safe_divide('orders.gmv', 'orders.orders') }} as aov,
        {{ safe_divide('orders.gmv', 'orders.paying_users') }} as arppu,
        cast(coalesce(costs.spend, 0) as decimal(18, 4)) as spend,
        {{ safe_divide('nullif(costs.spend, 0)', 'signups.new_users') }} as cac,
        -- net revenue (0 on a day without orders) over all spend: 0 with spend and no orders, NULL without spend
        {{ safe_divide('coalesce(orders.net_revenue, 0)', 'costs.spend') }} as blended_roas,
        {{ safe_divide('retention.retained_d1', 'retention.cohort_size_d1') }} as d1_retention,
        {{ safe_divide('retention.retained_d7', 'retention.cohort_size_d7') }} as d7_retention,
        {{ safe_divide('retention.retained_d30', 'retention.cohort_size_d30') }} as d30_retention,
        periods.is_complete
    from periods
    left join signups
        on periods.period = signups.period and periods.period_start = signups.period_start
    left join activity
        on periods.period = activity.period and periods.period_start = activity.period_start
    left join orders
        on periods.period = orders.period and periods.period_start = orders.period_start
    left join costs
        on periods.period = costs.period and periods.period_start = costs.period_start
    left join retention
        on periods.period = retention.period and periods.period_start = retention.period_start

)

select * from final
