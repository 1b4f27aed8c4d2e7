-- 舆情事件: the published columns of fct_brand_incidents, which defines every one of them (negative spikes per
-- brand and platform against a robust baseline, their window, peak, reach, top posts, severity and status).
-- With the platform's Chinese and English names (dim_code_labels).
-- Grain: incident_id (brand, platform, start_date).

with

fct_brand_incidents as (

    select * from {{ ref('fct_brand_incidents') }}

),

report_rows as (

    select
        incident_id,
        brand,
        is_own_brand,
        platform,
        start_date,
        end_date,
        peak_date,
        spike_days,
        first_negative_at,
        last_negative_at,
        negative_mentions,
        peak_negative_mentions,
        baseline_negative_median,
        baseline_mad,
        peak_robust_z,
        negative_reach,
        top_posts,
        severity,
        status
    from fct_brand_incidents

),

final as (

    {{ with_code_labels('report_rows', {'platform': 'social_platform'}) }}

)

select * from final
