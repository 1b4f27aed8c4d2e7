{#- The conversions both attributions credit: every signup (conversion_id = user_id) and every paid order
    (int_orders_netted), one row each. `signup_revenue` is what a signup carries as net_revenue_cny (NULL for
    the campaign last touch, 0 for the multi-touch credits, whose revenue credits must sum to it). -#}
{% macro signup_and_order_conversions(users, orders, signup_revenue='null') %}
    select
        'signup' as conversion_type,
        user_id as conversion_id,
        user_id,
        false as is_first_order,
        cast({{ signup_revenue }} as decimal(18, 4)) as net_revenue_cny,
        signup_date as conversion_date,
        signup_at as converted_at
    from {{ users }}

    union all

    select
        'order' as conversion_type,
        order_id as conversion_id,
        user_id,
        order_sequence = 1 as is_first_order,
        cast(net_revenue_cny as decimal(18, 4)) as net_revenue_cny,
        created_date as conversion_date,
        created_at as converted_at
    from {{ orders }}
{% endmacro %}

{#- The share of one touch, rounded per touch, with the path's last credited touch (is_path_end) taking the
    residual `total` - the others, so a conversion's shares sum to exactly `total` (1 for credits, the net
    revenue for revenue credits). -#}
{% macro residual_at_path_end(total, rounded, data_type) %}
    cast(
        case
            when is_path_end
                then {{ total }} - (sum({{ rounded }}) over (partition by conversion_type, conversion_id) - {{ rounded }})
            else {{ rounded }}
        end as {{ data_type }}
    )
{% endmacro %}
