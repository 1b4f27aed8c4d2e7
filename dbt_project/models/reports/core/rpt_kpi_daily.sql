-- Core KPIs per reporting-timezone day, up to data end: the day rows of fct_kpis, the one definition of the three
-- rpt_kpi_* grains. Grain: report_date.

with

fct_kpis as (

    select * from {{ ref('fct_kpis') }}
    where period = 'day'

)

select
    period_start as report_date,
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
