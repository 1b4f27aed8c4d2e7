"""Report checks in Dagster terms: each has a known-bad table that fails it and a clean one that passes."""

# No `from __future__ import annotations`: Dagster reads the stand-in assets' annotations as classes.
import dagster as dg
import pytest
from quality_tables import clean_report_row, create_report

from assets.quality import build_report_checks
from growthmart.quality import suites
from growthmart.quality.gx_runner import ValidationEngineError

# (report, check name) -> (a definition of that report's check alone, its name): what the run_check fixture invokes
# and a run materializes (the pipeline's definition holds every report's check in one step)
CHECKS = {
    (key.asset_key.path[-1], key.name): (check, key.name)
    for report in suites.REPORTS
    for check in build_report_checks([report])
    for key in check.check_keys
}
ERROR = dg.AssetCheckSeverity.ERROR


def meta(result: dg.AssetCheckResult) -> dict:
    return {k: v.value for k, v in result.metadata.items()}


def failed_columns(result: dg.AssetCheckResult) -> set[str]:
    return {f.get("column", "") for f in meta(result)["failed_expectations"]}


def test_every_report_check_is_blocking_with_the_names_the_readme_promises():
    specs = {(s.asset_key.path[-1], s.name): s for check in build_report_checks() for s in check.check_specs}
    expected = {(r, f"ge_{r}") for r in suites.REPORTS}
    assert set(specs) == expected
    assert all(s.blocking for s in specs.values())


@pytest.mark.parametrize("report", suites.REPORTS)
def test_a_clean_report_passes_its_ge_suite(report, con, run_check):
    create_report(con, report, [clean_report_row(report)])
    result = run_check(CHECKS[(report, f"ge_{report}")])
    assert result.passed, meta(result)["failed_expectations"]
    assert meta(result)["evaluated"] >= 2  # the row count and at least one value rule


# One bad value per kind of rule the GX suites hold (the rules dbt's tests state are proven in
# tests/test_pipeline_integration.py, on the real warehouse).
BAD_REPORT_VALUES = [
    (
        "rpt_retention_cohorts",
        {"retention_rate": 0.7, "unbounded_retention_rate": 0.6},
        "unbounded_retention_rate, retention_rate",
    ),
    (
        "rpt_retention_cohorts",
        {"is_complete": False, "retention_rate": 0.0},
        "retention_rate where is_complete == False",
    ),
    ("rpt_cac_ltv_monthly", {"cac": 0.0}, "cac"),
    ("rpt_campaign_roi", {"spend": -10.0}, "spend"),
    ("rpt_kpi_monthly", {"net_revenue": 150.0, "gmv": 100.0}, "gmv, net_revenue"),
    ("rpt_kpi_daily", {"net_revenue": 0.0, "blended_roas": None}, "blended_roas where spend > 0"),
    ("rpt_kpi_weekly", {"spend": 0.0, "cac": None, "blended_roas": 0.0}, "blended_roas where spend == 0"),
    ("rpt_attribution_channels", {"attributed_revenue": -1.0}, "attributed_revenue"),
    ("rpt_user_lifecycle_weekly", {"users": 120.0, "users_share": 1.0}, "signed_up_users, users"),
    ("rpt_user_segments", {"frequency": -1}, "frequency"),
    ("rpt_content_daily", {"likes": -1}, "likes"),
    ("rpt_content_items", {"cost_per_lead": 0.0}, "cost_per_lead"),
    ("rpt_activity_review", {"days": 0.0, "observed_days": 0.0}, "days"),
    ("rpt_ab_tests", {"lift": -2.0}, "lift"),
    ("rpt_kpi_drivers", {"value_before": -1.0}, "value_before"),
    ("rpt_alerts", {"observed": -1.0}, "observed"),
    ("rpt_alerts", {"expected_low": 120.0, "expected_high": 80.0}, "expected_high, expected_low"),
    ("rpt_competitor_weekly", {"avg_price_change": -1.5}, "avg_price_change"),
    ("rpt_competitor_weekly", {"best_app_rank": 0}, "best_app_rank"),
    ("rpt_recommendations", {"priority": 0}, "priority"),
    ("rpt_recommendations", {"evidence_keys": "cmp_1"}, "evidence_keys"),
    (
        "rpt_competitor_weekly",
        {"items_tracked": 0, "avg_price_cny": None},
        "max_discount where items_tracked == 0",
    ),
]


@pytest.mark.parametrize(("report", "change", "column"), BAD_REPORT_VALUES)
def test_a_known_bad_report_row_fails_its_ge_suite(report, change, column, con, run_check):
    create_report(con, report, [clean_report_row(report), clean_report_row(report) | change])
    result = run_check(CHECKS[(report, f"ge_{report}")])
    assert not result.passed and result.severity == ERROR
    assert column in failed_columns(result)
    assert meta(result)["unexpected_count"] >= 1


def test_an_empty_report_fails(con, run_check):
    create_report(con, "rpt_kpi_monthly", [])
    result = run_check(CHECKS[("rpt_kpi_monthly", "ge_rpt_kpi_monthly")])
    assert not result.passed


def test_an_empty_alerts_report_passes_a_day_without_anomalies(con, run_check):
    create_report(con, "rpt_alerts", [])
    result = run_check(CHECKS[("rpt_alerts", "ge_rpt_alerts")])
    assert result.passed, meta(result)["failed_expectations"]


def test_the_drivers_report_may_be_empty_only_before_a_second_day_is_loaded(con, run_check):
    """The first loaded day has no day before it to compare with: rpt_kpi_drivers is empty and publishes. From the
    second day on each day has its GMV drivers, and an empty table fails."""
    create_report(con, "rpt_kpi_drivers", [])
    con.execute("create schema if not exists marts")
    con.execute("create table marts.dim_dates as select date '2026-01-05' as date_day")
    result = run_check(CHECKS[("rpt_kpi_drivers", "ge_rpt_kpi_drivers")])
    assert result.passed, meta(result)["failed_expectations"]
    assert meta(result)["loaded_days"] == 1 and "fewer than two days" in result.description

    con.execute("insert into marts.dim_dates values (date '2026-01-06')")
    result = run_check(CHECKS[("rpt_kpi_drivers", "ge_rpt_kpi_drivers")])
    assert not result.passed
    assert "expect_table_row_count_to_be_between" in {
        f["expectation"] for f in meta(result)["failed_expectations"]
    }


@pytest.mark.parametrize("report", sorted(suites.REPORT_INPUTS))
def test_a_report_of_an_unused_source_may_be_empty_only_while_its_inputs_are(report, con, run_check):
    """A team without A/B tests (activities, content) has empty inputs: their report is empty and publishes. The
    same empty report fails as soon as one of its input sources has a row."""
    create_report(con, report, [])
    con.execute("create schema if not exists raw")
    inputs = suites.REPORT_INPUTS[report]
    con.execute(f"create table raw.{inputs[0]} (x integer)")  # the others were never loaded: no table
    result = run_check(CHECKS[(report, f"ge_{report}")])
    assert result.passed, meta(result)["failed_expectations"]
    assert meta(result)["empty_inputs"] == list(inputs)
    assert "may be empty" in result.description

    con.execute(f"insert into raw.{inputs[-1]} select 1" if inputs[-1] == inputs[0] else
                f"create table raw.{inputs[-1]} as select 1 as x")  # fmt: skip
    result = run_check(CHECKS[(report, f"ge_{report}")])
    assert not result.passed
    assert "expect_table_row_count_to_be_between" in {
        f["expectation"] for f in meta(result)["failed_expectations"]
    }


@pytest.mark.parametrize("report", ["rpt_funnel_users", "rpt_user_segments"])
def test_a_missing_report_table_fails_its_check(report, con, run_check):
    result = run_check(CHECKS[(report, f"ge_{report}")])
    assert not result.passed and result.severity == ERROR
    assert meta(result)["missing_table"] == f"reports.{report}"


def test_an_amount_stored_as_text_makes_the_suite_error_not_pass(con, run_check):
    # GX raises comparing text with a number: the validation errored, so the check must not pass.
    row = clean_report_row("rpt_kpi_daily") | {"gmv": "0.4"}
    create_report(con, "rpt_kpi_daily", [row], gmv="varchar")
    with pytest.raises(ValidationEngineError, match="reports.rpt_kpi_daily"):
        run_check(CHECKS[("rpt_kpi_daily", "ge_rpt_kpi_daily")])


def test_a_report_check_that_errors_does_not_keep_the_others_in_its_step_from_running(con, run_check):
    """The pipeline checks every report in one step: an engine error of one suite fails the step (raised once the
    others are checked), and every other report still gets its verdict."""
    create_report(con, "rpt_kpi_daily", [clean_report_row("rpt_kpi_daily") | {"gmv": "0.4"}], gmv="varchar")
    create_report(con, "rpt_kpi_weekly", [clean_report_row("rpt_kpi_weekly")])
    (both,) = build_report_checks(["rpt_kpi_daily", "rpt_kpi_weekly"])
    assert run_check((both, "ge_rpt_kpi_weekly")).passed
    with pytest.raises(ValidationEngineError, match="reports.rpt_kpi_daily"):
        run_check((both, "ge_rpt_kpi_daily"))


# ---------------------------------------------------------------- blocking in a run


def _publish_run(warehouse, instance, row: dict, **types: str) -> dg.ExecuteInProcessResult:
    """Materialize a stand-in rpt_kpi_daily holding `row`, its GE check and a downstream publish asset."""

    @dg.asset(key=["reports", "rpt_kpi_daily"])
    def report_stand_in() -> None:
        with warehouse.connect() as c:
            create_report(c, "rpt_kpi_daily", [row], **types)

    @dg.asset(deps=[report_stand_in])
    def publish() -> None:
        return None

    return dg.materialize(
        [report_stand_in, publish, CHECKS[("rpt_kpi_daily", "ge_rpt_kpi_daily")][0]],
        resources={"warehouse": warehouse},
        instance=instance,
        raise_on_error=False,
    )


def published(result: dg.ExecuteInProcessResult) -> bool:
    return dg.AssetKey(["publish"]) in {e.asset_key for e in result.get_asset_materialization_events()}


def test_in_a_run_a_clean_report_is_published(warehouse, instance):
    result = _publish_run(warehouse, instance, clean_report_row("rpt_kpi_daily"))
    (evaluation,) = result.get_asset_check_evaluations()
    assert evaluation.passed and published(result)


def test_in_a_run_a_failed_report_check_blocks_publishing(warehouse, instance):
    result = _publish_run(warehouse, instance, clean_report_row("rpt_kpi_daily") | {"orders": -3.0})
    (evaluation,) = result.get_asset_check_evaluations()
    assert not evaluation.passed and evaluation.severity == ERROR
    assert evaluation.metadata["unexpected_count"].value == 1
    assert not published(result)


def test_in_a_run_a_suite_that_errors_fails_the_step_and_blocks_publishing(warehouse, instance):
    row = clean_report_row("rpt_kpi_daily") | {"gmv": "0.4"}
    result = _publish_run(warehouse, instance, row, gmv="varchar")
    assert not result.success
    failures = [e for e in result.all_events if e.event_type_value == "STEP_FAILURE"]
    assert failures and "ValidationEngineError" in str(failures[0].event_specific_data.error)
    assert not result.get_asset_check_evaluations()  # an error is never recorded as a pass
    assert not published(result)


# ---------------------------------------------------------------- user segments

SEGMENTS = "rpt_user_segments"


def segment_row(user_id: str, **change) -> dict:
    return clean_report_row(SEGMENTS) | {"user_id": user_id} | change


def test_the_segments_suite_runs_in_sql_and_never_reads_the_table_into_pandas(con, run_check, monkeypatch):
    from growthmart.quality import warehouse

    def forbidden(*_args, **_kwargs):
        raise AssertionError("rpt_user_segments read into pandas")

    monkeypatch.setattr(warehouse, "report_frame", forbidden)
    create_report(con, SEGMENTS, [segment_row("u1"), segment_row("u2", monetary_cny=-7.0)])
    result = run_check(CHECKS[(SEGMENTS, f"ge_{SEGMENTS}")])
    assert not result.passed
    assert meta(result)["engine"] == "sql_pushdown" and meta(result)["rows_validated"] == 2
    assert failed_columns(result) == {"monetary_cny"}


def test_an_empty_segments_table_fails(con, run_check):
    create_report(con, SEGMENTS, [])
    assert not run_check(CHECKS[(SEGMENTS, f"ge_{SEGMENTS}")]).passed
