-- Core KPIs per calendar month, up to data end: the month rows of fct_kpis, the one definition of the three
-- rpt_kpi_* grains. Grain: month_start.

with

fct_kpis as (

    select * from {{ ref('fct_kpis') }}
    where period = 'month'

)

select
    period_start as month_start,
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
