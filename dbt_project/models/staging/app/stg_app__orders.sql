-- One row per order version (order_id, updated_at): paid, then possibly refunded or cancelled.
-- int_orders_netted keeps the latest version of each order.
-- Incremental: the order versions landed in the partition window replace their stored copies.

{{ config(**incremental_by_key(['order_id', 'updated_at'], 'created_date')) }}

with

app_orders as {{ not_materialized() }} (

    select * from {{ source('raw', 'app_orders') }}
    where {{ incremental_window_filter('_partition_date') }}

),

fx_rates as (

    select * from {{ ref('stg_reference__fx_rates') }}

),

ranked as (

    {{ latest_versions('app_orders', ['order_id', 'updated_at']) }}

),

renamed as (

    select
        order_id,
        user_id,
        lower(trim(status)) as status,
        upper(trim(currency)) as currency,
        coupon_code,
        amount as amount_original,
        refund_amount as refund_amount_original,
        {{ to_reporting_date('created_at') }} as created_date,
        {{ to_reporting_date('refunded_at') }} as refunded_date,
        created_at,
        updated_at,
        refunded_at,
        _partition_date as partition_date,
        _loaded_at as loaded_at
    from ranked
    where version_rank = 1

),

final as (

    -- Amount and refund both at the rate of the day the order was placed, so a full refund nets to
    -- exactly 0 CNY whatever the rate did in between.
    select
        renamed.order_id,
        renamed.user_id,
        renamed.status,
        renamed.currency,
        renamed.coupon_code,
        renamed.amount_original,
        renamed.refund_amount_original,
        {{ to_cny('renamed.amount_original', 'renamed.currency', 'fx_rates.rate_to_cny') }} as amount_cny,
        {{ to_cny('renamed.refund_amount_original', 'renamed.currency', 'fx_rates.rate_to_cny') }}
            as refund_amount_cny,
        fx_rates.rate_to_cny as fx_rate_to_cny,
        renamed.created_date,
        renamed.refunded_date,
        renamed.partition_date,
        -- UTC
        renamed.created_at,
        renamed.updated_at,
        renamed.refunded_at,
        renamed.loaded_at
    from renamed
    left join fx_rates
        on
            renamed.currency = fx_rates.currency
            and renamed.created_date = fx_rates.rate_date

)

select
    *,
    {{ built_at() }} as dbt_built_at
from final
