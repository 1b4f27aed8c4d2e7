{#- The days an incremental daily model re-counts, as two CTEs for its `with` list (ending in a comma):
      days_to_recount  one row: first_changed_date, the earliest day an input landed in the partition window
                       changed (incremental_changed_from over changed_inputs; 9999-12-31 when nothing landed),
                       and first_recount_date, the earliest day re-counted at all (a plain lower bound that lets
                       DuckDB skip older row groups);
      reordered_days   report_date: the order days of the orders re-netted in this run (a refund changes the
                       net revenue of the day its order was placed), older ones included.
    A day is re-counted when it is on or after first_changed_date or one of reordered_days (in_days_to_recount).
    changed_inputs is a list of (relation, column) as incremental_changed_from takes it; landed_orders and
    netted_orders are the caller's ref('stg_app__orders') and ref('int_orders_netted'), resolved outside any
    is_incremental() block so dbt sees the dependencies. Only for an incremental run. -#}
{% macro days_to_recount(changed_inputs, landed_orders, netted_orders) -%}
    reordered_days as (

        select distinct created_date as report_date
        from {{ netted_orders }}
        where user_id in ({{ users_with_orders_landed(landed_orders) }})

    ),

    days_to_recount as (

        select
            changed.first_changed_date,
            least(changed.first_changed_date, (select min(report_date) from reordered_days)) as first_recount_date
        from (
            -- no input landed: no day from here on changed
            select
                coalesce({{ incremental_changed_from(changed_inputs) }}, cast('9999-12-31' as date))
                    as first_changed_date
        ) as changed

    ),
{%- endmacro %}


{#- True for a `column` day that days_to_recount re-counts: on or after its first changed day, or an order day
    of a re-netted order. Needs the CTEs of days_to_recount. -#}
{% macro in_days_to_recount(column) -%}
    {{ column }} >= (select first_recount_date from days_to_recount)
    and (
        {{ column }} >= (select first_changed_date from days_to_recount)
        or {{ column }} in (select report_date from reordered_days)
    )
{%- endmacro %}
