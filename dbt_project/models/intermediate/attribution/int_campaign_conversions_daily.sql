-- Per campaign and reporting day: visits carrying the campaign's utm_campaign, and the signups, paid
-- orders (first orders among them) and net revenue last-touch attributed to it, counted on the
-- conversion day. Grain: campaign_id, report_date.

with

int_visits_classified as (

    select * from {{ ref('int_visits_classified') }}

),

int_conversions_last_touch_attributed as (

    select * from {{ ref('int_conversions_last_touch_attributed') }}

),

events as (

    select
        campaign_id,
        1 as is_visit,
        0 as is_signup,
        0 as is_order,
        0 as is_first_order,
        cast(0 as decimal(18, 4)) as net_revenue_cny,
        visit_date as report_date
    from int_visits_classified
    where campaign_id is not null

    union all

    select
        campaign_id,
        0 as is_visit,
        case when conversion_type = 'signup' then 1 else 0 end as is_signup,
        case when conversion_type = 'order' then 1 else 0 end as is_order,
        case when conversion_type = 'order' and is_first_order then 1 else 0 end as is_first_order,
        coalesce(net_revenue_cny, 0) as net_revenue_cny,
        conversion_date as report_date
    from int_conversions_last_touch_attributed
    where is_attributed

),

final as (

    select
        campaign_id,
        cast(sum(is_visit) as bigint) as visits,
        cast(sum(is_signup) as bigint) as attributed_signups,
        cast(sum(is_order) as bigint) as attributed_orders,
        cast(sum(is_first_order) as bigint) as attributed_first_orders,
        cast(sum(net_revenue_cny) as decimal(18, 4)) as attributed_revenue_cny,
        report_date
    from events
    group by campaign_id, report_date

)

select * from final
