{#- Subquery: the devices whose link to a user was made or changed by this run's data (anonymous_id, user_id of
    the int_identities_stitched rows landed in the partition window, incremental_window_filter). Their anonymous
    person merges into the user in every person-keyed incremental model. `identities` is the caller's
    ref('int_identities_stitched'), resolved outside any is_incremental() block so dbt sees the dependency. -#}
{% macro relinked_identities(identities) -%}
    select
        anonymous_id,
        user_id
    from {{ identities }}
    where {{ incremental_window_filter() }}
{%- endmacro %}
