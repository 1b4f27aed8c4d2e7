-- Activity registry rows whose phase dates are out of order: the phase starts present must increase strictly
-- (warm-up < peak < wrap-up) and none may lie after end_date; at least one phase must be present.

with

activities as (

    select * from {{ ref('stg_reference__activities') }}

)

select
    activity_id,
    warmup_start,
    peak_start,
    wrapup_start,
    end_date
from activities
where
    start_date is null
    or warmup_start >= peak_start
    or warmup_start >= wrapup_start
    or peak_start >= wrapup_start
    or warmup_start > end_date
    or peak_start > end_date
    or wrapup_start > end_date
