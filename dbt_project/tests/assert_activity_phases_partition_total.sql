-- Per activity, the phases (warmup, peak, wrapup) partition the total row: each additive measure of the three
-- phases sums to the total's (each day, signup, order and cost falls in one phase), and the total's participants
-- (distinct users) lie between the largest phase's and the phases' sum. An activity with phases but no total row,
-- or the reverse, breaks it too. Returns a row per activity that breaks it.

-- Shown in Dagster as a check on rpt_activity_review.
{{ config(meta={'dagster': {'ref': {'name': 'rpt_activity_review'}}}) }}

{%- set additive = ['days', 'observed_days', 'new_users', 'conversions', 'coupon_orders', 'incentive_cost_cny',
    'gmv_cny', 'attributed_gmv_cny'] %}

with

report as (

    select * from {{ ref('rpt_activity_review') }}

),

phases as (

    select
        activity_id,
        {%- for measure in additive %}
            sum({{ measure }}) as {{ measure }},
        {%- endfor %}
        max(participants) as max_participants,
        sum(participants) as sum_participants
    from report
    where phase <> 'total'
    group by activity_id

),

total as (

    select * from report
    where phase = 'total'

)

select
    coalesce(total.activity_id, phases.activity_id) as activity_id,
    total.participants,
    phases.max_participants,
    phases.sum_participants
from total
full outer join phases on total.activity_id = phases.activity_id
where
    total.activity_id is null
    or phases.activity_id is null
    {%- for measure in additive %}
        or total.{{ measure }} is distinct from phases.{{ measure }}
    {%- endfor %}
    or total.participants > phases.sum_participants
    or total.participants < phases.max_participants
