-- The ISO weeks (Monday start, reporting-timezone days) in which a signed-up user was active, from
-- fct_user_activity_daily: the same "active" as DAU in rpt_kpi_daily (at least one event that day, from the
-- signup day on). Grain: user_id, week_start.
-- Incremental: whole weeks from the week of the earliest event / signup day landed in the partition window on
-- are re-counted (delete+insert by week_start): a late event re-counts its own week.

{%- set changed_inputs = [(ref('stg_app__events'), 'event_date'), (ref('stg_app__users'), 'signup_date')] %}

{{ config(**incremental_by_day('week_start')) }}

with

fct_user_activity_daily as (

    select * from {{ ref('fct_user_activity_daily') }}
    {% if is_incremental() -%}
        where
            activity_date
            >= cast({{ dbt.date_trunc('week', incremental_changed_from(changed_inputs)) }} as date)
    {%- endif %}

),

final as (

    select
        user_id,
        cast(count(*) as bigint) as active_days,
        cast(sum(events) as bigint) as events,
        cast({{ dbt.date_trunc('week', 'activity_date') }} as date) as week_start,
        min(activity_date) as first_active_date,
        max(activity_date) as last_active_date,
        min(signup_date) as signup_date
    from fct_user_activity_daily
    group by user_id, cast({{ dbt.date_trunc('week', 'activity_date') }} as date)

)

select
    *,
    {{ built_at() }} as dbt_built_at
from final
-- kept in week order, so a nightly run's week filters skip the older row groups
order by week_start
