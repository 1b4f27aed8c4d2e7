"""Report checks in Dagster terms: each has a known-bad table that fails it and a clean one that passes."""

# No `from __future__ import annotations`: Dagster reads the stand-in assets' annotations as classes.
import dagster as dg
import pytest
from quality_tables import clean_report_row, create_report

from assets.quality import build_report_checks
from growthmart.quality import suites
from growthmart.quality.gx_runner import ValidationEngineError

CHECKS = {
    (key.asset_key.path[-1], key.name): check for check in build_report_checks() for key in check.check_keys
}
ERROR = dg.AssetCheckSeverity.ERROR


def meta(result: dg.AssetCheckResult) -> dict:
    return {k: v.value for k, v in result.metadata.items()}


def failed_columns(result: dg.AssetCheckResult) -> set[str]:
    return {f.get("column", "") for f in meta(result)["failed_expectations"]}


def test_every_report_check_is_blocking_with_the_names_the_readme_promises():
    specs = {(s.asset_key.path[-1], s.name): s for check in CHECKS.values() for s in check.check_specs}
    expected = {(r, f"ge_{r}") for r in suites.REPORTS} | {
        ("rpt_funnel_users", "funnel_counts_non_increasing"),
        ("rpt_funnel_ads", "clicks_le_impressions"),
        ("rpt_campaign_roi_daily", "clicks_le_impressions"),
        ("rpt_campaign_roi", "clicks_le_impressions"),
        ("rpt_campaign_roi", "spend_reconciles"),
        ("rpt_attribution_channels", "attribution_credits_reconcile"),
        ("rpt_user_lifecycle_weekly", "lifecycle_states_partition_users"),
        ("rpt_user_segments", "segments_cover_users"),
        ("rpt_activity_review", "activity_phases_partition_total"),
        ("rpt_ab_tests", "one_control_per_experiment"),
    }
    assert set(specs) == expected
    assert all(s.blocking for s in specs.values())


@pytest.mark.parametrize("report", suites.REPORTS)
def test_a_clean_report_passes_its_ge_suite(report, con, run_check):
    create_report(con, report, [clean_report_row(report)])
    result = run_check(CHECKS[(report, f"ge_{report}")])
    assert result.passed, meta(result)["failed_expectations"]
    assert meta(result)["evaluated"] > 3


BAD_REPORT_VALUES = [
    ("rpt_retention_cohorts", {"retention_rate": 1.2, "unbounded_retention_rate": 1.3}, "retention_rate"),
    (
        "rpt_retention_cohorts",
        {"is_complete": False, "retention_rate": 0.0},
        "retention_rate where is_complete == False",
    ),
    ("rpt_retention_cohorts", {"day_n": 45}, "day_n"),
    ("rpt_funnel_users", {"conversion_from_previous": 1.5}, "conversion_from_previous"),
    ("rpt_funnel_ads", {"campaign_id": None}, "campaign_id"),
    ("rpt_cac_ltv_monthly", {"cac": 0.0}, "cac"),
    ("rpt_cac_ltv_monthly", {"new_paying_users": 500.0}, "new_users, new_paying_users"),
    ("rpt_campaign_roi_daily", {"ctr": 1.7}, "ctr"),
    ("rpt_campaign_roi", {"spend": -10.0}, "spend"),
    ("rpt_kpi_daily", {"d7_retention": 1.01}, "d7_retention"),
    ("rpt_kpi_weekly", {"week_start": None}, "week_start"),
    ("rpt_kpi_monthly", {"net_revenue": 150.0, "gmv": 100.0}, "gmv, net_revenue"),
    # blended ROAS: 0 (not NULL) with spend and no revenue; NULL (not 0) without spend
    ("rpt_kpi_daily", {"net_revenue": 0.0, "blended_roas": None}, "blended_roas where spend > 0"),
    ("rpt_kpi_weekly", {"spend": 0.0, "cac": None, "blended_roas": 0.0}, "blended_roas where spend == 0"),
    ("rpt_attribution_channels", {"share_of_conversions": 1.5}, "share_of_conversions"),
    ("rpt_attribution_channels", {"attribution_model": "data_driven"}, "attribution_model"),
    ("rpt_attribution_channels", {"spend": 0.0, "roas": 0.0}, "roas where spend == 0"),
    ("rpt_user_lifecycle_weekly", {"state": "zombie"}, "state"),
    ("rpt_user_lifecycle_weekly", {"users": 120.0, "users_share": 1.2}, "signed_up_users, users"),
    ("rpt_user_segments", {"user_id": "u2", "r_score": 6}, "r_score"),
    ("rpt_user_segments", {"user_id": "u2", "value_tier": "vip"}, "value_tier"),
    ("rpt_user_segments", {"frequency": -1}, "frequency"),
    ("rpt_content_daily", {"engagement_rate": 1.5}, "engagement_rate"),
    ("rpt_content_daily", {"completion_views": 150.0}, "views, completion_views"),
    ("rpt_content_items", {"cost_per_lead": 0.0}, "cost_per_lead"),
    ("rpt_content_items", {"rank_in_platform_week": 101.0}, "items_in_platform_week, rank_in_platform_week"),
    ("rpt_activity_review", {"phase": "launch"}, "phase"),
    ("rpt_activity_review", {"observed_days": 11.0}, "days, observed_days"),
    ("rpt_activity_review", {"incentive_cost_cny": 0.0, "roi": -1.0}, "incentive_cost_cny where roi == roi"),
    ("rpt_ab_tests", {"p_value": 1.5}, "p_value"),
    ("rpt_ab_tests", {"ci_lower": 0.2, "ci_upper": 0.1}, "ci_upper, ci_lower"),
    ("rpt_ab_tests", {"is_control": True}, "p_value where is_control == True"),
]


@pytest.mark.parametrize(("report", "change", "column"), BAD_REPORT_VALUES)
def test_a_known_bad_report_row_fails_its_ge_suite(report, change, column, con, run_check):
    create_report(con, report, [clean_report_row(report), clean_report_row(report) | change])
    result = run_check(CHECKS[(report, f"ge_{report}")])
    assert not result.passed and result.severity == ERROR
    assert column in failed_columns(result)
    assert meta(result)["unexpected_count"] >= 1


def test_complete_day_zero_retention_below_one_fails(con, run_check):
    row = clean_report_row("rpt_retention_cohorts") | {"day_n": 0, "retention_rate": 0.9, "is_complete": True}
    create_report(con, "rpt_retention_cohorts", [row | {"unbounded_retention_rate": 1.0}])
    result = run_check(CHECKS[("rpt_retention_cohorts", "ge_rpt_retention_cohorts")])
    assert not result.passed


def test_a_report_missing_a_published_column_fails_rather_than_errors(con, run_check):
    row = clean_report_row("rpt_kpi_daily")
    del row["arppu"]
    create_report(con, "rpt_kpi_daily", [row])
    result = run_check(CHECKS[("rpt_kpi_daily", "ge_rpt_kpi_daily")])
    assert not result.passed
    assert "arppu" in meta(result)["failed_expectations"][0]["observed"]


def test_an_empty_report_fails(con, run_check):
    create_report(con, "rpt_kpi_monthly", [])
    result = run_check(CHECKS[("rpt_kpi_monthly", "ge_rpt_kpi_monthly")])
    assert not result.passed


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


@pytest.mark.parametrize("check_name", ["ge_rpt_funnel_users", "funnel_counts_non_increasing"])
def test_a_missing_report_table_fails_its_checks(check_name, con, run_check):
    result = run_check(CHECKS[("rpt_funnel_users", check_name)])
    assert not result.passed and result.severity == ERROR
    assert meta(result)["missing_table"] == "reports.rpt_funnel_users"


def test_a_rate_stored_as_text_makes_the_suite_error_not_pass(con, run_check):
    # GX raises comparing text with a number: the validation errored, so the check must not pass.
    row = clean_report_row("rpt_kpi_daily") | {"d1_retention": "0.4"}
    create_report(con, "rpt_kpi_daily", [row], d1_retention="varchar")
    with pytest.raises(ValidationEngineError, match="reports.rpt_kpi_daily"):
        run_check(CHECKS[("rpt_kpi_daily", "ge_rpt_kpi_daily")])


# ---------------------------------------------------------------- funnel and clicks


def funnel_rows(users: list[int]) -> list[dict]:
    base = clean_report_row("rpt_funnel_users")
    steps = ["visit", "signup", "activation", "first_paid_order", "repeat_paid_order"]
    return [base | {"step_order": i + 1, "step_name": steps[i], "users": n} for i, n in enumerate(users)]


def test_funnel_counts_that_never_grow_pass(con, run_check):
    create_report(con, "rpt_funnel_users", funnel_rows([100, 40, 40, 10, 2]))
    assert run_check(CHECKS[("rpt_funnel_users", "funnel_counts_non_increasing")]).passed


def test_a_funnel_step_with_more_users_than_the_previous_fails(con, run_check):
    other_channel = [r | {"channel": "kol", "users": 50 - r["step_order"]} for r in funnel_rows([1] * 5)]
    create_report(con, "rpt_funnel_users", funnel_rows([100, 40, 55, 10, 2]) + other_channel)
    result = run_check(CHECKS[("rpt_funnel_users", "funnel_counts_non_increasing")])
    assert not result.passed
    assert meta(result)["unexpected_count"] == 1
    assert meta(result)["sample"][0]["step_name"] == "activation"


@pytest.mark.parametrize("report", ["rpt_funnel_ads", "rpt_campaign_roi_daily", "rpt_campaign_roi"])
def test_clicks_above_impressions_fail_and_equal_pass(report, con, run_check):
    ok = clean_report_row(report) | {"clicks": 100.0, "impressions": 100.0}
    create_report(con, report, [ok])
    assert run_check(CHECKS[(report, "clicks_le_impressions")]).passed
    create_report(con, report, [ok, ok | {"clicks": 101.0}])
    result = run_check(CHECKS[(report, "clicks_le_impressions")])
    assert not result.passed and meta(result)["unexpected_count"] == 1


def ab_rows(controls: dict[str, int]) -> list[dict]:
    """Per experiment, `controls[experiment]` control rows and one variant row."""
    base = clean_report_row("rpt_ab_tests")
    stats = {"lift": None, "p_value": None, "ci_lower": None, "ci_upper": None, "is_significant": None}
    rows = []
    for exp, n in controls.items():
        rows += [
            base | stats | {"experiment_id": exp, "variant_id": f"A{i}", "is_control": True} for i in range(n)
        ]
        rows.append(base | {"experiment_id": exp, "variant_id": "B"})
    return rows


def test_experiments_with_one_control_each_pass(con, run_check):
    create_report(con, "rpt_ab_tests", ab_rows({"e1": 1, "e2": 1}))
    assert run_check(CHECKS[("rpt_ab_tests", "ge_rpt_ab_tests")]).passed
    assert run_check(CHECKS[("rpt_ab_tests", "one_control_per_experiment")]).passed


@pytest.mark.parametrize("controls", [0, 2])
def test_an_experiment_without_exactly_one_control_fails(controls, con, run_check):
    create_report(con, "rpt_ab_tests", ab_rows({"e1": 1, "e2": controls}))
    result = run_check(CHECKS[("rpt_ab_tests", "one_control_per_experiment")])
    assert not result.passed and result.severity == ERROR
    assert meta(result)["unexpected_count"] == 1
    assert meta(result)["sample"][0] == {"experiment_id": "e2", "control_rows": str(controls)}


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
        [report_stand_in, publish, CHECKS[("rpt_kpi_daily", "ge_rpt_kpi_daily")]],
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
    result = _publish_run(warehouse, instance, clean_report_row("rpt_kpi_daily") | {"d1_retention": 3.0})
    (evaluation,) = result.get_asset_check_evaluations()
    assert not evaluation.passed and evaluation.severity == ERROR
    assert evaluation.metadata["unexpected_count"].value == 1
    assert not published(result)


def test_in_a_run_a_suite_that_errors_fails_the_step_and_blocks_publishing(warehouse, instance):
    row = clean_report_row("rpt_kpi_daily") | {"d1_retention": "0.4"}
    result = _publish_run(warehouse, instance, row, d1_retention="varchar")
    assert not result.success
    failures = [e for e in result.all_events if e.event_type_value == "STEP_FAILURE"]
    assert failures and "ValidationEngineError" in str(failures[0].event_specific_data.error)
    assert not result.get_asset_check_evaluations()  # an error is never recorded as a pass
    assert not published(result)


# ---------------------------------------------------------------- user lifecycle and segments

LIFECYCLE = "rpt_user_lifecycle_weekly"
SEGMENTS = "rpt_user_segments"


def create_users(con, signup_dates: dict[str, str]) -> None:
    con.execute("create schema if not exists marts")
    con.execute(
        "create or replace table marts.dim_users (user_id varchar, channel varchar, signup_date date)"
    )
    con.executemany("insert into marts.dim_users values (?, 'douyin', ?)", list(signup_dates.items()))


def lifecycle_rows(week: str, measure: str, users: dict[str, int], signed_up: int) -> list[dict]:
    base = clean_report_row(LIFECYCLE) | {"week_start": week, "measure_date": measure, "channel": "douyin"}
    return [base | {"state": s, "users": n, "signed_up_users": signed_up} for s, n in users.items()]


def lifecycle_weeks(dormant_in_second_week: int = 1) -> list[dict]:
    # u1 signed up 01-05 (week 1), u2 01-14 (week 2): one user in week 1, two in week 2
    first = lifecycle_rows("2026-01-05", "2026-01-11", dict.fromkeys(suites.LIFECYCLE_STATES, 0), 1)
    first[0]["users"] = 1  # new
    second = {"new": 1, "returning": 0, "resurrected": 0, "dormant": dormant_in_second_week, "churned": 0}
    return first + lifecycle_rows("2026-01-12", "2026-01-14", second, 2)


def test_lifecycle_states_that_partition_the_signed_up_users_pass(con, run_check):
    create_users(con, {"u1": "2026-01-05", "u2": "2026-01-14", "u3": "2026-01-15"})  # u3: after data end
    create_report(con, LIFECYCLE, lifecycle_weeks(), measure_date="date")
    result = run_check(CHECKS[(LIFECYCLE, "lifecycle_states_partition_users")])
    assert result.passed, meta(result)


def test_a_user_counted_in_two_states_fails_the_partition(con, run_check):
    create_users(con, {"u1": "2026-01-05", "u2": "2026-01-14"})
    create_report(con, LIFECYCLE, lifecycle_weeks(dormant_in_second_week=2), measure_date="date")
    result = run_check(CHECKS[(LIFECYCLE, "lifecycle_states_partition_users")])
    assert not result.passed and result.severity == ERROR
    # the channel's rows disagree with their signed_up_users, and the week's total with dim_users
    assert meta(result)["unexpected_count"] == 2
    assert {row["week_start"] for row in meta(result)["sample"]} == {"2026-01-12"}


def test_a_signed_up_user_missing_from_every_state_fails_the_partition(con, run_check):
    create_users(con, {"u1": "2026-01-05", "u2": "2026-01-14", "u4": "2026-01-06"})
    create_report(con, LIFECYCLE, lifecycle_weeks(), measure_date="date")
    result = run_check(CHECKS[(LIFECYCLE, "lifecycle_states_partition_users")])
    assert not result.passed
    assert {row["channel"] for row in meta(result)["sample"]} == {"(all channels)"}


def segment_row(user_id: str, **change) -> dict:
    return clean_report_row(SEGMENTS) | {"user_id": user_id} | change


def test_one_segment_row_per_user_with_scores_in_range_passes(con, run_check):
    create_users(con, {"u1": "2026-01-05", "u2": "2026-01-06"})
    never_bought = {"r_score": None, "f_score": None, "m_score": None, "value_tier": "never_purchased"}
    create_report(con, SEGMENTS, [segment_row("u1"), segment_row("u2", **never_bought)])
    assert run_check(CHECKS[(SEGMENTS, "segments_cover_users")]).passed
    assert run_check(CHECKS[(SEGMENTS, f"ge_{SEGMENTS}")]).passed


@pytest.mark.parametrize(
    ("rows", "problems"),
    [
        ([segment_row("u1")], {"missing_user"}),
        ([segment_row("u1"), segment_row("u2"), segment_row("u2")], {"duplicate_user"}),
        ([segment_row("u1"), segment_row("u2"), segment_row("u9")], {"unknown_user"}),
        ([segment_row("u1"), segment_row("u2", m_score=0)], {"score_out_of_range"}),
    ],
)
def test_segments_that_miss_repeat_or_invent_users_or_misscore_fail(rows, problems, con, run_check):
    create_users(con, {"u1": "2026-01-05", "u2": "2026-01-06"})
    create_report(con, SEGMENTS, rows)
    result = run_check(CHECKS[(SEGMENTS, "segments_cover_users")])
    assert not result.passed and result.severity == ERROR
    assert {row["problem"] for row in meta(result)["sample"]} == problems


def test_the_segments_suite_runs_in_sql_and_never_reads_the_table_into_pandas(con, run_check, monkeypatch):
    from growthmart.quality import warehouse

    def forbidden(*_args, **_kwargs):
        raise AssertionError("rpt_user_segments read into pandas")

    monkeypatch.setattr(warehouse, "report_frame", forbidden)
    create_report(con, SEGMENTS, [segment_row("u1"), segment_row("u1", r_score=7)])
    result = run_check(CHECKS[(SEGMENTS, f"ge_{SEGMENTS}")])
    assert not result.passed
    assert meta(result)["engine"] == "sql_pushdown" and meta(result)["rows_validated"] == 2
    assert failed_columns(result) == {"r_score"}


def test_a_segments_table_missing_a_published_column_or_empty_fails(con, run_check):
    row = segment_row("u1")
    del row["value_tier"]
    create_report(con, SEGMENTS, [row])
    assert not run_check(CHECKS[(SEGMENTS, f"ge_{SEGMENTS}")]).passed
    create_report(con, SEGMENTS, [])
    assert not run_check(CHECKS[(SEGMENTS, f"ge_{SEGMENTS}")]).passed


def _activity_rows(**total_changes) -> list[dict]:
    """An activity's warmup, peak and wrapup rows and a total row that adds them up (before `total_changes`)."""
    base = clean_report_row("rpt_activity_review")
    phases = [
        base
        | {"phase": "warmup", "days": 3.0, "participants": 5.0, "new_users": 1.0, "incentive_cost_cny": 10.0},
        base
        | {"phase": "peak", "days": 4.0, "participants": 8.0, "new_users": 2.0, "incentive_cost_cny": 30.0},
        base
        | {"phase": "wrapup", "days": 3.0, "participants": 2.0, "new_users": 0.0, "incentive_cost_cny": 5.0},
    ]
    total = dict(base, phase="total", participants=12.0)
    for c in ("days", "observed_days", "new_users", "conversions", "coupon_orders", "incentive_cost_cny"):
        total[c] = sum(p[c] for p in phases)
    for c in ("gmv_cny", "attributed_gmv_cny"):
        total[c] = sum(p[c] for p in phases)
    return [*phases, total | total_changes]


def test_activity_phases_that_add_up_to_the_total_pass(con, run_check):
    create_report(con, "rpt_activity_review", _activity_rows())
    result = run_check(CHECKS[("rpt_activity_review", "activity_phases_partition_total")])
    assert result.passed, meta(result)


@pytest.mark.parametrize(
    "change",
    [
        {"incentive_cost_cny": 44.0},  # a cost counted in no phase
        {"days": 11.0},  # phases leave a gap
        {"participants": 16.0},  # more distinct users than the phases hold together
        {"participants": 7.0},  # fewer than the largest phase
        {"phase": "peak2"},  # no total row
    ],
)
def test_activity_phases_that_do_not_add_up_to_the_total_fail(change, con, run_check):
    create_report(con, "rpt_activity_review", _activity_rows(**change))
    result = run_check(CHECKS[("rpt_activity_review", "activity_phases_partition_total")])
    assert not result.passed and result.severity == ERROR
    assert meta(result)["unexpected_count"] == 1
