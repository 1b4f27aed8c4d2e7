-- One row per observation of a competitor's listing (shop platform, item, observed_at), newest landed version.

with

competitor_prices as (

    select * from {{ source('raw', 'competitor_prices') }}

),

ranked as (

    select
        *,
        {{ latest_version_rank(['shop_platform', 'item_id', 'observed_at']) }} as version_rank
    from competitor_prices

),

final as (

    select
        item_id,
        competitor,
        lower(trim(shop_platform)) as shop_platform,
        item_name,
        category,
        promotion_text,
        -- yuan, as shown on the item page
        price as price_cny,
        list_price as list_price_cny,
        {{ to_reporting_date('observed_at') }} as observed_date,
        _partition_date as partition_date,
        -- UTC
        observed_at,
        _loaded_at as loaded_at
    from ranked
    where version_rank = 1

)

select * from final
