-- 舆情事件: the published columns of fct_brand_incidents, which defines every one of them (negative spikes per
-- brand and platform against a robust baseline, their window, peak, reach, top posts, severity and status).
-- Grain: incident_id (brand, platform, start_date).

with

fct_brand_incidents as (

    select * from {{ ref('fct_brand_incidents') }}

)

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
