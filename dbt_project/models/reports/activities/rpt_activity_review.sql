-- Activity review (活动复盘) per activity of the registry and phase (warmup, peak, wrapup, total): the published
-- columns of fct_activity_phases, which defines every one of them. Grain: activity_id, phase.

with

fct_activity_phases as (

    select * from {{ ref('fct_activity_phases') }}

),

report_rows as (

    select
        activity_id,
        phase,
        phase_order,
        activity_name,
        activity_type,
        campaign_id,
        coupon_code,
        phase_start,
        phase_end,
        days,  -- noqa: RF04
        observed_days,
        participants,
        new_users,
        conversions,
        coupon_orders,
        coupon_cost_cny,
        prize_cost_cny,
        incentive_cost_cny,
        gmv_cny,
        avg_daily_gmv_cny,
        baseline_start,
        baseline_end,
        baseline_observed_days,
        baseline_avg_daily_gmv_cny,
        gmv_uplift,
        incremental_gmv_cny,
        attributed_gmv_cny,
        attributed_net_revenue_cny,
        roi,
        uplift_roi,
        is_complete,
        baseline_complete
    from fct_activity_phases

),

final as (

    {{ with_code_labels('report_rows', campaign_id='campaign_id') }}

)

select * from final
order by activity_id, phase_order
