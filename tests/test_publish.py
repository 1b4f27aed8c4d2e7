"""Publishing: an atomic swap that readers never see half-done, and that a failure leaves untouched."""

from __future__ import annotations

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
