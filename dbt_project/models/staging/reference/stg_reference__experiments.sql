-- The A/B-test registry (creative and landing-page tests), one row per experiment and variant. It lands as
-- a full snapshot every day; each variant's row comes from the newest snapshot holding it, and
-- is_in_latest_snapshot says whether the newest snapshot still lists it (a test taken out of the registry
-- drops out of the report, like a deleted row).

with

experiments as (

    select * from {{ source('raw', 'experiments') }}

),

ranked as (

    select
        *,
        {{ latest_version_rank(['experiment_id', 'variant_id']) }} as version_rank,
        max(_partition_date) over () as latest_snapshot_date
    from experiments

),

final as (

    select
        trim(experiment_id) as experiment_id,
        trim(variant_id) as variant_id,
        experiment_name,
        lower(trim(experiment_type)) as experiment_type,
        variant_name,
        lower(trim(platform)) as platform,
        -- compared with the visits' utm_content and the platforms' ad ids as landed (case kept)
        trim(variant_key) as variant_key,
        lower(trim(primary_metric)) as primary_metric,
        min_sample_per_variant,
        lower(trim(is_control)) in ('true', '1', 'yes') as is_control,
        _partition_date = latest_snapshot_date as is_in_latest_snapshot,
        start_date,
        end_date,
        _partition_date as snapshot_date,
        _loaded_at as loaded_at
    from ranked
    where version_rank = 1

)

select * from final
