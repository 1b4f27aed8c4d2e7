-- Core KPIs per calendar month, up to data end. The body is shared with the other
-- rpt_kpi_* reports (macros/kpi_rollup.sql) so the three grains cannot drift apart.
-- Grain: month_start.

{{ kpi_rollup(period='month_start', datepart='month', period_alias='month_start') }}
