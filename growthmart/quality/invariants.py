"""Cross-row invariants of the report tables, as SQL in DuckDB: rows that break them, with a sample."""

from __future__ import annotations

import duckdb

from growthmart.quality.suites import ATTRIBUTION_MODELS
from growthmart.quality.verdicts import Verdict
from growthmart.quality.warehouse import REPORTS_SCHEMA, column_types, find_table, qualified, table_exists

SAMPLE_ROWS = 5


def _violations(
    con: duckdb.DuckDBPyConnection, table: str, needs: tuple[str, ...], violating_sql: str, what: str
) -> Verdict:
    """Run `violating_sql` (selects the rows that break the invariant) once the table and columns exist."""
    if not table_exists(con, REPORTS_SCHEMA, table):
        meta = {"unexpected_count": 1, "missing_table": f"{REPORTS_SCHEMA}.{table}"}
        return Verdict(False, f"table {REPORTS_SCHEMA}.{table} does not exist", meta)
    missing = [c for c in needs if c not in column_types(con, REPORTS_SCHEMA, table)]
    if missing:
        meta = {"unexpected_count": len(missing), "missing_columns": missing}
        return Verdict(False, f"{REPORTS_SCHEMA}.{table} lacks {', '.join(missing)}", meta)
    cursor = con.execute(f"select * from ({violating_sql}) limit {SAMPLE_ROWS}")
    columns = [d[0] for d in cursor.description]
    sample = [dict(zip(columns, map(str, row), strict=True)) for row in cursor.fetchall()]
    count = con.execute(f"select count(*) from ({violating_sql})").fetchone()[0]
    meta = {"unexpected_count": int(count), "sample": sample}
    return Verdict(count == 0, f"{count} row(s) where {what}" if count else f"no row where {what}", meta)


def funnel_counts_increasing(con: duckdb.DuckDBPyConnection, table: str = "rpt_funnel_users") -> Verdict:
    """Steps of one cohort week and channel whose users exceed the previous step's users."""
    sql = f"""
        select cohort_week, channel, step_order, step_name, users, previous_users from (
            select *, lag(users) over (partition by cohort_week, channel order by step_order) as previous_users
            from {qualified(REPORTS_SCHEMA, table)}
        ) where users > previous_users order by cohort_week, channel, step_order"""
    needs = ("cohort_week", "channel", "step_order", "step_name", "users")
    return _violations(con, table, needs, sql, "a funnel step has more users than the step before it")


def clicks_over_impressions(con: duckdb.DuckDBPyConnection, table: str) -> Verdict:
    sql = f"select * from {qualified(REPORTS_SCHEMA, table)} where clicks > impressions"
    return _violations(con, table, ("clicks", "impressions"), sql, "clicks exceed impressions")


# The dbt models the attribution check reconciles against (any schema is searched).
ATTRIBUTION_SOURCES = {"orders": "int_orders_netted", "dates": "dim_dates"}


def attribution_credits_unreconciled(
    con: duckdb.DuckDBPyConnection, table: str = "rpt_attribution_channels"
) -> Verdict:
    """Attribution models whose attributed orders or revenue differ from the paid orders and their net revenue.

    Per model, the report's attributed_conversions must sum to exactly the paid orders up to data end
    (int_orders_netted, created_date <= max(dim_dates.date_day)) and attributed_revenue to exactly their net
    revenue: multi-touch credits are split with a residual, so no tolerance. A model with no rows counts as 0.
    """
    found = {role: find_table(con, [name]) for role, name in ATTRIBUTION_SOURCES.items()}
    missing = [ATTRIBUTION_SOURCES[role] for role, where in found.items() if where is None]
    if missing:
        meta = {"unexpected_count": len(missing), "missing_tables": missing}
        return Verdict(False, f"cannot reconcile attribution: {', '.join(missing)} not found", meta)
    orders, dates = qualified(*found["orders"]), qualified(*found["dates"])
    models = " union all ".join(f"select '{m}' as attribution_model" for m in ATTRIBUTION_MODELS)
    sql = f"""
        with expected as (
            select count(*) as paid_orders, coalesce(sum(net_revenue_cny), 0) as net_revenue
            from {orders}
            where created_date <= (select max(date_day) from {dates})
        ),
        reported as (
            select attribution_model, sum(attributed_conversions) as orders, sum(attributed_revenue) as revenue
            from {qualified(REPORTS_SCHEMA, table)}
            group by attribution_model
        ),
        models as ({models})
        select models.attribution_model, coalesce(reported.orders, 0) as attributed_orders, expected.paid_orders,
               coalesce(reported.revenue, 0) as attributed_revenue, expected.net_revenue
        from models cross join expected
        left join reported on models.attribution_model = reported.attribution_model
        where coalesce(reported.orders, 0) <> expected.paid_orders
           or coalesce(reported.revenue, 0) <> expected.net_revenue
        order by models.attribution_model"""
    needs = ("attribution_model", "attributed_conversions", "attributed_revenue")
    return _violations(
        con,
        table,
        needs,
        sql,
        "a model's attributed orders or revenue differ from the paid orders or net revenue",
    )
