-- The registry lands as a full snapshot every day. Each campaign's row comes from the newest snapshot
-- holding it; is_in_latest_snapshot says whether the newest snapshot still lists it (a campaign dropped
-- from the registry keeps its history instead of orphaning its spend). The budget is also in CNY at the rate of
-- the snapshot's day (the day the registry stated it), as every amount is converted at its own day's rate.

with

campaigns as (

    select * from {{ source('raw', 'campaigns') }}

),

fx_rates as (

    select * from {{ ref('stg_reference__fx_rates') }}

),

ranked as (

    select
        *,
        {{ latest_version_rank(['campaign_id']) }} as version_rank,
        max(_partition_date) over () as latest_snapshot_date
    from campaigns

),

renamed as (

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

),

final as (

    select
        renamed.campaign_id,
        renamed.platform_campaign_id,
        renamed.campaign_name,
        renamed.campaign_type,
        renamed.channel,
        renamed.platform,
        renamed.utm_campaign,
        renamed.budget_currency,
        renamed.budget_original,
        {{ to_cny('renamed.budget_original', 'renamed.budget_currency', 'fx_rates.rate_to_cny') }} as budget_cny,
        renamed.is_in_latest_snapshot,
        renamed.start_date,
        renamed.end_date,
        renamed.snapshot_date,
        renamed.loaded_at
    from renamed
    left join fx_rates
        on
            renamed.budget_currency = fx_rates.currency
            and renamed.snapshot_date = fx_rates.rate_date

)

select * from final
