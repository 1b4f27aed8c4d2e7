-- Incremental: the registry rows landed in the partition window replace their user_id's stored row.

{{ config(**incremental_by_key('user_id', 'signup_date')) }}

with

app_users as {{ not_materialized() }} (

    select * from {{ source('raw', 'app_users') }}
    where {{ incremental_window_filter('_partition_date') }}

),

ranked as (

    {{ latest_versions('app_users', ['user_id']) }}

),

final as (

    select
        user_id,
        anonymous_id,
        region,
        city,
        lower(trim(device)) as device,
        {{ to_reporting_date('signup_at') }} as signup_date,
        -- UTC
        signup_at,
        _partition_date as partition_date,
        _loaded_at as loaded_at
    from ranked
    where version_rank = 1

)

select
    *,
    {{ built_at() }} as dbt_built_at
from final
