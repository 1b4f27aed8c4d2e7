-- Per owned content item and reporting day: visits whose UTM content tag is the item (utm_content =
-- content_id on every content link), and the signups, paid orders (first orders among them) and net revenue
-- whose last-touch visit (int_conversions_last_touch_attributed.touch_event_id) carried that tag, counted on
-- the conversion day. Grain: content_id, report_date.
-- Incremental: as int_campaign_conversions_daily: whole days (delete+insert by report_date) from the
-- earliest event / signup day landed in the partition window on, plus the order days of the orders re-netted
-- in this run (a refund changes net revenue there), whose visits are kept as stored.

{%- set landed_orders = ref('stg_app__orders') %}
{%- set netted_orders = ref('int_orders_netted') %}
{%- set changed_inputs = [(ref('stg_app__events'), 'event_date'), (ref('stg_app__users'), 'signup_date')] %}

{{ config(materialized='incremental', incremental_strategy='delete+insert', unique_key='report_date') }}

with

int_visits_classified as (

    select * from {{ ref('int_visits_classified') }}

),

int_conversions_last_touch_attributed as (

    select * from {{ ref('int_conversions_last_touch_attributed') }}

),

dim_content as (

    select * from {{ ref('dim_content') }}

),

{% if is_incremental() %}

    changed_days as (

        -- no event or signup landed: no day from here on changed
        select coalesce({{ incremental_changed_from(changed_inputs) }}, cast('9999-12-31' as date)) as first_changed_date

    ),

    reordered_days as (

        select distinct created_date as report_date
        from {{ netted_orders }}
        where user_id in ({{ users_with_orders_landed(landed_orders) }})

    ),

{% endif %}

content_visits as (

    select
        int_visits_classified.event_id,
        int_visits_classified.utm_content as content_id,
        int_visits_classified.visit_date
    from int_visits_classified
    inner join dim_content
        on int_visits_classified.utm_content = dim_content.content_id

),

conversions as (

    select * from int_conversions_last_touch_attributed
    where is_attributed
    {% if is_incremental() -%}
        and (
            conversion_date >= (select first_changed_date from changed_days)
            or conversion_date in (select report_date from reordered_days)
        )
    {%- endif %}

),

touch_window as (

    -- the touches of the conversions counted here lie at most the lookback (a day more for the timezone's
    -- edges) before the earliest of them
    select
        cast(
            {{ dbt.dateadd('day', -(var('attribution_lookback_days') + 1), 'min(conversion_date)') }} as date
        ) as first_touch_date
    from conversions

),

touch_visits as (

    select * from content_visits
    where visit_date >= (select touch_window.first_touch_date from touch_window)

),

visits as (

    select
        content_id,
        count(*) as visits,
        visit_date as report_date
    from content_visits
    {% if is_incremental() -%}
        where visit_date >= (select first_changed_date from changed_days)
    {%- endif %}
    group by content_id, visit_date

    {% if is_incremental() %}

        union all

        -- order days before the changed days: visits as stored
        select
            stored.content_id,
            stored.attributed_visits as visits,
            stored.report_date
        from {{ this }} as stored
        where
            stored.attributed_visits > 0
            and stored.report_date in (select report_date from reordered_days)
            and stored.report_date < (select first_changed_date from changed_days)

    {% endif %}

),

events as (

    select
        content_id,
        visits,
        0 as is_signup,
        0 as is_order,
        0 as is_first_order,
        cast(0 as decimal(18, 4)) as net_revenue_cny,
        report_date
    from visits

    union all

    select
        touch_visits.content_id,
        0 as visits,
        case when conversions.conversion_type = 'signup' then 1 else 0 end as is_signup,
        case when conversions.conversion_type = 'order' then 1 else 0 end as is_order,
        case when conversions.conversion_type = 'order' and conversions.is_first_order then 1 else 0 end
            as is_first_order,
        coalesce(conversions.net_revenue_cny, 0) as net_revenue_cny,
        conversions.conversion_date as report_date
    from conversions
    inner join touch_visits
        on conversions.touch_event_id = touch_visits.event_id

),

final as (

    select
        content_id,
        cast(sum(visits) as bigint) as attributed_visits,
        cast(sum(is_signup) as bigint) as attributed_signups,
        cast(sum(is_order) as bigint) as attributed_orders,
        cast(sum(is_first_order) as bigint) as attributed_first_orders,
        cast(sum(net_revenue_cny) as decimal(18, 4)) as attributed_revenue_cny,
        report_date
    from events
    group by content_id, report_date

)

select
    *,
    {{ built_at() }} as dbt_built_at
from final
