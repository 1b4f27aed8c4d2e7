"""Suites as code, and the pure helpers behind the volume, freshness and batching decisions."""

from __future__ import annotations

from datetime import UTC, date, datetime

import duckdb
import pytest
from quality_tables import published_columns

from growthmart.contracts import CONTRACTS
from growthmart.quality import suites
from growthmart.quality.gx_runner import validate
from growthmart.quality.settings import QualitySettings
from growthmart.quality.verdicts import expected_latest_partition, freshness_verdict, volume_verdict
from growthmart.quality.warehouse import column_contract_frame, column_types, partition_slice


@pytest.mark.parametrize("contract", CONTRACTS, ids=lambda c: c.name)
def test_every_raw_suite_builds_into_gx_expectations(contract):
    expectations = suites.raw_expectations(contract, QualitySettings())
    assert [e.to_gx() for e in expectations]
    assert suites.raw_suite_name(contract) == f"raw.{contract.name}"


@pytest.mark.parametrize("report", suites.REPORTS)
def test_every_report_suite_builds_into_gx_expectations(report):
    assert [e.to_gx() for e in suites.report_expectations(report, published_columns(report))]
    assert suites.report_suite_name(report) == f"reports.{report}"


def test_raw_suites_cover_the_contract_rules():
    orders = next(c for c in CONTRACTS if c.name == "app_orders")
    specs = suites.raw_expectations(orders, QualitySettings(accepted_currencies=("CNY", "EUR")))
    by_column = {(e.kind, e.kwargs.get("column")): e.kwargs for e in specs}
    assert by_column[("ExpectColumnValuesToBeInSet", "status")]["value_set"] == [
        "paid",
        "refunded",
        "cancelled",
    ]
    assert by_column[("ExpectColumnValuesToBeInSet", "currency")]["value_set"] == ["CNY", "EUR"]
    assert by_column[("ExpectColumnValuesToBeBetween", "amount")] == {"column": "amount", "min_value": 0}
    assert ("ExpectColumnValuesToNotBeNull", "order_id") in by_column
    assert ("ExpectColumnValuesToNotBeNull", "coupon_code") not in by_column  # optional column


@pytest.mark.parametrize("contract", CONTRACTS, ids=lambda c: c.name)
def test_the_loaders_raw_tables_satisfy_the_column_contract_suite(contract):
    # Guards the suite against drift from the loader's DDL (growthmart/ingest/sql.py).
    from growthmart.ingest.sql import raw_table_ddl

    con = duckdb.connect()
    con.execute("create schema raw")
    con.execute(raw_table_ddl(contract))
    frame = column_contract_frame(
        column_types(con, "raw", contract.name), suites.raw_expected_types(contract)
    )
    assert validate(frame, "raw.columns", suites.column_contract_expectations()).success


def test_column_contract_frame_flags_missing_extra_and_retyped_columns():
    expected = {"a": "BIGINT", "b": "DATE", "c": "VARCHAR"}
    frame = column_contract_frame({"a": "BIGINT", "b": "VARCHAR", "z": "DOUBLE"}, expected)
    outcome = validate(frame, "raw.columns", suites.column_contract_expectations())
    (failure,) = outcome.failed
    assert failure.unexpected_count == 3
    assert (
        "b VARCHAR" in failure.observed and "c VARCHAR" in failure.observed and "z DOUBLE" in failure.observed
    )


def test_volume_within_bounds_passes_and_a_collapse_fails():
    history = {date(2026, 1, d): 100 for d in range(1, 8)}
    assert volume_verdict(date(2026, 1, 8), 90, history, 0.3, 3.0).passed
    low = volume_verdict(date(2026, 1, 8), 10, history, 0.3, 3.0)
    assert not low.passed and low.metadata["ratio"] == 0.1 and low.metadata["unexpected_count"] == 1
    assert not volume_verdict(date(2026, 1, 8), 400, history, 0.3, 3.0).passed


def test_volume_without_history_passes_and_says_so():
    verdict = volume_verdict(date(2026, 1, 1), 5, {}, 0.3, 3.0)
    assert verdict.passed and "no earlier partitions" in verdict.reason


def test_volume_after_empty_days_fails_only_when_rows_appear():
    history = {date(2026, 1, 1): 0, date(2026, 1, 2): 0}
    assert volume_verdict(date(2026, 1, 3), 0, history, 0.3, 3.0).passed
    assert not volume_verdict(date(2026, 1, 3), 7, history, 0.3, 3.0).passed


def test_yesterday_is_taken_in_the_reporting_timezone():
    # 2026-03-01 17:00 UTC is already 2026-03-02 01:00 in Shanghai: yesterday there is 03-01.
    now = datetime(2026, 3, 1, 17, 0, tzinfo=UTC)
    assert expected_latest_partition(now, "Asia/Shanghai") == date(2026, 3, 1)
    assert expected_latest_partition(now, "UTC") == date(2026, 2, 28)


def test_freshness_tolerates_the_configured_lag_and_warns_beyond_it():
    now = datetime(2026, 3, 10, 4, 0, tzinfo=UTC)  # yesterday in Shanghai: 2026-03-09
    assert freshness_verdict(date(2026, 3, 7), None, now, "Asia/Shanghai", 2).passed
    stale = freshness_verdict(date(2026, 3, 6), None, now, "Asia/Shanghai", 2)
    assert not stale.passed and stale.metadata["lag_days"] == 3
    assert not freshness_verdict(None, None, now, "Asia/Shanghai", 2).passed


def test_the_ge_slice_is_the_first_rows_of_one_partition_in_load_order():
    con = duckdb.connect()
    con.execute("create schema raw")
    con.execute(
        "create table raw.t as select 'f' || (i % 2) as _source_file, i as _row_number, "
        "date '2026-01-01' + (i % 3)::int as _partition_date from range(30) r(i) order by random()"
    )
    df = partition_slice(con, "t", date(2026, 1, 2), limit=4)
    assert list(zip(df["_source_file"], df["_row_number"], strict=True)) == [
        ("f0", 4), ("f0", 10), ("f0", 16), ("f0", 22)
    ]  # fmt: skip
    assert len(partition_slice(con, "t", date(2026, 1, 2), limit=100)) == 10
