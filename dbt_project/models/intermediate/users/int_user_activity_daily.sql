-- One row per signed-up user and reporting-timezone day with at least one event ("active" = at least one
-- event that calendar day). Late events count on the day they happened. Grain: user_id, activity_date.

with

int_events_stitched as (

    select * from {{ ref('int_events_stitched') }}

),

final as (

    select
        user_id,
        count(*) as events,
        cast(sum(case when is_visit then 1 else 0 end) as bigint) as visits,
        cast(sum(case when is_activation then 1 else 0 end) as bigint) as activation_events,
        event_date as activity_date
    from int_events_stitched
    where user_id is not null
    group by user_id, event_date

)

select * from final
