-- Each person's first visit (stitched across devices) and the end of their funnel conversion window
-- (var('funnel_conversion_window_days') days later). Grain: person_id.

with

int_visits_classified as (

    select * from {{ ref('int_visits_classified') }}

),

ranked as (

    select
        *,
        row_number() over (partition by person_id order by visited_at, event_id) as visit_rank
    from int_visits_classified

),

final as (

    select
        person_id,
        event_id as first_visit_event_id,
        campaign_id,
        channel,
        visit_date,
        -- UTC
        visited_at,
        {{ dbt.dateadd('day', var('funnel_conversion_window_days'), 'visited_at') }} as window_ends_at
    from ranked
    where visit_rank = 1

)

select * from final
