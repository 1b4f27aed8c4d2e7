"""attribution_credits_reconcile: per model, rpt_attribution_channels attributes exactly the paid orders and their
net revenue up to data end (int_orders_netted, dim_dates), with no tolerance."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import duckdb
import pytest
from quality_tables import clean_report_row, create_report

from assets.quality import build_report_checks
from growthmart.quality.suites import ATTRIBUTION_MODELS

(CHECK,) = [
    c for c in build_report_checks() for k in c.check_keys if k.name == "attribution_credits_reconcile"
]
REPORT = "rpt_attribution_channels"
TYPES = {
    "attributed_conversions": "decimal(18,6)",
    "attributed_revenue": "decimal(18,4)",
    "attributed_signups": "decimal(18,6)",
    "spend": "decimal(18,4)",
}
# Three paid orders worth 100.01 + 50 + 0 (fully refunded) up to data end 2026-01-31, one order after it.
ORDERS = [("o1", "100.01", date(2026, 1, 5)), ("o2", "50", date(2026, 1, 20)), ("o3", "0", date(2026, 1, 31))]
LATE_ORDER = ("o4", "70", date(2026, 2, 1))


def create_sources(con: duckdb.DuckDBPyConnection, orders=(*ORDERS, LATE_ORDER)) -> None:
    con.execute("create schema if not exists intermediate; create schema if not exists marts")
    con.execute(
        "create or replace table intermediate.int_orders_netted "
        "(order_id varchar, net_revenue_cny decimal(18,4), created_date date)"
    )
    con.executemany("insert into intermediate.int_orders_netted values (?, ?, ?)", [list(o) for o in orders])
    con.execute(
        "create or replace table marts.dim_dates as "
        "select cast(range as date) as date_day from range(date '2026-01-01', date '2026-02-01', interval 1 day)"
    )


def report_rows(change: dict | None = None) -> list[dict]:
    """Per model: 3 orders split 1/3 : 2/3 across two channels, revenue 150.01 split with the residual."""
    rows = []
    for model in ATTRIBUTION_MODELS:
        base = clean_report_row(REPORT) | {"attribution_model": model}
        rows.append(base | {"channel": "douyin_ads", "attributed_conversions": Decimal("1.000001")})
        rows[-1]["attributed_revenue"] = Decimal("50.0033")
        rows.append(base | {"channel": "organic", "attributed_conversions": Decimal("1.999999")})
        rows[-1]["attributed_revenue"] = Decimal("100.0067")
    if change:
        rows[-1] |= change
    return rows


def meta(result) -> dict:
    return {k: v.value for k, v in result.metadata.items()}


def test_credits_that_sum_exactly_to_the_orders_and_revenue_pass(con, run_check):
    create_sources(con)
    create_report(con, REPORT, report_rows(), **TYPES)
    result = run_check(CHECK)
    assert result.passed, result.description
    assert meta(result)["unexpected_count"] == 0


@pytest.mark.parametrize(
    "change",
    [
        {"attributed_conversions": Decimal("1.999998")},  # one millionth of an order lost
        {"attributed_revenue": Decimal("100.0068")},  # one ten-thousandth of a yuan invented
    ],
)
def test_a_model_off_by_the_smallest_unit_fails(change, con, run_check):
    create_sources(con)
    create_report(con, REPORT, report_rows(change), **TYPES)
    result = run_check(CHECK)
    assert not result.passed
    assert meta(result)["unexpected_count"] == 1
    assert meta(result)["sample"][0]["attribution_model"] == ATTRIBUTION_MODELS[-1]


def test_a_model_missing_from_the_report_fails(con, run_check):
    create_sources(con)
    rows = [r for r in report_rows() if r["attribution_model"] != "first_touch"]
    create_report(con, REPORT, rows, **TYPES)
    result = run_check(CHECK)
    assert not result.passed
    assert [s["attribution_model"] for s in meta(result)["sample"]] == ["first_touch"]


def test_an_order_the_report_missed_fails(con, run_check):
    create_sources(con, orders=(*ORDERS, ("o5", "0", date(2026, 1, 31))))
    create_report(con, REPORT, report_rows(), **TYPES)
    result = run_check(CHECK)
    assert not result.passed
    assert meta(result)["unexpected_count"] == len(ATTRIBUTION_MODELS)


@pytest.mark.parametrize("dropped", ["intermediate.int_orders_netted", "marts.dim_dates"])
def test_a_missing_source_table_fails_instead_of_passing(dropped, con, run_check):
    create_sources(con)
    create_report(con, REPORT, report_rows(), **TYPES)
    con.execute(f"drop table {dropped}")
    result = run_check(CHECK)
    assert not result.passed
    assert "cannot reconcile" in result.description


def test_a_missing_report_fails(con, run_check):
    create_sources(con)
    result = run_check(CHECK)
    assert not result.passed
    assert meta(result)["missing_table"] == f"reports.{REPORT}"
