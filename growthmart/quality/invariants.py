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


def segments_cover_users(con: duckdb.DuckDBPyConnection, table: str = "rpt_user_segments") -> Verdict:
    """Users of marts.dim_users without exactly one segment row, segment rows of unknown users, and RFM scores
    outside 1..5. Anti-joins and one GROUP BY in DuckDB: the per-user table never leaves the database."""
    missing = _needs_users_mart(con)
    if missing:
        return missing
    report = qualified(REPORTS_SCHEMA, table)
    users = qualified(MARTS_SCHEMA, USERS_MART)
    sql = f"""
        select 'missing_user' as problem, users.user_id, null as detail from {users} as users
        where not exists (select 1 from {report} as segments where segments.user_id = users.user_id)
        union all
        select 'unknown_user', segments.user_id, null from {report} as segments
        where not exists (select 1 from {users} as users where users.user_id = segments.user_id)
        union all
        select 'duplicate_user', user_id, cast(count(*) as varchar) from {report}
        group by user_id having count(*) > 1
        union all
        select 'score_out_of_range', user_id, concat_ws(',', r_score, f_score, m_score) from {report}
        where not (coalesce(r_score, 1) between 1 and 5 and coalesce(f_score, 1) between 1 and 5
                   and coalesce(m_score, 1) between 1 and 5)"""
    needs = ("user_id", "r_score", "f_score", "m_score")
    return _violations(
        con, table, needs, sql, "a user lacks exactly one segment row or a score is outside 1..5"
    )


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
