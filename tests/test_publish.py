"""Publishing: an atomic swap that readers never see half-done, and that a failure leaves untouched."""

from __future__ import annotations

import csv

import duckdb
import pytest

from growthmart.publish import publish


def make_warehouse(path, value: int) -> None:
    con = duckdb.connect(str(path))
    con.execute(
        "create schema if not exists reports; create schema if not exists marts; create schema if not exists staging"
    )
    con.execute(f"create or replace table reports.rpt_kpi_daily as select {value} as new_users")
    con.execute("create or replace table marts.dim_users as select 'u1' as user_id")
    con.execute("create or replace table staging.stg_x as select 1 as x")
    con.close()


def test_publish_copies_reports_and_marts_to_duckdb_and_parquet(tmp_path):
    wh = tmp_path / "warehouse.duckdb"
    make_warehouse(wh, 7)
    tables = publish(wh, tmp_path / "published", run_id="r1")
    assert sorted(t.qualified for t in tables) == ["marts.dim_users", "reports.rpt_kpi_daily"]
    con = duckdb.connect(str(tmp_path / "published" / "growthmart.duckdb"), read_only=True)
    assert con.execute("select new_users from reports.rpt_kpi_daily").fetchone() == (7,)
    assert con.execute("select count(*) from main.publication where run_id = 'r1'").fetchone() == (2,)
    assert not con.execute(
        "select * from information_schema.tables where table_schema = 'staging'"
    ).fetchall()
    con.close()
    parquet = tmp_path / "published" / "parquet" / "reports" / "rpt_kpi_daily.parquet"
    assert duckdb.sql(f"select new_users from '{parquet}'").fetchall() == [(7,)]


def test_a_reader_of_the_old_publication_keeps_a_consistent_view_during_a_swap(tmp_path):
    wh = tmp_path / "warehouse.duckdb"
    make_warehouse(wh, 1)
    publish(wh, tmp_path / "published")
    reader = duckdb.connect(str(tmp_path / "published" / "growthmart.duckdb"), read_only=True)
    make_warehouse(wh, 2)
    publish(wh, tmp_path / "published")  # the reader's open file does not block the swap
    assert reader.execute("select new_users from reports.rpt_kpi_daily").fetchone() == (1,)
    reader.close()
    fresh = duckdb.connect(str(tmp_path / "published" / "growthmart.duckdb"), read_only=True)
    assert fresh.execute("select new_users from reports.rpt_kpi_daily").fetchone() == (2,)
    fresh.close()
    leftovers = [p.name for p in (tmp_path / "published").iterdir() if p.name.endswith(".tmp")]
    assert leftovers == []


def test_a_failed_publication_leaves_the_previous_one_in_place(tmp_path):
    wh = tmp_path / "warehouse.duckdb"
    make_warehouse(wh, 1)
    publish(wh, tmp_path / "published")
    empty = tmp_path / "empty.duckdb"
    duckdb.connect(str(empty)).close()
    with pytest.raises(RuntimeError, match="nothing to publish"):
        publish(empty, tmp_path / "published")
    con = duckdb.connect(str(tmp_path / "published" / "growthmart.duckdb"), read_only=True)
    assert con.execute("select new_users from reports.rpt_kpi_daily").fetchone() == (1,)
    con.close()
    assert (tmp_path / "published" / "parquet" / "reports" / "rpt_kpi_daily.parquet").exists()


def make_segments(path, tier_label: str) -> None:
    con = duckdb.connect(str(path))
    con.execute(
        """create or replace table reports.rpt_user_segments as
           select * from (values ('u1', 'high_value', ?, '会员特权, "专属" 客服', 5),
                                 ('u2', 'never_purchased', '未购买用户', null, null))
               as t(user_id, value_tier, tier_label_zh, suggested_action_zh, r_score)""",
        [tier_label],
    )
    con.close()


def test_the_user_segments_are_published_as_csv_with_a_bom_that_reads_back(tmp_path):
    wh = tmp_path / "warehouse.duckdb"
    make_warehouse(wh, 1)
    make_segments(wh, "高价值用户")
    publish(wh, tmp_path / "published")
    reports = tmp_path / "published" / "parquet" / "reports"
    csv_path = reports / "rpt_user_segments.csv"
    raw = csv_path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and raw.count(b"\xef\xbb\xbf") == 1
    with csv_path.open(encoding="utf-8-sig", newline="") as f:  # what Excel / a CRM importer sees
        rows = list(csv.DictReader(f))
    assert rows == [
        {"user_id": "u1", "value_tier": "high_value", "tier_label_zh": "高价值用户",
         "suggested_action_zh": '会员特权, "专属" 客服', "r_score": "5"},
        {"user_id": "u2", "value_tier": "never_purchased", "tier_label_zh": "未购买用户",
         "suggested_action_zh": "", "r_score": ""},
    ]  # fmt: skip
    parquet_rows = duckdb.sql(f"select count(*) from '{reports / 'rpt_user_segments.parquet'}'").fetchall()
    assert parquet_rows == [(len(rows),)]
    assert [p.name for p in reports.iterdir() if p.name.startswith(".")] == []  # no BOM-less leftover
    assert not (reports / "rpt_kpi_daily.csv").exists()  # only the tables meant for CRM import


def test_the_segments_csv_swaps_with_the_parquet_files(tmp_path):
    wh = tmp_path / "warehouse.duckdb"
    make_warehouse(wh, 1)
    make_segments(wh, "旧")
    publish(wh, tmp_path / "published")
    old_version = (tmp_path / "published" / "parquet").resolve()
    make_segments(wh, "新")
    publish(wh, tmp_path / "published")
    current = tmp_path / "published" / "parquet" / "reports" / "rpt_user_segments.csv"
    assert "新" in current.read_text(encoding="utf-8-sig")
    # a reader that resolved the previous version keeps a complete, consistent file
    assert "旧" in (old_version / "reports" / "rpt_user_segments.csv").read_text(encoding="utf-8-sig")
