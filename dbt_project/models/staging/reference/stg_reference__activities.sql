-- The activity (活动) registry lands as a full snapshot every day, like the campaign registry: each activity's row
-- comes from the newest snapshot holding it. Phases: warm-up [warmup_start, peak_start), peak [peak_start,
-- wrapup_start), wrap-up [wrapup_start, end_date]; a NULL start = the phase is absent. baseline_days defaults to
-- var('activity_baseline_days') (14). Grain: activity_id.

with

activities as (

    select * from {{ source('raw', 'activities') }}

),

ranked as (

    select
        *,
        {{ latest_version_rank(['activity_id']) }} as version_rank,
        max(_partition_date) over () as latest_snapshot_date
    from activities

),

final as (

    select
        trim(activity_id) as activity_id,
        activity_name,
        lower(trim(activity_type)) as activity_type,
        trim(campaign_id) as campaign_id,
        trim(coupon_code) as coupon_code,
        cast(coalesce(baseline_days, {{ var('activity_baseline_days', 14) }}) as integer) as baseline_days,
        _partition_date = latest_snapshot_date as is_in_latest_snapshot,
        warmup_start,
        peak_start,
        wrapup_start,
        end_date,
        coalesce(warmup_start, peak_start, wrapup_start) as start_date,
        _partition_date as snapshot_date,
        _loaded_at as loaded_at
    from ranked
    where version_rank = 1

)

select * from final
