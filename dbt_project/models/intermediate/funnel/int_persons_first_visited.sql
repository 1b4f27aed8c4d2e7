-- Each person's first visit (stitched across devices) and the end of their funnel conversion window
-- (var('funnel_conversion_window_days') days later). Grain: person_id.
-- Incremental: the first visit is a minimum, so a person's stored row is merged with their visits landed in
-- the partition window. A device newly linked to a user (int_identities_stitched rows of this run) merges
-- its anonymous person into the user: the stored anonymous row joins the user's candidates and a tombstone
-- (a row with no first visit, deleted by the post-hook) removes it. Limit: a device moving from one user to
-- another does not take its visits out of the first user's row until a full refresh.

{%- set identities = ref('int_identities_stitched') %}

{{ config(
    **incremental_by_key('person_id', 'visit_date', tombstone='first_visit_event_id is null')
) }}

with

int_visits_classified as (

    select * from {{ ref('int_visits_classified') }}
    where {{ incremental_window_filter() }}

),

{% if is_incremental() %}

    relinked as (

        {{ relinked_identities(identities) }}

    ),

    stored as (

        select
            coalesce(relinked.user_id, stored.person_id) as person_id,
            stored.first_visit_event_id as event_id,
            stored.campaign_id,
            stored.channel,
            stored.visit_date,
            stored.visited_at
        from {{ this }} as stored
        left join relinked
            on stored.person_id = relinked.anonymous_id
        -- a key lookup over the whole table: a returning visitor's first visit can be of any age
        where stored.person_id in (
            select person_id from int_visits_classified
            union all
            select user_id from relinked
            union all
            select anonymous_id from relinked
        )

    ),

{% endif %}

candidates as (

    select
        person_id,
        event_id,
        campaign_id,
        channel,
        visit_date,
        visited_at
    from int_visits_classified

    {% if is_incremental() %}
        union all
        select * from stored
    {% endif %}

),

ranked as (

    select
        *,
        row_number() over (partition by person_id order by visited_at, event_id) as visit_rank
    from candidates

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

    {% if is_incremental() %}

        union all

        -- tombstones: anonymous persons merged into a user (deleted again by the post-hook)
        select
            anonymous_id as person_id,
            cast(null as {{ dbt.type_string() }}) as first_visit_event_id,
            cast(null as {{ dbt.type_string() }}) as campaign_id,
            cast(null as {{ dbt.type_string() }}) as channel,
            cast(null as date) as visit_date,
            cast(null as {{ dbt.type_timestamp() }}) as visited_at,
            cast(null as {{ dbt.type_timestamp() }}) as window_ends_at
        from relinked
        where anonymous_id <> user_id

    {% endif %}

)

select
    *,
    {{ built_at() }} as dbt_built_at
from final
-- kept in day order, so a nightly run's day filters skip the older row groups
order by visit_date
