"""Cross-row invariants of the report tables, as SQL in DuckDB: rows that break them, with a sample."""

from __future__ import annotations

import duckdb

from growthmart.quality.verdicts import Verdict
from growthmart.quality.warehouse import REPORTS_SCHEMA, column_types, qualified, table_exists

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


# Measures that add up over an activity's phases: each day (and each signup, order and cost) is in one phase.
ACTIVITY_ADDITIVE = (
    "days", "observed_days", "new_users", "conversions", "coupon_orders", "incentive_cost_cny", "gmv_cny",
    "attributed_gmv_cny",
)  # fmt: skip


def activity_phases_partition_total(
    con: duckdb.DuckDBPyConnection, table: str = "rpt_activity_review"
) -> Verdict:
    """Activities whose phases do not partition their total row: the additive measures of warmup + peak + wrapup
    differ from the total's, or the total's participants (distinct users) exceed the phases' sum or fall below
    their largest phase; an activity with phases but no total row (or the reverse) breaks it too."""
    sums = ", ".join(f"sum({c}) as {c}" for c in ACTIVITY_ADDITIVE)
    differs = " or ".join(f"total.{c} is distinct from phases.{c}" for c in ACTIVITY_ADDITIVE)
    sql = f"""
        with
        report as (select * from {qualified(REPORTS_SCHEMA, table)}),
        phases as (
            select activity_id, {sums}, max(participants) as max_participants,
                sum(participants) as sum_participants
            from report where phase <> 'total' group by activity_id
        ),
        total as (select * from report where phase = 'total')
        select coalesce(total.activity_id, phases.activity_id) as activity_id, total.participants,
            phases.max_participants, phases.sum_participants,
            {", ".join(f"total.{c} as total_{c}, phases.{c} as phases_{c}" for c in ACTIVITY_ADDITIVE)}
        from total full outer join phases on total.activity_id = phases.activity_id
        where
            total.activity_id is null or phases.activity_id is null or {differs}
            or total.participants > phases.sum_participants or total.participants < phases.max_participants
        order by 1"""
    needs = ("activity_id", "phase", "participants", *ACTIVITY_ADDITIVE)
    return _violations(con, table, needs, sql, "an activity's phases do not add up to its total")
