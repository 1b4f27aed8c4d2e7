-- Per utm_content value and reporting day: visits carrying it, and the signups last-touch attributed to a
-- visit carrying it (counted on the signup day). utm_content is what tells A/B variants apart: the ad id on
-- the ad platforms' links, the page variant on a landing-page test's links. Grain: utm_content, report_date.
-- Independent of the experiments registry on purpose, so a registry edit never leaves stale history here.
-- Incremental: whole days are re-counted (delete+insert by report_date) from the earliest event / signup day
-- landed in the partition window on; a signup's touch is at most attribution_lookback_days older.

{%- set changed_inputs = [(ref('stg_app__events'), 'event_date'), (ref('stg_app__users'), 'signup_date')] %}

{{ config(materialized='incremental', incremental_strategy='delete+insert', unique_key='report_date') }}

with

int_visits_classified as (

    select * from {{ ref('int_visits_classified') }}
    where utm_content is not null

),

int_conversions_last_touch_attributed as (

    select * from {{ ref('int_conversions_last_touch_attributed') }}
    where conversion_type = 'signup' and is_attributed

),

{% if is_incremental() %}

    changed_days as (

        -- no event or signup landed: no day from here on changed
        select coalesce({{ incremental_changed_from(changed_inputs) }}, cast('9999-12-31' as date)) as first_changed_date

    ),

{% endif %}

visits as (

    select * from int_visits_classified
    {% if is_incremental() -%}
        -- the touches of the signups re-counted here (a day more for the timezone's edges)
        where visit_date >= (
            select
                cast({{ dbt.dateadd('day', -(var('attribution_lookback_days') + 1), 'first_changed_date') }}
                    as date)
            from changed_days
        )
    {%- endif %}

),

signups as (

    select * from int_conversions_last_touch_attributed
    {% if is_incremental() -%}
        where conversion_date >= (select first_changed_date from changed_days)
    {%- endif %}

),

events as (

    select
        utm_content,
        1 as is_visit,
        0 as is_signup,
        visit_date as report_date
    from visits
    {% if is_incremental() -%}
        where visit_date >= (select first_changed_date from changed_days)
    {%- endif %}

    union all

    select
        visits.utm_content,
        0 as is_visit,
        1 as is_signup,
        signups.conversion_date as report_date
    from signups
    inner join visits on signups.touch_event_id = visits.event_id

),

final as (

    select
        utm_content,
        cast(sum(is_visit) as bigint) as visits,
        cast(sum(is_signup) as bigint) as attributed_signups,
        report_date
    from events
    group by utm_content, report_date

)

select
    *,
    {{ built_at() }} as dbt_built_at
from final
