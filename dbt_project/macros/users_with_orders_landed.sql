{#- Subquery: user_id of every order version landed in the partition window (incremental_window_filter). All
    orders of these users are re-netted by int_orders_netted in this run (a refund, a late order, a
    re-numbered order_sequence), so every order-derived model refreshes them. `orders` is the caller's
    ref('stg_app__orders'), resolved outside any is_incremental() block so dbt sees the dependency. -#}
{% macro users_with_orders_landed(orders) -%}
    select landed.user_id from {{ orders }} as landed
    where {{ incremental_window_filter('landed.partition_date') }}
{%- endmacro %}
