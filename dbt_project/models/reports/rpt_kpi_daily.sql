-- Core KPIs per reporting-timezone day, up to data end. The body is shared with the other
-- rpt_kpi_* reports (macros/kpi_rollup.sql) so the three grains cannot drift apart.
-- Grain: report_date.

{{ kpi_rollup(period='date_day', datepart='day', period_alias='report_date') }}
