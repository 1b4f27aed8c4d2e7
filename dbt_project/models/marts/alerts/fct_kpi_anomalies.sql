-- Each watched KPI on each of the last var('alert_days') days up to data end against its expected range: the
-- same weekday over the previous var('alert_kpi_baseline_weeks') weeks, leaving out days inside an activity and
-- days whose value is NULL (immature, e.g. D1 retention of data end, or undefined, e.g. CAC without spend).
-- Range: median +/- k x scale, scale = max(1.4826 x MAD, var('alert_kpi_min_scale') x |median|) (MAD = median
-- absolute deviation; 1.4826 x MAD estimates a standard deviation, robust to the odd outlier day). A day is judged
-- only outside activities, with a value and at least var('alert_kpi_min_history') baseline days, and a scale > 0.
-- The KPIs are the published ones, never redefined here: new_users, gmv, cac and d1_retention are fct_kpis' day
-- rows (rpt_kpi_daily); channel conversion is the campaign reports' cvr (attributed orders / clicks) over the
-- channel's campaigns that day (macro campaign_roi_measures on the channel's summed numerators).
-- Grain: alert_date, metric, subject (`all`, or the channel of cvr). A full table: a handful of rows per day.

{%- set total_kpis = ['new_users', 'gmv', 'cac', 'd1_retention'] %}

with

dim_dates as (

    select * from {{ ref('dim_dates') }}

),

fct_kpis as (

    select * from {{ ref('fct_kpis') }}
    where period = 'day'

),

fct_campaign_performance_daily as (

    select * from {{ ref('fct_campaign_performance_daily') }}

),

fct_activity_phases as (

    select * from {{ ref('fct_activity_phases') }}
    where phase = 'total'

),

data_end as (

    select max(date_day) as data_end_date from dim_dates

),

channel_numerators as (

    select
        report_date,
        channel,
        sum(spend_cny) as spend_cny,
        sum(ad_spend_cny) as ad_spend_cny,
        sum(non_ad_cost_cny) as non_ad_cost_cny,
        sum(impressions) as impressions,
        sum(clicks) as clicks,
        sum(platform_conversions) as platform_conversions,
        sum(visits) as visits,
        sum(attributed_signups) as attributed_signups,
        sum(attributed_orders) as attributed_orders,
        sum(attributed_revenue_cny) as attributed_revenue_cny
    from fct_campaign_performance_daily
    where channel is not null
    group by report_date, channel

),

channel_measures as (

    select
        report_date,
        channel,
        {{ campaign_roi_measures() }}
    from channel_numerators

),

kpi_values as (

    -- one row per metric, subject and day; observed is NULL where the published value is
    {%- for kpi in total_kpis %}

        select
            fct_kpis.period_start as value_date,
            '{{ kpi }}' as metric,
            'all' as subject,
            cast(fct_kpis.{{ kpi }} as double) as observed
        from fct_kpis
        inner join dim_dates on fct_kpis.period_start = dim_dates.date_day

        union all
    {%- endfor %}

    select
        channel_measures.report_date as value_date,
        'cvr' as metric,
        channel_measures.channel as subject,
        channel_measures.cvr as observed
    from channel_measures
    inner join dim_dates on channel_measures.report_date = dim_dates.date_day
    -- channels with clicks: the ad channels (cvr has no denominator elsewhere)
    where channel_measures.clicks > 0

),

activity_days as (

    select distinct dim_dates.date_day
    from dim_dates
    inner join fct_activity_phases
        on dim_dates.date_day between fct_activity_phases.phase_start and fct_activity_phases.phase_end

),

judged_days as (

    select
        kpi_values.value_date as alert_date,
        kpi_values.metric,
        kpi_values.subject,
        kpi_values.observed,
        activity_days.date_day is not null as is_activity_day
    from kpi_values
    cross join data_end
    left join activity_days on kpi_values.value_date = activity_days.date_day
    where
        kpi_values.value_date > cast({{ dbt.dateadd('day', -var('alert_days'), 'data_end.data_end_date') }} as date)

),

history as (

    select
        judged_days.alert_date,
        judged_days.metric,
        judged_days.subject,
        kpi_values.observed
    from judged_days
    inner join kpi_values
        on
            judged_days.metric = kpi_values.metric
            and judged_days.subject = kpi_values.subject
            and judged_days.alert_date > kpi_values.value_date
            and {{ days_between('kpi_values.value_date', 'judged_days.alert_date') }}
            <= 7 * {{ var('alert_kpi_baseline_weeks') }}
            and {{ days_between('kpi_values.value_date', 'judged_days.alert_date') }} % 7 = 0
    left join activity_days on kpi_values.value_date = activity_days.date_day
    where activity_days.date_day is null and kpi_values.observed is not null

),

baselines as (

    {{ robust_baseline('history', ['alert_date', 'metric', 'subject'], 'observed') }}

),

scaled as (

    select
        judged_days.alert_date,
        judged_days.metric,
        judged_days.subject,
        judged_days.observed,
        judged_days.is_activity_day,
        cast(coalesce(baselines.baseline_days, 0) as integer) as baseline_days,
        cast(baselines.baseline_median as double) as baseline_median,
        cast(baselines.baseline_mad as double) as baseline_mad,
        {{ robust_scale(
            'baselines.baseline_mad',
            var('alert_kpi_min_scale') ~ ' * abs(baselines.baseline_median)'
        ) }} as baseline_scale
    from judged_days
    left join baselines
        on
            judged_days.alert_date = baselines.alert_date
            and judged_days.metric = baselines.metric
            and judged_days.subject = baselines.subject

),

judged as (

    select
        *,
        not is_activity_day
        and observed is not null
        and baseline_days >= {{ var('alert_kpi_min_history') }}
        and baseline_scale > 0 as is_judged
    from scaled

),

final as (

    select
        alert_date,
        metric,
        subject,
        observed,
        baseline_days,
        baseline_median,
        baseline_mad,
        baseline_scale,
        -- every watched KPI is non-negative: the range never starts below 0
        case
            when baseline_scale is not null
                then cast(greatest(baseline_median - {{ var('alert_kpi_k') }} * baseline_scale, 0) as double)
        end as expected_low,
        cast(baseline_median + {{ var('alert_kpi_k') }} * baseline_scale as double) as expected_high,
        {{ safe_divide('observed - baseline_median', 'baseline_scale') }} as robust_z,
        is_activity_day,
        is_judged,
        case
            when not is_judged then cast(null as {{ dbt.type_string() }})
            when abs(observed - baseline_median) > {{ var('alert_kpi_critical_k') }} * baseline_scale
                then 'critical'
            when abs(observed - baseline_median) > {{ var('alert_kpi_k') }} * baseline_scale then 'warning'
        end as severity
    from judged

)

select * from final
