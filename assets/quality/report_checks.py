"""Blocking ERROR checks on the published report tables: they gate the BI publication.

Per report a Great Expectations suite (`ge_<report>`); on the funnel, `funnel_counts_non_increasing`;
where clicks and impressions meet, `clicks_le_impressions`; on the ROI report, `spend_reconciles`; on the
A/B tests, `one_control_per_experiment`.
A report table (or a table a check reads) that does not exist fails the check.
"""

from __future__ import annotations

from collections.abc import Callable

import dagster as dg
import duckdb

from assets.ingest.raw_assets import WRITER_POOL
from assets.resources import WarehouseResource
from growthmart.quality import gx_runner, invariants, suites
from growthmart.quality import warehouse as wh
from growthmart.quality.reconcile import reconcile_spend
from growthmart.quality.settings import QualitySettings
from growthmart.quality.verdicts import Verdict

ERROR = dg.AssetCheckSeverity.ERROR
CLICK_REPORTS = ("rpt_funnel_ads", "rpt_campaign_roi_daily", "rpt_campaign_roi")
FUNNEL_REPORT = "rpt_funnel_users"
SPEND_REPORT = "rpt_campaign_roi"
AB_REPORT = "rpt_ab_tests"


def validate_report(con: duckdb.DuckDBPyConnection, report: str) -> tuple[bool, str, dict]:
    """The report's published columns exist, then its suite; (passed, description, metadata)."""
    name = suites.report_suite_name(report)
    if not wh.table_exists(con, wh.REPORTS_SCHEMA, report):
        meta = {"suite": name, "unexpected_count": 1, "missing_table": f"{wh.REPORTS_SCHEMA}.{report}"}
        return False, f"table {wh.REPORTS_SCHEMA}.{report} does not exist", meta
    df = wh.report_frame(con, report)  # reports are small aggregates: read whole
    outcome = gx_runner.validate(df, f"{name}.columns", suites.report_columns_expectations(report))
    if outcome.success:
        outcome = gx_runner.validate(df, name, suites.report_expectations(report))
    meta = outcome.metadata() | {"suite": name}
    verdict = "passed" if outcome.success else f"failed {len(outcome.failed)} expectation(s)"
    return outcome.success, f"{outcome.suite_name} {verdict} ({outcome.evaluated_count} evaluated)", meta


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
    return checks


def _verdict(result: Verdict) -> tuple[bool, str, dict]:
    return result.passed, result.reason, result.metadata


def _check(
    report: str,
    name: str,
    description: str,
    evaluate: Callable[[duckdb.DuckDBPyConnection, str], tuple[bool, str, dict]],
) -> dg.AssetChecksDefinition:
    @dg.asset_check(
        asset=dg.AssetKey([report]), name=name, blocking=True, pool=WRITER_POOL, description=description
    )
    def _report_check(warehouse: WarehouseResource) -> dg.AssetCheckResult:
        with warehouse.connect() as con:
            passed, reason, metadata = evaluate(con, report)
        return dg.AssetCheckResult(passed=passed, severity=ERROR, description=reason, metadata=metadata)

    return _report_check
