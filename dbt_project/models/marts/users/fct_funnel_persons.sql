-- Every visitor's path through the funnel visit -> signup -> activation -> first paid order -> repeat
-- paid order. Each step is the earliest such event at or after the previous step and at most
-- var('funnel_conversion_window_days') days after the first visit; a skipped step ends the path.
-- Grain: person_id (the user_id once stitched, else the anonymous_id).
-- Incremental: the persons whose path can still change are re-derived: first visit within the conversion
-- window of the earliest event / signup day landed in the partition window, users whose device was linked in
-- this run (their first visit may now be an older anonymous one), and buyers whose paid order landed in the
-- window inside their conversion window. An anonymous person merged into a user is removed with a tombstone
-- (a row with no first visit, deleted by the post-hook), as in int_persons_first_visited.

{%- set identities = ref('int_identities_stitched') %}
{%- set landed_orders = ref('stg_app__orders') %}
{%- set changed_inputs = [(ref('stg_app__events'), 'event_date'), (ref('stg_app__users'), 'signup_date')] %}

{{ config(
    **incremental_by_key('person_id', 'first_visit_date', tombstone='first_visited_at is null')
) }}

with

{% if is_incremental() %}

    relinked as (

        {{ relinked_identities(identities) }}

    ),

    reordered as (

        -- buyers with a paid order landed in the window, inside their conversion window
        select persons.person_id
        from {{ ref('int_persons_first_visited') }} as persons
        inner join {{ landed_orders }} as landed
            on persons.person_id = landed.user_id
        where
            {{ incremental_window_filter('landed.partition_date') }}
            and landed.status = 'paid'
            and landed.created_at <= persons.window_ends_at

    ),

{% endif %}

int_persons_first_visited as {{ not_materialized() }} (

    select * from {{ ref('int_persons_first_visited') }}
    {% if is_incremental() -%}
        where
            visit_date >= cast(
                {{ dbt.dateadd(
                    'day',
                    -(var('funnel_conversion_window_days') + 1),
                    incremental_changed_from(changed_inputs)
                ) }} as date
            )
            -- a key lookup over the whole table: a merged user's first visit can be of any age
            or person_id in (
                select user_id from relinked
                union all
                select person_id from reordered
            )
    {%- endif %}

),

int_events_stitched as (

    select * from {{ ref('int_events_stitched') }}

),

stg_app__users as (

    select * from {{ ref('stg_app__users') }}

),

int_orders_netted as {{ not_materialized() }} (

    select * from {{ ref('int_orders_netted') }}

),

signups as (

    select
        persons.person_id,
        persons.window_ends_at,
        min(stg_app__users.signup_at) as signed_up_at
    from int_persons_first_visited as persons
    inner join stg_app__users
        on
            persons.person_id = stg_app__users.user_id
            and stg_app__users.signup_at between persons.visited_at and persons.window_ends_at
    group by persons.person_id, persons.window_ends_at

),

activation_events as (

    select
        person_id,
        event_at
    from int_events_stitched
    where is_activation
    {% if is_incremental() -%}
        and event_at >= (select min(signed_up_at) from signups)
    {%- endif %}

),

activations as (

    select
        signups.person_id,
        signups.window_ends_at,
        min(events.event_at) as activated_at
    from signups
    inner join activation_events as events
        on
            signups.person_id = events.person_id
            and events.event_at between signups.signed_up_at and signups.window_ends_at
    group by signups.person_id, signups.window_ends_at

),

first_orders as (

    -- order_sequence follows created_at, so both minima point at the same order
    select
        activations.person_id,
        activations.window_ends_at,
        min(orders.order_sequence) as order_sequence,
        min(orders.created_at) as first_ordered_at
    from activations
    inner join int_orders_netted as orders
        on
            activations.person_id = orders.user_id
            and orders.created_at between activations.activated_at and activations.window_ends_at
    group by activations.person_id, activations.window_ends_at

),

repeat_orders as (

    select
        first_orders.person_id,
        min(orders.created_at) as repeat_ordered_at
    from first_orders
    inner join int_orders_netted as orders
        on
            first_orders.person_id = orders.user_id
            and first_orders.order_sequence < orders.order_sequence
            and first_orders.window_ends_at >= orders.created_at
    group by first_orders.person_id

),

final as (

    select
        persons.person_id,
        persons.campaign_id as first_visit_campaign_id,
        persons.channel,
        cast({{ dbt.date_trunc('week', 'persons.visit_date') }} as date) as cohort_week,
        persons.visit_date as first_visit_date,
        -- UTC
        persons.visited_at as first_visited_at,
        signups.signed_up_at,
        activations.activated_at,
        first_orders.first_ordered_at,
        repeat_orders.repeat_ordered_at
    from int_persons_first_visited as persons
    left join signups on persons.person_id = signups.person_id
    left join activations on persons.person_id = activations.person_id
    left join first_orders on persons.person_id = first_orders.person_id
    left join repeat_orders on persons.person_id = repeat_orders.person_id

    {% if is_incremental() %}

        union all

        -- tombstones: anonymous persons merged into a user (deleted again by the post-hook)
        select
            anonymous_id as person_id,
            cast(null as {{ dbt.type_string() }}) as first_visit_campaign_id,
            cast(null as {{ dbt.type_string() }}) as channel,
            cast(null as date) as cohort_week,
            cast(null as date) as first_visit_date,
            cast(null as {{ dbt.type_timestamp() }}) as first_visited_at,
            cast(null as {{ dbt.type_timestamp() }}) as signed_up_at,
            cast(null as {{ dbt.type_timestamp() }}) as activated_at,
            cast(null as {{ dbt.type_timestamp() }}) as first_ordered_at,
            cast(null as {{ dbt.type_timestamp() }}) as repeat_ordered_at
        from relinked
        where anonymous_id <> user_id

    {% endif %}

)

select
    *,
    {{ built_at() }} as dbt_built_at
from final
-- kept in day order, so a nightly run's day filters skip the older row groups
order by first_visit_date
