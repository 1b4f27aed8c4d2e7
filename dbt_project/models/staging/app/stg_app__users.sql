with

app_users as (

    select * from {{ source('raw', 'app_users') }}

),

ranked as (

    select
        *,
        {{ latest_version_rank(['user_id']) }} as version_rank
    from app_users

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

select * from final
