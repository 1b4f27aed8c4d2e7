-- Multi-touch attribution loses and invents nothing: per conversion and model the touch credits sum to
-- exactly 1 and the revenue credits to exactly the conversion's net revenue; every paid order and signup has
-- touch rows; and per model rpt_attribution_channels attributes exactly the paid orders, their net revenue and
-- the signups up to data end. Exact decimal equality, no tolerance. Returns the rows that break it.

-- Shown in Dagster as a check on rpt_attribution_channels (the test reads several models).
{{ config(meta={'dagster': {'ref': {'name': 'rpt_attribution_channels'}}}) }}

with

credits as (

    select * from {{ ref('int_conversion_touch_credits') }}

),

data_end as (

    select max(date_day) as data_end_date from {{ ref('dim_dates') }}

),

conversions as (

    select
        'order' as conversion_type,
        order_id as conversion_id,
        net_revenue_cny,
        created_date as conversion_date
    from {{ ref('int_orders_netted') }}

    union all

    select
        'signup' as conversion_type,
        user_id as conversion_id,
        0 as net_revenue_cny,
        signup_date as conversion_date
    from {{ ref('stg_app__users') }}

),

per_conversion as (

    select
        conversion_type,
        conversion_id,
        {%- for model in attribution_models() %}
            sum({{ model }}_credit) as {{ model }}_credits,
            sum({{ model }}_revenue_cny) as {{ model }}_revenue_cny,
        {%- endfor %}
        max(net_revenue_cny) as net_revenue_cny
    from credits
    group by conversion_type, conversion_id

),

conversion_failures as (

    select
        coalesce(conversions.conversion_type, per_conversion.conversion_type) as conversion_type,
        coalesce(conversions.conversion_id, per_conversion.conversion_id) as conversion_id,
        cast(null as {{ dbt.type_string() }}) as attribution_model,
        case
            when per_conversion.conversion_id is null then 'conversion without touch rows'
            when conversions.conversion_id is null then 'touch rows without a conversion'
            else 'credits do not sum to 1 and the net revenue'
        end as failure
    from conversions
    full outer join per_conversion
        on
            conversions.conversion_type = per_conversion.conversion_type
            and conversions.conversion_id = per_conversion.conversion_id
    where
        per_conversion.conversion_id is null
        or conversions.conversion_id is null
        or per_conversion.net_revenue_cny <> conversions.net_revenue_cny
        {%- for model in attribution_models() %}
            or per_conversion.{{ model }}_credits <> 1
            or per_conversion.{{ model }}_revenue_cny <> conversions.net_revenue_cny
        {%- endfor %}

),

expected as (

    select
        count(case when conversions.conversion_type = 'order' then 1 end) as orders,
        coalesce(sum(conversions.net_revenue_cny), 0) as revenue,
        count(case when conversions.conversion_type = 'signup' then 1 end) as signups
    from conversions
    cross join data_end
    where conversions.conversion_date <= data_end.data_end_date

),

reported as (

    select
        attribution_model,
        sum(attributed_conversions) as orders,
        sum(attributed_revenue) as revenue,
        sum(attributed_signups) as signups
    from {{ ref('rpt_attribution_channels') }}
    group by attribution_model

),

model_failures as (

    select
        cast(null as {{ dbt.type_string() }}) as conversion_type,
        cast(null as {{ dbt.type_string() }}) as conversion_id,
        reported.attribution_model,
        'report totals differ from the paid orders, net revenue or signups' as failure
    from reported
    cross join expected
    where
        reported.orders <> expected.orders
        or reported.revenue <> expected.revenue
        or reported.signups <> expected.signups

)

select * from conversion_failures
union all
select * from model_failures
