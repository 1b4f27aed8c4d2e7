-- Recommendation rule `recall_dormant` (seeds recommendation_rules, recommendation_rule_parameters; docs/metrics.md
-- #rpt_recommendations), judged at data end: the users of value tier `value_tier` (fct_user_segments, published as
-- rpt_user_segments) who are dormant this week and were dormant the whole previous week too (a data end early in
-- the week makes almost everyone "dormant so far this week"), when there are at least `min_dormant_users`, with what
-- the last completed activity of type `activity_type` achieved with its coupon (fct_activity_phases, phase total:
-- coupon orders, conversions, ROI, incentive cost). The registry gives an activity one coupon, so the data cannot
-- say which of several coupons worked best; the rule names the last activity's coupon and its numbers. Without a
-- completed recall activity there is nothing to learn a coupon from and the rule stays silent.
-- Grain: report_date, subject (the value tier).

with

parameters as (

    {{ recommendation_parameters(
        ['recall_dormant'], numbers=['min_dormant_users'], texts=['value_tier', 'activity_type']
    ) }}

),

dim_dates as (

    select * from {{ ref('dim_dates') }}

),

fct_user_segments as (

    select * from {{ ref('fct_user_segments') }}

),

fct_activity_phases as (

    select * from {{ ref('fct_activity_phases') }}
    where phase = 'total' and is_complete

),

data_end as (

    select max(date_day) as data_end_date from dim_dates

),

tier_users as (

    select
        fct_user_segments.value_tier,
        fct_user_segments.tier_label_zh,
        count(*) as tier_users,
        sum(case
            when fct_user_segments.lifecycle_state = 'dormant' and fct_user_segments.previous_week_state = 'dormant'
                then 1
            else 0
        end) as dormant_users
    from fct_user_segments
    inner join parameters
        on fct_user_segments.value_tier = parameters.value_tier
    group by fct_user_segments.value_tier, fct_user_segments.tier_label_zh

),

last_activity as (

    select
        fct_activity_phases.*,
        row_number() over (
            order by fct_activity_phases.phase_end desc, fct_activity_phases.activity_id desc
        ) as recency_rank
    from fct_activity_phases
    inner join parameters
        on fct_activity_phases.activity_type = parameters.activity_type
    cross join data_end
    where fct_activity_phases.phase_end <= data_end.data_end_date

),

final as (

    select
        data_end.data_end_date as report_date,
        'recall_dormant' as rule_id,
        tier_users.value_tier as subject,
        coalesce(tier_users.tier_label_zh, tier_users.value_tier) as subject_name,
        last_activity.activity_id as target_id,
        coalesce(last_activity.activity_name, last_activity.activity_id) as target_name,
        last_activity.coupon_code as detail,
        cast(null as {{ dbt.type_string() }}) as platform,
        {{ recommendation_evidence([
            ('dormant_users', 'tier_users.dormant_users', 'count'),
            ('tier_users', 'tier_users.tier_users', 'count'),
            ('coupon_orders', 'last_activity.coupon_orders', 'count'),
            ('conversions', 'last_activity.conversions', 'count'),
            ('roi', 'last_activity.roi', 'ratio'),
            ('incentive_cost_cny', 'last_activity.incentive_cost_cny', 'cny'),
        ]) }},
        {{ dbt.concat([
            "'rpt_user_segments: value_tier '", 'tier_users.value_tier',
            "', lifecycle_state and previous_week_state dormant, data end '",
            'cast(data_end.data_end_date as ' ~ dbt.type_string() ~ ')',
            "'; rpt_activity_review: '", 'last_activity.activity_id', "' phase total'",
        ]) }} as evidence_keys
    from tier_users
    cross join data_end
    cross join parameters
    inner join last_activity
        on last_activity.recency_rank = 1
    where tier_users.dormant_users >= parameters.min_dormant_users

)

select * from final
