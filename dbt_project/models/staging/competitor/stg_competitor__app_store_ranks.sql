-- One row per app, store chart and day (newest landed version): our app and the tracked competitors' apps.

with

app_store_ranks as (

    select * from {{ source('raw', 'app_store_ranks') }}

),

ranked as (

    select
        *,
        {{ latest_version_rank(['rank_date', 'store', 'category', 'brand']) }} as version_rank
    from app_store_ranks

),

final as (

    select
        lower(trim(store)) as store,
        category,
        brand,
        app_name,
        rank as chart_rank,
        lower(trim(brand_type)) = 'own' as is_own_brand,
        rank_date,
        _partition_date as partition_date,
        _loaded_at as loaded_at
    from ranked
    where version_rank = 1

)

select * from final
