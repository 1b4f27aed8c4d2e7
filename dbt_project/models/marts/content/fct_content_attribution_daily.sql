-- Per owned content item and reporting day: visits whose UTM content tag is the item (utm_content =
-- content_id on every content link), and the signups, paid orders (first orders among them) and net revenue
-- whose last-touch visit carried that tag, counted on the conversion day: int_touch_conversions_daily summed
-- over the campaigns of the item's tag. Grain: content_id, report_date.
-- Incremental: the days int_touch_conversions_daily re-counts (delete+insert by report_date): from the
-- earliest event / signup day landed in the partition window on, plus the order days of the orders re-netted
-- in this run.

{%- set landed_orders = ref('stg_app__orders') %}
{%- set netted_orders = ref('int_orders_netted') %}
{%- set changed_inputs = [(ref('stg_app__events'), 'event_date'), (ref('stg_app__users'), 'signup_date')] %}

{{ config(**incremental_by_day('report_date')) }}

with

{% if is_incremental() %}

    {{ days_to_recount(changed_inputs, landed_orders, netted_orders) }}

{% endif %}

int_touch_conversions_daily as (

    select * from {{ ref('int_touch_conversions_daily') }}
    {% if is_incremental() -%}
        where {{ in_days_to_recount('report_date') }}
    {%- endif %}

),

dim_content as (

    select * from {{ ref('dim_content') }}

),

final as (

    select
        dim_content.content_id,
        cast(sum(touches.visits) as bigint) as attributed_visits,
        cast(sum(touches.attributed_signups) as bigint) as attributed_signups,
        cast(sum(touches.attributed_orders) as bigint) as attributed_orders,
        cast(sum(touches.attributed_first_orders) as bigint) as attributed_first_orders,
        cast(sum(touches.attributed_revenue_cny) as decimal(18, 4)) as attributed_revenue_cny,
        touches.report_date
    from int_touch_conversions_daily as touches
    inner join dim_content
        on touches.utm_content = dim_content.content_id
    group by dim_content.content_id, touches.report_date

)

select
    *,
    {{ built_at() }} as dbt_built_at
from final
