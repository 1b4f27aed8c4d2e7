"""Cross-row invariants of the report tables no dbt test states yet, as SQL in DuckDB: rows that break them, with a
sample."""

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


MARTS_SCHEMA = "marts"
USERS_MART = "dim_users"


def _needs_users_mart(con: duckdb.DuckDBPyConnection) -> Verdict | None:
    """A failed verdict when marts.dim_users (what the user reports are counted against) is missing."""
    if table_exists(con, MARTS_SCHEMA, USERS_MART):
        return None
    meta = {"unexpected_count": 1, "missing_table": f"{MARTS_SCHEMA}.{USERS_MART}"}
    return Verdict(False, f"table {MARTS_SCHEMA}.{USERS_MART} does not exist", meta)


def lifecycle_states_partition_users(
    con: duckdb.DuckDBPyConnection, table: str = "rpt_user_lifecycle_weekly"
) -> Verdict:
    """Weeks (per channel, and in total against marts.dim_users) whose users over the five states are not
    exactly the users signed up by the week's measure day: someone counted twice, or no one's state."""
    missing = _needs_users_mart(con)
    if missing:
        return missing
    report = qualified(REPORTS_SCHEMA, table)
    users = qualified(MARTS_SCHEMA, USERS_MART)
    sql = f"""
        with per_channel as (
            select week_start, channel, min(measure_date) as measure_date, count(distinct state) as states,
                   sum(users) as users_over_states, min(signed_up_users) as signed_up_users,
                   max(signed_up_users) as max_signed_up_users
            from {report} group by week_start, channel
        ),
        per_week as (
            select week_start, min(measure_date) as measure_date, sum(users_over_states) as users_over_states
            from per_channel group by week_start
        ),
        signed_up as (
            select per_week.week_start, count(users.user_id) as signed_up_users
            from per_week left join {users} as users on users.signup_date <= per_week.measure_date
            group by per_week.week_start
        )
        select week_start, channel, users_over_states, signed_up_users, states from per_channel
        where users_over_states <> signed_up_users or signed_up_users <> max_signed_up_users or states <> 5
        union all
        select per_week.week_start, '(all channels)', per_week.users_over_states, signed_up.signed_up_users, 5
        from per_week join signed_up using (week_start)
        where per_week.users_over_states <> signed_up.signed_up_users
        order by week_start, channel"""
    needs = ("week_start", "channel", "state", "users", "signed_up_users", "measure_date")
    what = "the users over the lifecycle states differ from the users signed up by the week's end"
    return _violations(con, table, needs, sql, what)


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
