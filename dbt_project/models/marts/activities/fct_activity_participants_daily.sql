-- Who took part in activities, per user and reporting day: visits carrying an activity campaign's UTM (campaign
-- registry type 'activity') and paid orders redeeming a coupon. rpt_activity_review counts an activity's
-- participants from here: users who visited with its campaign's UTM or redeemed its coupon within a phase.
-- A user takes part from their signup day on (a visit earlier the same day is stitched to them): anonymous
-- browsing before signup belongs to the funnel, as in fct_user_activity_daily.
-- Grain: participation_date, user_id, campaign_id, coupon_code (a row holds either the visits to one activity
-- campaign, coupon_code NULL, or the orders redeeming one coupon, campaign_id NULL).
-- Incremental: whole days (delete+insert by participation_date) from the earliest event / signup / order day
-- landed in the partition window on (a refund lands with its order's created day, so it is re-derived too).

{%- set changed_inputs = [
    (ref('stg_app__events'), 'event_date'),
    (ref('stg_app__users'), 'signup_date'),
    (ref('stg_app__orders'), 'created_date'),
] %}

{{ config(**incremental_by_day('participation_date')) }}

with

int_visits_classified as (

    select * from {{ ref('int_visits_classified') }}
    where campaign_id is not null
    {% if is_incremental() -%}
        and visit_date >= {{ incremental_changed_from(changed_inputs) }}
    {%- endif %}

),

fct_orders as (

    select * from {{ ref('fct_orders') }}
    where coupon_code is not null
    {% if is_incremental() -%}
        and created_date >= {{ incremental_changed_from(changed_inputs) }}
    {%- endif %}

),

dim_campaigns as (

    select * from {{ ref('dim_campaigns') }}

),

dim_users as (

    select * from {{ ref('dim_users') }}

),

visits as (

    select
        int_visits_classified.user_id,
        int_visits_classified.campaign_id,
        cast(null as {{ dbt.type_string() }}) as coupon_code,
        count(*) as visits,
        0 as coupon_orders,
        int_visits_classified.visit_date as participation_date
    from int_visits_classified
    inner join dim_campaigns
        on int_visits_classified.campaign_id = dim_campaigns.campaign_id
    inner join dim_users
        on int_visits_classified.user_id = dim_users.user_id
    where
        dim_campaigns.campaign_type = 'activity'
        and int_visits_classified.visit_date >= dim_users.signup_date
    group by int_visits_classified.user_id, int_visits_classified.campaign_id, int_visits_classified.visit_date

),

redemptions as (

    select
        user_id,
        cast(null as {{ dbt.type_string() }}) as campaign_id,
        coupon_code,
        0 as visits,
        count(*) as coupon_orders,
        created_date as participation_date
    from fct_orders
    group by user_id, coupon_code, created_date

),

final as (

    select
        user_id,
        campaign_id,
        coupon_code,
        cast(visits as bigint) as visits,
        cast(coupon_orders as bigint) as coupon_orders,
        participation_date
    from visits

    union all

    select
        user_id,
        campaign_id,
        coupon_code,
        cast(visits as bigint) as visits,
        cast(coupon_orders as bigint) as coupon_orders,
        participation_date
    from redemptions

)

select
    *,
    {{ built_at() }} as dbt_built_at
from final
-- kept in day order, so a nightly run's day filters skip the older row groups
order by participation_date
