-- Retention of signup cohorts by first-touch channel on day N after signup, N in var('retention_days').
-- Rows whose day N is after data end are incomplete: their counts and rates are NULL, never 0.
-- Grain: cohort_date, channel, day_n.

with

fct_cohort_retention as (

    select * from {{ ref('fct_cohort_retention') }}

),

report_rows as (

    select
        cohort_date,
        channel,
        cast(day_n as integer) as day_n,
        cast(cohort_size as bigint) as cohort_size,
        cast(case when is_complete then retained_users end as bigint) as retained_users,
        case when is_complete then {{ safe_divide('retained_users', 'cohort_size') }} end as retention_rate,
        cast(case when is_complete then unbounded_retained_users end as bigint) as unbounded_retained_users,
        case
            when is_complete then {{ safe_divide('unbounded_retained_users', 'cohort_size') }}
        end as unbounded_retention_rate,
        is_complete
    from fct_cohort_retention

),

final as (

    {{ with_code_labels('report_rows', {'channel': 'channel'}) }}

)

select * from final
