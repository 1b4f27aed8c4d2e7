-- Person funnel by ISO week of first visit and first-visit channel: visit -> signup -> activation ->
-- first paid order -> repeat paid order, each within the conversion window of the first visit.
-- A cohort is complete once its last person's window has closed (week start + 6 + window days <= data
-- end); incomplete cohorts show the users observed so far and NULL rates.
-- Grain: cohort_week, channel, step_order.

with

fct_funnel_persons as (

    select * from {{ ref('fct_funnel_persons') }}

),

dim_dates as (

    select * from {{ ref('dim_dates') }}

),

data_end as (

    select max(date_day) as data_end_date from dim_dates

),

funnel_steps as (

    select
        steps.step_order,
        steps.step_name
    from (
        values
        (1, 'visit'),
        (2, 'signup'),
        (3, 'activation'),
        (4, 'first_paid_order'),
        (5, 'repeat_paid_order')
    ) as steps (step_order, step_name)

),

cohorts as (

    select
        cohort_week,
        channel,
        count(*) as visited,
        count(signed_up_at) as signed_up,
        count(activated_at) as activated,
        count(first_ordered_at) as first_ordered,
        count(repeat_ordered_at) as repeat_ordered
    from fct_funnel_persons
    group by cohort_week, channel

),

steps as (

    select
        cohorts.cohort_week,
        cohorts.channel,
        step.step_order,
        step.step_name,
        case step.step_order
            when 1 then cohorts.visited
            when 2 then cohorts.signed_up
            when 3 then cohorts.activated
            when 4 then cohorts.first_ordered
            when 5 then cohorts.repeat_ordered
        end as users,
        cohorts.visited as first_step_users,
        {{ dbt.dateadd('day', 6 + var('funnel_conversion_window_days'), 'cohorts.cohort_week') }}
        <= data_end.data_end_date as is_complete
    from cohorts
    cross join data_end
    cross join funnel_steps as step

),

report_rows as (

    select
        cohort_week,
        channel,
        cast(step_order as integer) as step_order,
        step_name,
        cast(users as bigint) as users,
        case when is_complete then {{ safe_divide(
            'users',
            'lag(users) over (partition by cohort_week, channel order by step_order)'
        ) }} end as conversion_from_previous,
        case when is_complete then {{ safe_divide('users', 'first_step_users') }} end as conversion_from_first,
        is_complete
    from steps

),

final as (

    {{ with_code_labels('report_rows', {'channel': 'channel'}) }}

)

select * from final
