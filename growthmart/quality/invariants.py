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


def experiments_without_one_control(con: duckdb.DuckDBPyConnection, table: str = "rpt_ab_tests") -> Verdict:
    """Experiments with no control row or several: every lift and p-value compares a variant with the one control."""
    sql = f"""
        select experiment_id, count(*) filter (where is_control) as control_rows
        from {qualified(REPORTS_SCHEMA, table)}
        group by experiment_id
        having count(*) filter (where is_control) <> 1
        order by experiment_id"""
    return _violations(
        con, table, ("experiment_id", "is_control"), sql, "an experiment has not exactly one control"
    )
