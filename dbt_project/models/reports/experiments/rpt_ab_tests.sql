-- Creative and landing-page A/B tests per experiment and variant: the published columns of
-- fct_ab_test_variants, which defines every one of them (counts in the test window, rates, lift and the
-- two-proportion z-test of the primary metric). Grain: experiment_id, variant_id.

with

fct_ab_test_variants as (

    select * from {{ ref('fct_ab_test_variants') }}

),

report_rows as (

    select
        experiment_id,
        variant_id,
        experiment_name,
        experiment_type,
        variant_name,
        platform,
        variant_key,
        primary_metric,
        impressions,
        clicks,
        visits,
        conversions,
        ctr,
        cvr,
        trials,
        successes,
        rate_difference,
        lift,
        ctr_lift,
        cvr_lift,
        z_score,
        p_value,
        ci_lower,
        ci_upper,
        confidence_level,
        min_sample_per_variant,
        is_control,
        is_significant,
        is_sample_too_small,
        is_complete,
        start_date,
        end_date,
        observed_through_date
    from fct_ab_test_variants

),

final as (

    {{ with_code_labels('report_rows', {'platform': 'platform'}) }}

)

select * from final
