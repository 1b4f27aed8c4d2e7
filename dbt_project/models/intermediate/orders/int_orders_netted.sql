-- Paid orders net of refunds: the latest version of each order (a refund lands as a new version with a
-- later updated_at). An order counts as paid when some version of it is paid or refunded; an order only
-- ever seen as cancelled was cancelled before payment and is not an order here. Cancelled after
-- payment counts as fully refunded. Grain: order_id.
-- Incremental: every order of a user with an order version landed in the partition window is re-netted from
-- all of its versions (a refund landing weeks later updates its order), and the user's order_sequence is
-- re-numbered (an order landing late can precede the user's other orders).

{%- set landed_orders = ref('stg_app__orders') %}

{{ config(**incremental_by_key('order_id', 'created_date')) }}

with

stg_app__orders as (

    select * from {{ ref('stg_app__orders') }}
    {% if is_incremental() -%}
        where user_id in ({{ users_with_orders_landed(landed_orders) }})
    {%- endif %}

),

latest as (

    select
        *,
        row_number() over (
            partition by order_id
            order by updated_at desc, partition_date desc
        ) as version_rank,
        max(case when status in ('paid', 'refunded') then 1 else 0 end) over (partition by order_id) as was_paid
    from stg_app__orders

),

netted as (

    select
        order_id,
        user_id,
        status,
        currency,
        coupon_code,
        amount_original,
        case
            when status in ('refunded', 'cancelled') then coalesce(refund_amount_original, amount_original)
            else coalesce(refund_amount_original, 0)
        end as refund_amount_original,
        amount_cny,
        cast(
            case
                when status in ('refunded', 'cancelled') then coalesce(refund_amount_cny, amount_cny)
                else coalesce(refund_amount_cny, 0)
            end as decimal(18, 4)
        ) as refund_amount_cny,
        fx_rate_to_cny,
        status = 'refunded' as is_refunded,
        status = 'cancelled' as is_cancelled,
        created_date,
        refunded_date,
        created_at,
        updated_at,
        refunded_at
    from latest
    where version_rank = 1 and was_paid = 1

),

final as (

    select
        order_id,
        user_id,
        status,
        currency,
        coupon_code,
        row_number() over (partition by user_id order by created_at, order_id) as order_sequence,
        amount_original,
        refund_amount_original,
        amount_cny,
        refund_amount_cny,
        cast(amount_cny - refund_amount_cny as decimal(18, 4)) as net_revenue_cny,
        is_refunded,
        is_cancelled,
        refund_amount_cny > 0 as has_refund,
        created_date,
        refunded_date,
        -- UTC
        created_at,
        updated_at,
        refunded_at
    from netted

)

select
    *,
    {{ built_at() }} as dbt_built_at
from final
-- kept in day order, so a nightly run's day filters skip the older row groups
order by created_date
