with

non_ad_costs as (

    select * from {{ source('raw', 'non_ad_costs') }}

),

fx_rates as (

    select * from {{ ref('stg_reference__fx_rates') }}

),

ranked as (

    select
        *,
        {{ latest_version_rank(['cost_id']) }} as version_rank
    from non_ad_costs

),

renamed as (

    select
        cost_id,
        campaign_id,
        -- owned content item (production, content_boost); NULL in exports older than the column
        trim(content_id) as content_id,
        lower(trim(cost_type)) as cost_type,
        upper(trim(currency)) as currency,
        description,
        amount as amount_original,
        cost_date,
        _partition_date as partition_date,
        _loaded_at as loaded_at
    from ranked
    where version_rank = 1

),

final as (

    -- FX at the cost day's rate.
    select
        renamed.cost_id,
        renamed.campaign_id,
        renamed.content_id,
        renamed.cost_type,
        renamed.currency,
        renamed.description,
        renamed.amount_original,
        {{ to_cny('renamed.amount_original', 'renamed.currency', 'fx_rates.rate_to_cny') }} as amount_cny,
        fx_rates.rate_to_cny as fx_rate_to_cny,
        renamed.cost_date,
        renamed.partition_date,
        renamed.loaded_at
    from renamed
    left join fx_rates
        on
            renamed.currency = fx_rates.currency
            and renamed.cost_date = fx_rates.rate_date

)

select * from final
