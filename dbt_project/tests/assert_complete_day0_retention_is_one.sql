-- Every user has an event on their signup day (the signup event itself), so complete day-0 retention
-- is 1. A shortfall means signup events are missing or stitched to the wrong user: warn, do not block.

-- Shown in Dagster as a check on rpt_retention_cohorts (the test reads several models).
{{ config(meta={'dagster': {'ref': {'name': 'rpt_retention_cohorts'}}}) }}
{{ config(severity='warn') }}

select
    cohort_date,
    channel,
    cohort_size,
    retained_users
from {{ ref('rpt_retention_cohorts') }}
where day_n = 0 and is_complete and retained_users <> cohort_size
