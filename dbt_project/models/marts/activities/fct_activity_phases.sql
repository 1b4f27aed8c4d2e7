-- Activity review (活动复盘) per activity of the registry and phase (warmup, peak, wrapup, total): participants,
-- new users, conversions, incentive cost, GMV against the baseline window before the activity, uplift and ROI.
-- The body of rpt_activity_review, which selects it.
-- GMV is rpt_kpi_daily's: the day rows of fct_kpi_periods (all orders placed that day, gross, CNY).
-- Attribution: new users and conversions are last-touch (int_conversions_last_touch_attributed, as in
-- rpt_campaign_roi); a conversion is also the activity's when the order redeems its coupon.
-- Grain: activity_id, phase. A full table: it aggregates activity windows from incremental marts (a few
-- thousand rows even at scale), so recomputing it is cheaper than tracking which phases a run changed.

with

stg_reference__activities as (

    select * from {{ ref('stg_reference__activities') }}

),

activities as (

    select
        *,
        cast({{ dbt.dateadd('day', 1, 'end_date') }} as date) as day_after_end
    from stg_reference__activities

),

dim_dates as (

    select * from {{ ref('dim_dates') }}

),

fct_kpi_periods as (

    select * from {{ ref('fct_kpi_periods') }}
    where period = 'day'

),

fct_activity_participants_daily as (

    select * from {{ ref('fct_activity_participants_daily') }}

),

signups as (

    select * from {{ ref('int_conversions_last_touch_attributed') }}
    where conversion_type = 'signup' and campaign_id is not null

),

fct_orders as (

    select * from {{ ref('fct_orders') }}

),

incentives as (

    select * from {{ ref('stg_reference__non_ad_costs') }}
    where cost_type in ('coupon_subsidy', 'activity_incentive')

),

bounds as (

    select
        min(date_day) as data_start_date,
        max(date_day) as data_end_date
    from dim_dates

),

-- Each present phase ends the day before the next present phase starts, the last one on end_date.
phases as (

    select
        activity_id,
        'warmup' as phase,
        1 as phase_order,
        warmup_start as phase_start,
        cast({{ dbt.dateadd('day', -1, 'coalesce(peak_start, wrapup_start, day_after_end)') }} as date) as phase_end
    from activities
    where warmup_start is not null

    union all

    select
        activity_id,
        'peak' as phase,
        2 as phase_order,
        peak_start as phase_start,
        cast({{ dbt.dateadd('day', -1, 'coalesce(wrapup_start, day_after_end)') }} as date) as phase_end
    from activities
    where peak_start is not null

    union all

    select
        activity_id,
        'wrapup' as phase,
        3 as phase_order,
        wrapup_start as phase_start,
        end_date as phase_end
    from activities
    where wrapup_start is not null

    union all

    select
        activity_id,
        'total' as phase,
        4 as phase_order,
        start_date as phase_start,
        end_date as phase_end
    from activities
    where start_date is not null

),

scoped as (

    select
        phases.activity_id,
        phases.phase,
        phases.phase_order,
        activities.activity_name,
        activities.activity_type,
        activities.campaign_id,
        activities.coupon_code,
        activities.baseline_days,
        phases.phase_start,
        phases.phase_end,
        cast({{ dbt.dateadd('day', '-activities.baseline_days', 'activities.start_date') }} as date)
            as baseline_start,
        cast({{ dbt.dateadd('day', -1, 'activities.start_date') }} as date) as baseline_end,
        bounds.data_start_date,
        bounds.data_end_date
    from phases
    inner join activities on phases.activity_id = activities.activity_id
    cross join bounds

),

phase_gmv as (

    select
        scoped.activity_id,
        scoped.phase,
        count(*) as observed_days,
        sum(fct_kpi_periods.gmv_cny) as gmv_cny
    from scoped
    inner join fct_kpi_periods
        on
            scoped.phase_start <= fct_kpi_periods.period_start
            and scoped.phase_end >= fct_kpi_periods.period_start
    group by scoped.activity_id, scoped.phase

),

baseline_gmv as (

    select
        scoped.activity_id,
        scoped.phase,
        count(*) as baseline_observed_days,
        sum(fct_kpi_periods.gmv_cny) as baseline_gmv_cny
    from scoped
    inner join fct_kpi_periods
        on
            scoped.baseline_start <= fct_kpi_periods.period_start
            and scoped.baseline_end >= fct_kpi_periods.period_start
    group by scoped.activity_id, scoped.phase

),

participants as (

    select
        scoped.activity_id,
        scoped.phase,
        count(distinct fct_activity_participants_daily.user_id) as participants
    from scoped
    inner join fct_activity_participants_daily
        on
            scoped.phase_start <= fct_activity_participants_daily.participation_date
            and scoped.phase_end >= fct_activity_participants_daily.participation_date
            and (
                scoped.campaign_id = fct_activity_participants_daily.campaign_id
                or scoped.coupon_code = fct_activity_participants_daily.coupon_code
            )
    group by scoped.activity_id, scoped.phase

),

new_users as (

    select
        scoped.activity_id,
        scoped.phase,
        count(*) as new_users
    from scoped
    inner join signups
        on
            scoped.campaign_id = signups.campaign_id
            and scoped.phase_start <= signups.conversion_date
            and scoped.phase_end >= signups.conversion_date
    group by scoped.activity_id, scoped.phase

),

conversions as (

    select
        scoped.activity_id,
        scoped.phase,
        count(*) as conversions,
        sum(case when scoped.coupon_code = fct_orders.coupon_code then 1 else 0 end) as coupon_orders,
        sum(fct_orders.amount_cny) as attributed_gmv_cny,
        sum(fct_orders.net_revenue_cny) as attributed_net_revenue_cny
    from scoped
    inner join fct_orders
        on
            scoped.phase_start <= fct_orders.created_date
            and scoped.phase_end >= fct_orders.created_date
            and (
                scoped.campaign_id = fct_orders.attributed_campaign_id
                or scoped.coupon_code = fct_orders.coupon_code
            )
    group by scoped.activity_id, scoped.phase

),

costs as (

    select
        scoped.activity_id,
        scoped.phase,
        sum(case when incentives.cost_type = 'coupon_subsidy' then incentives.amount_cny else 0 end)
            as coupon_cost_cny,
        sum(case when incentives.cost_type = 'activity_incentive' then incentives.amount_cny else 0 end)
            as prize_cost_cny
    from scoped
    inner join incentives
        on
            scoped.campaign_id = incentives.campaign_id
            and scoped.phase_start <= incentives.cost_date
            and scoped.phase_end >= incentives.cost_date
    group by scoped.activity_id, scoped.phase

),

joined as (

    select
        scoped.*,
        {{ days_between('scoped.phase_start', 'scoped.phase_end') }} + 1 as days,  -- noqa: RF04
        coalesce(phase_gmv.observed_days, 0) as observed_days,
        coalesce(baseline_gmv.baseline_observed_days, 0) as baseline_observed_days,
        coalesce(participants.participants, 0) as participants,
        coalesce(new_users.new_users, 0) as new_users,
        coalesce(conversions.conversions, 0) as conversions,
        coalesce(conversions.coupon_orders, 0) as coupon_orders,
        coalesce(conversions.attributed_gmv_cny, 0) as attributed_gmv_cny,
        coalesce(conversions.attributed_net_revenue_cny, 0) as attributed_net_revenue_cny,
        coalesce(costs.coupon_cost_cny, 0) as coupon_cost_cny,
        coalesce(costs.prize_cost_cny, 0) as prize_cost_cny,
        coalesce(phase_gmv.gmv_cny, 0) as gmv_cny,
        {{ safe_divide('phase_gmv.gmv_cny', 'phase_gmv.observed_days') }} as avg_daily_gmv_cny,
        {{ safe_divide('baseline_gmv.baseline_gmv_cny', 'baseline_gmv.baseline_observed_days') }}
            as baseline_avg_daily_gmv_cny
    from scoped
    left join phase_gmv
        on scoped.activity_id = phase_gmv.activity_id and scoped.phase = phase_gmv.phase
    left join baseline_gmv
        on scoped.activity_id = baseline_gmv.activity_id and scoped.phase = baseline_gmv.phase
    left join participants
        on scoped.activity_id = participants.activity_id and scoped.phase = participants.phase
    left join new_users
        on scoped.activity_id = new_users.activity_id and scoped.phase = new_users.phase
    left join conversions
        on scoped.activity_id = conversions.activity_id and scoped.phase = conversions.phase
    left join costs
        on scoped.activity_id = costs.activity_id and scoped.phase = costs.phase

),

measured as (

    select
        *,
        coupon_cost_cny + prize_cost_cny as incentive_cost_cny,
        (avg_daily_gmv_cny - baseline_avg_daily_gmv_cny) * observed_days as incremental_gmv_cny
    from joined

),

final as (

    select
        activity_id,
        phase,
        cast(phase_order as integer) as phase_order,
        activity_name,
        activity_type,
        campaign_id,
        coupon_code,
        phase_start,
        phase_end,
        cast(days as integer) as days,  -- noqa: RF04
        cast(observed_days as integer) as observed_days,
        cast(participants as bigint) as participants,
        cast(new_users as bigint) as new_users,
        cast(conversions as bigint) as conversions,
        cast(coupon_orders as bigint) as coupon_orders,
        cast(coupon_cost_cny as decimal(18, 4)) as coupon_cost_cny,
        cast(prize_cost_cny as decimal(18, 4)) as prize_cost_cny,
        cast(incentive_cost_cny as decimal(18, 4)) as incentive_cost_cny,
        cast(gmv_cny as decimal(18, 4)) as gmv_cny,
        cast(avg_daily_gmv_cny as double) as avg_daily_gmv_cny,
        baseline_start,
        baseline_end,
        cast(baseline_observed_days as integer) as baseline_observed_days,
        cast(baseline_avg_daily_gmv_cny as double) as baseline_avg_daily_gmv_cny,
        cast(
            {{ safe_divide('avg_daily_gmv_cny - baseline_avg_daily_gmv_cny', 'baseline_avg_daily_gmv_cny') }}
            as double
        ) as gmv_uplift,
        cast(incremental_gmv_cny as double) as incremental_gmv_cny,
        cast(attributed_gmv_cny as decimal(18, 4)) as attributed_gmv_cny,
        cast(attributed_net_revenue_cny as decimal(18, 4)) as attributed_net_revenue_cny,
        cast({{ safe_divide('attributed_gmv_cny - incentive_cost_cny', 'incentive_cost_cny') }} as double) as roi,
        cast({{ safe_divide('incremental_gmv_cny - incentive_cost_cny', 'incentive_cost_cny') }} as double)
            as uplift_roi,
        phase_end <= data_end_date as is_complete,
        baseline_start >= data_start_date and baseline_end <= data_end_date as baseline_complete
    from measured

)

select * from final
