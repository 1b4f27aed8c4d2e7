-- The registry lands as a full snapshot every day. Each campaign's row comes from the newest snapshot
-- holding it; is_in_latest_snapshot says whether the newest snapshot still lists it (a campaign dropped
-- from the registry keeps its history instead of orphaning its spend).

with

campaigns as (

    select * from {{ source('raw', 'campaigns') }}

),

ranked as (

    select
        *,
        {{ latest_version_rank(['campaign_id']) }} as version_rank,
        max(_partition_date) over () as latest_snapshot_date
    from campaigns

),

final as (

    select
        campaign_id,
        trim(platform_campaign_id) as platform_campaign_id,
        campaign_name,
        lower(trim(campaign_type)) as campaign_type,
        lower(trim(channel)) as channel,
        lower(trim(platform)) as platform,
        lower(trim(utm_campaign)) as utm_campaign,
        upper(trim(budget_currency)) as budget_currency,
        budget as budget_original,
        _partition_date = latest_snapshot_date as is_in_latest_snapshot,
        start_date,
        end_date,
        _partition_date as snapshot_date,
        _loaded_at as loaded_at
    from ranked
    where version_rank = 1

)

select * from final
