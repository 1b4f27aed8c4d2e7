-- Core KPIs per ISO week (Monday start), up to data end: the week rows of fct_kpis, the one definition of the three
-- rpt_kpi_* grains. Grain: week_start.

with

fct_kpis as (

    select * from {{ ref('fct_kpis') }}
    where period = 'week'

)

select
    period_start as week_start,
    new_users,
    active_users,
    paying_users,
    orders,
    gmv,
    net_revenue,
    aov,
    arppu,
    spend,
    cac,
    blended_roas,
    d1_retention,
    d7_retention,
    d30_retention,
    is_complete
from fct_kpis
