-- Core KPIs per ISO week (Monday start), up to data end. The body is shared with the other
-- rpt_kpi_* reports (macros/kpi_rollup.sql) so the three grains cannot drift apart.
-- Grain: week_start.

{{ kpi_rollup(period='week_start', datepart='week', period_alias='week_start') }}
