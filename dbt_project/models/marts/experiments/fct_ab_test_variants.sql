-- Creative and landing-page A/B tests: per experiment and variant, the counts inside the test window, rates,
-- lift against the control and a two-proportion z-test of the primary metric. Grain: experiment_id,
-- variant_id (every variant of every test in the latest registry snapshot, with 0 counts if it has no data).
-- The body of rpt_ab_tests, which selects it.
-- Creative test: impressions and clicks are the variant ad's platform stats (fct_ad_performance_daily);
-- landing-page test: impressions = clicks = visits landing with the page's utm_content (no CTR).
-- Conversions: signups last-touch attributed to a visit carrying the variant's utm_content, on a test day.
-- Trials and successes of the primary metric: ctr = clicks of impressions, cvr = conversions of clicks.
-- A full table on purpose: a few rows per test, read from the incremental daily facts, and a registry edit
-- (a moved end date) must reach every day of the test at once.

{%- set level = var('ab_confidence_level') %}

with

stg_reference__experiments as (

    select * from {{ ref('stg_reference__experiments') }}
    where is_in_latest_snapshot

),

fct_ad_performance_daily as (

    select * from {{ ref('fct_ad_performance_daily') }}

),

int_touch_conversions_daily as (

    select * from {{ ref('int_touch_conversions_daily') }}

),

dim_dates as (

    select * from {{ ref('dim_dates') }}

),

data_end as (

    select max(date_day) as data_end_date from dim_dates

),

ad_totals as (

    select
        experiments.experiment_id,
        experiments.variant_id,
        sum(ads.impressions) as impressions,
        sum(ads.clicks) as clicks
    from stg_reference__experiments as experiments
    inner join fct_ad_performance_daily as ads
        on
            experiments.experiment_type = 'creative'
            and experiments.platform = ads.platform
            and experiments.variant_key = ads.ad_id
            and ads.report_date between experiments.start_date and experiments.end_date
    group by experiments.experiment_id, experiments.variant_id

),

traffic_totals as (

    select
        experiments.experiment_id,
        experiments.variant_id,
        sum(traffic.visits) as visits,
        sum(traffic.attributed_signups) as conversions
    from stg_reference__experiments as experiments
    inner join int_touch_conversions_daily as traffic
        on
            experiments.variant_key = traffic.utm_content
            and traffic.report_date between experiments.start_date and experiments.end_date
    group by experiments.experiment_id, experiments.variant_id

),

counts as (

    select
        experiments.experiment_id,
        experiments.variant_id,
        experiments.experiment_name,
        experiments.experiment_type,
        experiments.variant_name,
        experiments.platform,
        experiments.variant_key,
        experiments.primary_metric,
        experiments.min_sample_per_variant,
        cast(case
            when experiments.experiment_type = 'creative' then coalesce(ad_totals.impressions, 0)
            else coalesce(traffic_totals.visits, 0)
        end as bigint) as impressions,
        cast(case
            when experiments.experiment_type = 'creative' then coalesce(ad_totals.clicks, 0)
            else coalesce(traffic_totals.visits, 0)
        end as bigint) as clicks,
        cast(coalesce(traffic_totals.visits, 0) as bigint) as visits,
        cast(coalesce(traffic_totals.conversions, 0) as bigint) as conversions,
        experiments.is_control,
        experiments.start_date,
        experiments.end_date
    from stg_reference__experiments as experiments
    left join ad_totals
        on
            experiments.experiment_id = ad_totals.experiment_id
            and experiments.variant_id = ad_totals.variant_id
    left join traffic_totals
        on
            experiments.experiment_id = traffic_totals.experiment_id
            and experiments.variant_id = traffic_totals.variant_id

),

rates as (

    select
        *,
        case when experiment_type = 'creative' then {{ safe_divide('clicks', 'impressions') }} end as ctr,
        {{ safe_divide('conversions', 'clicks') }} as cvr,
        case when primary_metric = 'ctr' then impressions else clicks end as trials,
        case when primary_metric = 'ctr' then clicks else conversions end as successes
    from counts

),

compared as (

    select
        variant.*,
        control.ctr as control_ctr,
        control.cvr as control_cvr,
        control.trials as control_trials,
        control.successes as control_successes,
        case when variant.primary_metric = 'ctr' then variant.ctr else variant.cvr end as primary_rate,
        case when variant.primary_metric = 'ctr' then control.ctr else control.cvr end as control_primary_rate,
        -- a success count above its trials (more attributed signups than clicks) is no proportion to test
        variant.successes <= variant.trials and control.successes <= control.trials as has_valid_counts,
        cast(variant.successes + control.successes as {{ type_double() }})
        / nullif(variant.trials + control.trials, 0) as pooled_rate
    from rates as variant
    left join rates as control
        on
            variant.experiment_id = control.experiment_id
            and control.is_control

),

tested as (

    select
        *,
        case
            when not is_control and has_valid_counts
                then {{ two_proportion_z('control_successes', 'control_trials', 'successes', 'trials') }}
        end as z_score,
        case
            when not is_control and has_valid_counts
                then {{ proportion_diff_ci('control_successes', 'control_trials', 'successes', 'trials',
                    level, 'lower') }}
        end as ci_lower,
        case
            when not is_control and has_valid_counts
                then {{ proportion_diff_ci('control_successes', 'control_trials', 'successes', 'trials',
                    level, 'upper') }}
        end as ci_upper,
        -- too small a sample to read (is_sample_too_small): fewer trials than the registry's minimum in this arm
        -- or the control's, or the normal approximation's condition fails: an expected count of successes or
        -- failures under 5 in either arm (pooled rate for a variant, its own counts for the control)
        coalesce(
            trials < min_sample_per_variant
            or (not is_control and control_trials < min_sample_per_variant),
            false
        ) as is_below_min_sample,
        case
            when is_control then successes < 5 or trials - successes < 5
            when not has_valid_counts then true
            -- no rate to pool (no trials in an arm): nothing to approximate
            when pooled_rate is null then true
            else
                least(
                    pooled_rate * trials,
                    (1 - pooled_rate) * trials,
                    pooled_rate * control_trials,
                    (1 - pooled_rate) * control_trials
                ) < 5
        end as fails_normal_approximation
    from compared

),

final as (

    select
        tested.experiment_id,
        tested.variant_id,
        tested.experiment_name,
        tested.experiment_type,
        tested.variant_name,
        tested.platform,
        tested.variant_key,
        tested.primary_metric,
        tested.impressions,
        tested.clicks,
        tested.visits,
        tested.conversions,
        tested.ctr,
        tested.cvr,
        tested.trials,
        tested.successes,
        case when not tested.is_control then tested.primary_rate - tested.control_primary_rate end
            as rate_difference,
        case
            when not tested.is_control
                then {{ safe_divide('tested.primary_rate', 'tested.control_primary_rate') }} - 1
        end as lift,
        case when not tested.is_control then {{ safe_divide('tested.ctr', 'tested.control_ctr') }} - 1 end
            as ctr_lift,
        case when not tested.is_control then {{ safe_divide('tested.cvr', 'tested.control_cvr') }} - 1 end
            as cvr_lift,
        tested.z_score,
        {{ two_sided_p_value('tested.z_score') }} as p_value,
        tested.ci_lower,
        tested.ci_upper,
        cast({{ level }} as {{ type_double() }}) as confidence_level,
        tested.min_sample_per_variant,
        tested.is_control,
        case
            when not tested.is_control
                then coalesce({{ two_sided_p_value('tested.z_score') }} < 1 - {{ level }}, false)
        end as is_significant,
        tested.is_below_min_sample or tested.fails_normal_approximation as is_sample_too_small,
        data_end.data_end_date >= tested.end_date as is_complete,
        tested.start_date,
        tested.end_date,
        cast(least(tested.end_date, data_end.data_end_date) as date) as observed_through_date
    from tested
    cross join data_end

)

select * from final
