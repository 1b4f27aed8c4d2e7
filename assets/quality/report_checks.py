"""Blocking ERROR checks on the published report tables: they gate the BI publication.

Per report a Great Expectations suite (`ge_<report>`); on the funnel, `funnel_counts_non_increasing`;
where clicks and impressions meet, `clicks_le_impressions`; on the ROI report, `spend_reconciles`; on the
attribution report, `attribution_credits_reconcile`; on the lifecycle report, `lifecycle_states_partition_users`;
on the segments, `segments_cover_users` (and their GE suite runs as SQL, `validate_report_in_sql`: a per-user
table is not read into pandas); on the activity review, `activity_phases_partition_total`; on the A/B tests,
`one_control_per_experiment`.
A report table (or a table a check reads) that does not exist fails the check.
"""

from collections.abc import Callable

import dagster as dg
import duckdb
import pandas as pd

from assets.quality.raw_checks import run_id_of
from assets.resources import WarehouseResource
from growthmart.quality import data_docs, gx_runner, invariants, pushdown, suites
from growthmart.quality import warehouse as wh
from growthmart.quality.reconcile import reconcile_spend
from growthmart.quality.settings import QualitySettings
from growthmart.quality.verdicts import Verdict

ERROR = dg.AssetCheckSeverity.ERROR
CLICK_REPORTS = ("rpt_funnel_ads", "rpt_campaign_roi_daily", "rpt_campaign_roi")
FUNNEL_REPORT = "rpt_funnel_users"
SPEND_REPORT = "rpt_campaign_roi"
ATTRIBUTION_REPORT = "rpt_attribution_channels"
LIFECYCLE_REPORT = "rpt_user_lifecycle_weekly"
SEGMENTS_REPORT = "rpt_user_segments"
ACTIVITY_REPORT = "rpt_activity_review"
AB_REPORT = "rpt_ab_tests"


def validate_report(con: duckdb.DuckDBPyConnection, report: str) -> tuple[bool, str, dict]:
    """The report's published columns exist, then its suite; (passed, description, metadata)."""
    name = suites.report_suite_name(report)
    if not wh.table_exists(con, wh.REPORTS_SCHEMA, report):
        data_docs.record_error(name, f"table {wh.REPORTS_SCHEMA}.{report} does not exist", batch=None)
        meta = {"suite": name, "unexpected_count": 1, "missing_table": f"{wh.REPORTS_SCHEMA}.{report}"}
        return False, f"table {wh.REPORTS_SCHEMA}.{report} does not exist", meta
    if report in suites.SQL_PUSHDOWN_REPORTS:
        return validate_report_in_sql(con, report)
    df = wh.report_frame(con, report)  # reports are small aggregates: read whole
    batch = f"{wh.REPORTS_SCHEMA}.{report}: whole table ({len(df)} rows)"
    outcome = gx_runner.validate(
        df, f"{name}.columns", suites.report_columns_expectations(report), batch=batch
    )
    inputs = suites.REPORT_INPUTS.get(report, ())
    may_be_empty = bool(inputs) and wh.empty_sources(con, inputs) == list(inputs)
    if outcome.success:
        expectations = suites.report_expectations(report, may_be_empty=may_be_empty)
        outcome = gx_runner.validate(df, name, expectations, batch=batch)
    meta = outcome.metadata() | {"suite": name}
    verdict = "passed" if outcome.success else f"failed {len(outcome.failed)} expectation(s)"
    reason = f"{outcome.suite_name} {verdict} ({outcome.evaluated_count} evaluated)"
    if may_be_empty:  # a source the team does not use: the report may be empty
        sources = ", ".join(f"{wh.RAW_SCHEMA}.{s}" for s in inputs)
        meta["empty_inputs"] = list(inputs)
        reason += f"; {len(df)} rows, may be empty: its input(s) {sources} have no rows"
    return outcome.success, reason, meta


def validate_report_in_sql(con: duckdb.DuckDBPyConnection, report: str) -> tuple[bool, str, dict]:
    """A per-user report's suite without reading it into pandas: the column set in GX on a zero-row frame of
    the table's columns, then every row expectation pushed down to DuckDB in one query (pushdown.run)."""
    name = suites.report_suite_name(report)
    actual = wh.column_types(con, wh.REPORTS_SCHEMA, report)
    outcome = gx_runner.validate(
        pd.DataFrame(columns=list(actual)),
        f"{name}.columns",
        suites.report_columns_expectations(report),
        batch=f"column set of {wh.REPORTS_SCHEMA}.{report} (zero-row frame of its {len(actual)} columns)",
    )
    if not outcome.success:
        meta = outcome.metadata() | {"suite": name}
        return False, f"{outcome.suite_name} failed {len(outcome.failed)} expectation(s)", meta
    table_level = [
        e for e in suites.report_expectations(report) if e.kind == "ExpectTableRowCountToBeBetween"
    ]
    row_level = [e for e in suites.report_expectations(report) if e not in table_level]
    sql = pushdown.run(con, wh.REPORTS_SCHEMA, report, row_level, partitions=None, column_types=actual)
    failed = [
        {"expectation": c.expectation, "unexpected_count": c.unexpected_count, "observed": list(c.sample)}
        | ({"column": c.column} if c.column is not None else {})
        for c in sql.failed
    ]
    data_docs.record_pushdown(
        name,
        row_level,
        sql,
        batch=f"{wh.REPORTS_SCHEMA}.{report}: every row ({sql.row_count})",
        table_level=[(e, sql.row_count >= 1, sql.row_count) for e in table_level],
    )
    if sql.row_count < 1:  # an empty report is a broken build
        failed.append(
            {"expectation": "expect_table_row_count_to_be_between", "unexpected_count": 1, "observed": 0}
        )
    meta = {
        "suite": name,
        "engine": "sql_pushdown",
        "evaluated": len(row_level) + len(table_level),
        "failed": len(failed),
        "unexpected_count": sum(f["unexpected_count"] for f in failed),
        "rows_validated": sql.row_count,
        "failed_expectations": failed,
        "sql_seconds": round(sql.seconds, 3),
    }
    verdict = "passed" if not failed else f"failed {len(failed)} expectation(s)"
    return not failed, f"{name} {verdict} in SQL ({meta['evaluated']} evaluated, {sql.row_count} rows)", meta


def build_report_checks(settings: QualitySettings | None = None) -> list[dg.AssetChecksDefinition]:
    """Every report's checks, all blocking with ERROR severity."""
    cfg = settings or QualitySettings()
    checks = [
        _check(r, f"ge_{r}", f"Great Expectations suite reports.{r}.", validate_report)
        for r in suites.REPORTS
    ]
    checks.append(
        _check(
            FUNNEL_REPORT,
            "funnel_counts_non_increasing",
            "Within a cohort week and channel, no funnel step has more users than the step before it.",
            lambda con, _: _verdict(invariants.funnel_counts_increasing(con, FUNNEL_REPORT)),
        )
    )
    checks += [
        _check(
            r,
            "clicks_le_impressions",
            "No row has more clicks than impressions.",
            lambda con, report: _verdict(invariants.clicks_over_impressions(con, report)),
        )
        for r in CLICK_REPORTS
    ]
    checks.append(
        _check(
            AB_REPORT,
            "one_control_per_experiment",
            "Every experiment has exactly one control row (lift and p-values compare each variant with it).",
            lambda con, _: _verdict(invariants.experiments_without_one_control(con, AB_REPORT)),
        )
    )
    checks.append(
        _check(
            SPEND_REPORT,
            "spend_reconciles",
            f"Total spend here = unified ad spend + non-ad costs = raw spend converted to CNY "
            f"(within {cfg.spend_tolerance_cny} CNY).",
            lambda con, _: _verdict(reconcile_spend(con, cfg.spend_tolerance_cny)),
        )
    )
    checks.append(
        _check(
            ATTRIBUTION_REPORT,
            "attribution_credits_reconcile",
            "Per attribution model, the attributed orders and revenue sum exactly to the paid orders and their "
            "net revenue up to data end.",
            lambda con, report: _verdict(invariants.attribution_credits_unreconciled(con, report)),
        )
    )
    checks += [
        _check(
            LIFECYCLE_REPORT,
            "lifecycle_states_partition_users",
            "Every week, the users over the five lifecycle states add up to the users signed up by the week's end "
            "(marts.dim_users), per channel and in total; and no user has two states in a week.",
            lambda con, _: _verdict(invariants.lifecycle_states_partition_users(con, LIFECYCLE_REPORT)),
        ),
        _check(
            SEGMENTS_REPORT,
            "segments_cover_users",
            "One segment row per user of marts.dim_users, and every RFM score within 1..5.",
            lambda con, _: _verdict(invariants.segments_cover_users(con, SEGMENTS_REPORT)),
        ),
    ]
    checks.append(
        _check(
            ACTIVITY_REPORT,
            "activity_phases_partition_total",
            "Per activity, warmup + peak + wrapup add up to the total row (days, new users, conversions, "
            "incentive cost, GMV); total participants lie between the largest phase's and the phases' sum.",
            lambda con, _: _verdict(invariants.activity_phases_partition_total(con, ACTIVITY_REPORT)),
        )
    )
    return checks


def _verdict(result: Verdict) -> tuple[bool, str, dict]:
    return result.passed, result.reason, result.metadata


def report_asset_key(report: str) -> dg.AssetKey:
    """The dbt asset of a report table: dagster-dbt prefixes a model's key with its configured schema
    (`+schema: reports`), so `rpt_x` is `reports/rpt_x`. A check on a key no asset has would make Dagster
    create a stand-in asset nothing materializes: the check would never run and never block anything
    (tests/orchestration/test_definitions.py fails on any such check)."""
    return dg.AssetKey([wh.REPORTS_SCHEMA, report])


def _check(
    report: str,
    name: str,
    description: str,
    evaluate: Callable[[duckdb.DuckDBPyConnection, str], tuple[bool, str, dict]],
) -> dg.AssetChecksDefinition:
    @dg.asset_check(asset=report_asset_key(report), name=name, blocking=True, description=description)
    def _report_check(
        context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource
    ) -> dg.AssetCheckResult:
        # GE suites (and only they) are recorded for the Data Docs; any check's failure rebuilds the site.
        suite = suites.report_suite_name(report) if name == f"ge_{report}" else None
        check = f"{wh.REPORTS_SCHEMA}/{report} {name}"
        with (
            data_docs.recording(warehouse.data_dir, run_id_of(context), check=check, suite=suite) as rec,
            warehouse.connect() as con,
        ):
            passed, reason, metadata = evaluate(con, report)
            rec.check_failed = not passed
        return dg.AssetCheckResult(passed=passed, severity=ERROR, description=reason, metadata=metadata)

    return _report_check
