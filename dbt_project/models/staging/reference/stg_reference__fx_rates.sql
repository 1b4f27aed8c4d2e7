with

fx_rates as (

    select * from {{ source('raw', 'fx_rates') }}

),

ranked as (

    select
        *,
        {{ latest_version_rank(['rate_date', 'upper(currency)']) }} as version_rank
    from fx_rates

),

final as (

    select
        upper(currency) as currency,
        -- CNY per 1 unit of currency (e.g. USD 7.1 means 1 USD = 7.1 CNY).
        rate_to_cny,
        rate_date,
        _partition_date as partition_date,
        _loaded_at as loaded_at
    from ranked
    where version_rank = 1

)

select * from final
