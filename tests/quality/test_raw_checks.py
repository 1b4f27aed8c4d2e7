"""Raw-layer checks in Dagster terms: known-bad partitions fail, clean ones pass."""

# No `from __future__ import annotations`: Dagster reads the stand-in asset's annotations as classes.
from datetime import date

import dagster as dg
import pytest
from quality_tables import contract, create_raw_table, days_ago, load_partition, q

from assets.quality import build_raw_checks
from assets.quality.raw_checks import validate_raw
from assets.resources import WarehouseResource
from growthmart.contracts import CONTRACTS
from growthmart.quality import pushdown, suites
from growthmart.quality import warehouse as wh
from growthmart.quality.gx_runner import Expect, ValidationEngineError
from growthmart.quality.pushdown import PushdownError
from growthmart.quality.settings import QualitySettings

CHECKS = {  # (source, check name) -> (the source's checks, the name): what run_check takes
    (c.name, key.name): (check, key.name)
    for c in CONTRACTS
    for check in build_raw_checks([c])
    for key in check.check_keys
}
DAY = date(2026, 1, 5)
WARN = dg.AssetCheckSeverity.WARN
ERROR = dg.AssetCheckSeverity.ERROR


def meta(result: dg.AssetCheckResult) -> dict:
    return {k: v.value for k, v in result.metadata.items()}


def test_every_source_gets_a_blocking_ge_check_and_warning_volume_and_freshness_checks():
    specs = {(s.asset_key.path[-1], s.name): s for check, _ in CHECKS.values() for s in check.check_specs}
    for c in CONTRACTS:
        assert specs[(c.name, f"ge_{c.name}")].blocking
        assert not specs[(c.name, "volume")].blocking and not specs[(c.name, "freshness")].blocking
        assert specs[(c.name, "volume")].asset_key == dg.AssetKey(["raw", c.name])


@pytest.mark.parametrize("source", [c.name for c in CONTRACTS])
def test_a_clean_partition_passes_its_ge_suite(source, con, run_check):
    load_partition(con, contract(source), DAY, rows=3)
    result = run_check(CHECKS[(source, f"ge_{source}")])
    assert result.passed, result.description
    assert meta(result)["unexpected_count"] == 0
    assert meta(result)["evaluated"] > 1
    assert meta(result)["partitions_validated"] == [DAY.isoformat()]
    assert meta(result)["sql_rows_covered"] == 3 and meta(result)["ge_rows_validated"] == 3
    assert meta(result)["ge_partition"] == DAY.isoformat()
    assert set(meta(result)["unexpected_by_expectation"].values()) == {0}
    assert meta(result)["steps"] == ["column_contract", "sql_pushdown", "ge_slice"]


BAD_ROWS = [
    ("ocean_engine_ad_stats", {"消耗(元)": -1}, "expect_column_values_to_be_between", "消耗(元)"),
    (
        "ocean_engine_ad_stats",
        {"点击数": 500, "展示数": 100},
        "expect_column_pair_values_a_to_be_greater_than_b",
        "展示数, 点击数",
    ),  # noqa: E501
    (
        "tencent_ads_daily_reports",
        {"campaign_id": None},
        "expect_column_values_to_not_be_null",
        "campaign_id",
    ),
    ("baidu_keyword_stats", {"点击": 9999}, "expect_column_pair_values_a_to_be_greater_than_b", "展现, 点击"),
    (
        "meta_ads_insights",
        {"account_currency": "EUR"},
        "expect_column_values_to_be_in_set",
        "account_currency",
    ),
    ("meta_ads_insights", {"actions": "[{not json"}, "expect_column_values_to_be_json_parseable", "actions"),
    ("content_items", {"channel": "weibo"}, "expect_column_values_to_be_in_set", "channel"),
    ("content_items", {"content_type": "podcast"}, "expect_column_values_to_be_in_set", "content_type"),
    (
        "content_daily_stats",
        {"completion_rate": 1.5},
        "expect_column_values_to_be_between",
        "completion_rate",
    ),
    ("content_daily_stats", {"views": -3}, "expect_column_values_to_be_between", "views"),
    ("app_orders", {"status": "shipped"}, "expect_column_values_to_be_in_set", "status"),
    (
        "app_orders",
        {"refund_amount": 99.0, "amount": 10.0},
        "expect_column_pair_values_a_to_be_greater_than_b",
        "amount, refund_amount",
    ),  # noqa: E501
    (
        "app_users",
        {"user_id": "user_id-20260105-0"},
        "expect_compound_columns_to_be_unique",
        "user_id, _partition_date",
    ),  # noqa: E501
    ("campaigns", {"campaign_type": "seo"}, "expect_column_values_to_be_in_set", "campaign_type"),
    ("non_ad_costs", {"amount": -500}, "expect_column_values_to_be_between", "amount"),
    ("fx_rates", {"rate_to_cny": 0.0}, "expect_column_values_to_be_between", "rate_to_cny"),
]


@pytest.mark.parametrize(("source", "change", "expectation", "column"), BAD_ROWS)
def test_a_known_bad_row_fails_the_ge_suite_naming_the_expectation(
    source, change, expectation, column, con, run_check
):
    load_partition(con, contract(source), DAY, rows=3, changes={1: change})
    result = run_check(CHECKS[(source, f"ge_{source}")])
    assert not result.passed
    assert result.severity == ERROR
    failures = {(f["expectation"], f["column"]): f for f in meta(result)["failed_expectations"]}
    failure = failures.get((expectation, column))
    assert failure and failure["unexpected_count"] >= 1, failures
    # The bad row is in the GE slice too: both engines see it, and agree.
    assert failure["sql_unexpected_count"] == failure["ge_unexpected_count"] >= 1
    assert meta(result)["unexpected_count"] >= 1


def test_a_failure_names_the_days_checked_and_each_offending_row_file_row_column_and_value(con, run_check):
    source = contract("app_orders")
    load_partition(con, source, date(2026, 1, 3), changes={0: {"status": "shipped"}})  # older, not checked
    load_partition(con, source, DAY, rows=4, changes={1: {"status": "shipped"}, 3: {"status": "lost"}})
    result = run_check(CHECKS[("app_orders", "ge_app_orders")])
    assert not result.passed
    (failure,) = meta(result)["failed_expectations"]
    file = f"app_orders/{DAY}/file.csv"
    assert failure["rows"] == [
        {"partition": DAY.isoformat(), "file": file, "row": 2, "column": "status", "value": "shipped"},
        {"partition": DAY.isoformat(), "file": file, "row": 4, "column": "status", "value": "lost"},
    ]
    assert meta(result)["partitions_validated"] == [DAY.isoformat()]
    # the description says it too, for the UI and the run summary
    assert "(2026-01-05)" in result.description
    assert f"day 2026-01-05, file {file}, row 2, column status: 'shipped'" in result.description


def test_a_duplicate_key_failure_names_every_row_of_the_key(con):
    source = contract("app_orders")
    load_partition(con, source, DAY, rows=3)
    first = "(select {c} from raw.app_orders where _row_number = 1)"
    con.execute(
        f"update raw.app_orders set order_id = {first.format(c='order_id')}, "
        f"updated_at = {first.format(c='updated_at')} where _row_number = 3"
    )
    passed, metadata = validate_raw(con, source, [DAY], QualitySettings())
    assert not passed
    failure = next(f for f in metadata["failed_expectations"] if f["expectation"].endswith("to_be_unique"))
    assert [r["row"] for r in failure["rows"]] == [1, 3]


def test_a_retyped_column_fails_the_column_contract_before_the_data_is_read(con, run_check):
    source = contract("ocean_engine_ad_stats")
    create_raw_table(con, source, **{"点击数": "varchar"})
    con.execute(f"insert into raw.{q(source.name)} ({q('_partition_date')}) values (?)", [DAY])
    result = run_check(CHECKS[(source.name, f"ge_{source.name}")])
    assert not result.passed
    (failure,) = meta(result)["failed_expectations"]
    assert "点击数 VARCHAR" in failure["observed"] and "点击数 BIGINT" in failure["observed"]
    assert meta(result)["steps"] == ["column_contract"]  # the data suite would only error on a wrong type


def test_missing_and_extra_columns_fail_the_column_contract(con, run_check):
    source = contract("fx_rates")
    load_partition(con, source, DAY)
    con.execute("alter table raw.fx_rates drop column rate_to_cny")
    con.execute("alter table raw.fx_rates add column note varchar")
    result = run_check(CHECKS[("fx_rates", "ge_fx_rates")])
    assert not result.passed
    assert meta(result)["unexpected_count"] == 2


def test_a_missing_raw_table_fails_the_ge_check(con, run_check):
    result = run_check(CHECKS[("app_events", "ge_app_events")])
    assert not result.passed and result.severity == ERROR
    assert meta(result)["missing_table"] == "raw.app_events"


def test_without_a_run_the_latest_loaded_partition_is_validated(con, run_check):
    source = contract("app_orders")
    load_partition(con, source, date(2026, 1, 3), changes={0: {"status": "shipped"}})  # older and bad
    load_partition(con, source, DAY)
    result = run_check(CHECKS[("app_orders", "ge_app_orders")])
    assert result.passed
    assert meta(result)["partitions_validated"] == [DAY.isoformat()]
    assert "latest loaded" in meta(result)["partitions_chosen"]


def test_a_bad_row_in_an_earlier_partition_of_the_run_is_caught_by_the_sql_pushdown(con):
    source = contract("app_orders")
    days = [date(2026, 1, d) for d in (3, 4, 5)]
    for day in days:
        changes = {1: {"status": "shipped"}} if day == days[0] else None
        load_partition(con, source, day, rows=2, changes=changes)
    passed, metadata = validate_raw(con, source, days, QualitySettings())
    assert not passed
    assert metadata["ge_partition"] == "2026-01-05" and metadata["ge_rows_validated"] == 2
    assert metadata["ge_unexpected_count"] == 0  # outside the GE slice …
    assert metadata["sql_rows_covered"] == 6  # … but every loaded row is covered in SQL
    (failure,) = metadata["failed_expectations"]
    assert (failure["expectation"], failure["column"]) == ("expect_column_values_to_be_in_set", "status")
    assert (failure["sql_unexpected_count"], failure["ge_unexpected_count"]) == (1, 0)
    assert "shipped" in failure["observed"]
    assert metadata["unexpected_by_expectation"]["expect_column_values_to_be_in_set(status)"] == 1


def test_the_ge_slice_is_capped_and_a_bad_row_beyond_the_cap_is_still_caught(con):
    source = contract("content_daily_stats")
    load_partition(con, source, DAY, rows=5, changes={4: {"views": -3}})
    passed, metadata = validate_raw(con, source, [DAY], QualitySettings(max_rows_per_batch=3))
    assert not passed
    assert metadata["ge_rows_validated"] == 3 and metadata["sql_rows_covered"] == 5
    assert metadata["ge_unexpected_count"] == 0 and metadata["unexpected_count"] == 1
    assert {"sql_seconds", "ge_seconds", "columns_seconds"} <= set(metadata)


def test_ge_runs_on_the_newest_partition_that_has_rows(con):
    source = contract("app_events")
    load_partition(con, source, date(2026, 1, 4), rows=2)
    load_partition(con, source, DAY, rows=0)  # an empty day: logged, no rows
    passed, metadata = validate_raw(con, source, [date(2026, 1, 4), DAY], QualitySettings())
    assert passed
    assert metadata["ge_partition"] == "2026-01-04" and metadata["ge_rows_validated"] == 2


def test_a_table_with_nothing_loaded_passes_without_running_the_data_suite(con):
    create_raw_table(con, contract("app_events"))
    passed, metadata = validate_raw(con, contract("app_events"), [], QualitySettings())
    assert passed and metadata["sql_rows_covered"] == 0
    assert metadata["steps"] == ["column_contract", "sql_pushdown"]


def test_an_expectation_without_a_sql_translation_is_an_engine_error(con, run_check, monkeypatch):
    load_partition(con, contract("fx_rates"), DAY)
    extra = Expect.of("ExpectColumnValuesToMatchRegex", column="currency", regex="^[A-Z]{3}$")
    real = suites.raw_expectations
    monkeypatch.setattr(suites, "raw_expectations", lambda c, s: [*real(c, s), extra])
    with pytest.raises(PushdownError, match="ExpectColumnValuesToMatchRegex has no SQL translation"):
        run_check(CHECKS[("fx_rates", "ge_fx_rates")])


def test_a_failing_pushdown_query_is_an_engine_error(con, run_check, monkeypatch):
    load_partition(con, contract("fx_rates"), DAY)
    monkeypatch.setattr(pushdown, "build_query", lambda *args: "select * from raw.no_such_table")
    with pytest.raises(PushdownError, match="the pushdown query failed"):
        run_check(CHECKS[("fx_rates", "ge_fx_rates")])


def test_a_ge_error_on_the_slice_is_an_engine_error(con, run_check, monkeypatch):
    load_partition(con, contract("fx_rates"), DAY)
    real = wh.partition_slice
    monkeypatch.setattr(wh, "partition_slice", lambda *args: real(*args).drop(columns=["rate_to_cny"]))
    with pytest.raises(ValidationEngineError, match="raw.fx_rates: .*raised"):
        run_check(CHECKS[("fx_rates", "ge_fx_rates")])


# ---------------------------------------------------------------- volume and freshness


def test_volume_warns_when_the_latest_partition_collapses(con, run_check):
    source = contract("content_daily_stats")
    for day in range(1, 8):
        load_partition(con, source, date(2026, 1, day), rows=10)
    load_partition(con, source, date(2026, 1, 8), rows=1)
    result = run_check(CHECKS[("content_daily_stats", "volume")])
    assert not result.passed and result.severity == WARN
    assert meta(result)["ratio"] == 0.1 and meta(result)["unexpected_count"] == 1


def test_volume_passes_on_a_steady_day_and_compares_with_seven_earlier_partitions(con, run_check):
    source = contract("content_daily_stats")
    load_partition(con, source, date(2026, 1, 1), rows=1)  # eighth back: outside the window
    for day in range(2, 10):
        load_partition(con, source, date(2026, 1, day), rows=10)
    result = run_check(CHECKS[("content_daily_stats", "volume")])
    assert result.passed
    assert meta(result)["history_partitions"] == 7 and meta(result)["baseline_median"] == 10


def test_volume_passes_without_history_and_says_so(con, run_check):
    load_partition(con, contract("app_users"), DAY, rows=4)
    result = run_check(CHECKS[("app_users", "volume")])
    assert result.passed and "no earlier partitions" in result.description


def test_freshness_passes_when_yesterday_is_loaded(con, run_check):
    load_partition(con, contract("fx_rates"), days_ago(1))
    assert run_check(CHECKS[("fx_rates", "freshness")]).passed


def test_freshness_warns_when_the_latest_partition_is_stale(con, run_check):
    load_partition(con, contract("fx_rates"), days_ago(6))
    result = run_check(CHECKS[("fx_rates", "freshness")])
    assert not result.passed and result.severity == WARN
    assert meta(result)["lag_days"] >= 4


def test_freshness_warns_when_nothing_was_ever_loaded(con, run_check):
    create_raw_table(con, contract("fx_rates"))
    result = run_check(CHECKS[("fx_rates", "freshness")])
    assert not result.passed and "no partition" in result.description


# ---------------------------------------------------------------- in a Dagster run


def _stand_in_run(warehouse, instance, source_name: str, bad: bool) -> dg.ExecuteInProcessResult:
    """Materialize a stand-in raw asset (loading like the loader) with its checks and a downstream asset."""
    source = contract(source_name)
    partitions = dg.DailyPartitionsDefinition(start_date="2026-01-01", timezone="Asia/Shanghai")

    @dg.asset(key=["raw", source.name], partitions_def=partitions)
    def raw_stand_in(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> None:
        with warehouse.connect() as con:
            changes = {0: {"status": "shipped"}} if bad else None
            load_partition(
                con, source, date.fromisoformat(context.partition_key), run_id=context.run_id, changes=changes
            )

    @dg.asset(deps=[raw_stand_in], partitions_def=partitions)
    def downstream() -> None:
        return None

    checks = build_raw_checks([source])  # the source's one step: ge, volume and freshness
    return dg.materialize(
        [raw_stand_in, downstream, *checks],
        partition_key="2026-01-05",
        resources={"warehouse": warehouse},
        instance=instance,
        raise_on_error=False,
    )


def test_in_a_run_the_ge_check_validates_the_partitions_that_run_loaded(con, warehouse, instance):
    load_partition(con, contract("app_orders"), date(2026, 1, 6), changes={0: {"status": "shipped"}})
    con.execute("checkpoint")
    result = _stand_in_run(warehouse, instance, "app_orders", bad=False)
    (evaluation,) = [e for e in result.get_asset_check_evaluations() if e.check_name == "ge_app_orders"]
    assert evaluation.passed  # the newer bad partition 2026-01-06 was not loaded by this run
    assert evaluation.metadata["partitions_validated"].value == ["2026-01-05"]
    assert evaluation.metadata["partitions_chosen"].value == "loaded by this run"


def test_in_a_run_a_failed_ge_check_blocks_everything_downstream(warehouse, con, instance):
    result = _stand_in_run(warehouse, instance, "app_orders", bad=True)
    (evaluation,) = [e for e in result.get_asset_check_evaluations() if e.check_name == "ge_app_orders"]
    assert not evaluation.passed and evaluation.severity == ERROR
    assert evaluation.metadata["unexpected_count"].value == 1
    materialized = {m.asset_key for m in result.get_asset_materialization_events()}
    assert dg.AssetKey(["downstream"]) not in {e.asset_key for e in result.get_asset_materialization_events()}
    assert materialized == {dg.AssetKey(["raw", "app_orders"])}


def test_in_a_run_an_engine_error_fails_the_check_step_and_blocks_downstream(
    warehouse, instance, monkeypatch
):
    monkeypatch.setattr(pushdown, "build_query", lambda *args: "select * from raw.no_such_table")
    result = _stand_in_run(warehouse, instance, "app_orders", bad=False)
    assert not result.success
    # the source's warnings, evaluated before its suite in the same step, are kept; the suite has no verdict
    assert {e.check_name for e in result.get_asset_check_evaluations()} == {"volume", "freshness"}
    failures = [e for e in result.all_events if e.is_step_failure]
    assert any("the pushdown query failed" in str(e.event_specific_data.error) for e in failures)
    materialized = {m.asset_key for m in result.get_asset_materialization_events()}
    assert materialized == {dg.AssetKey(["raw", "app_orders"])}
