"""The loader on Spark gives what it gives on DuckDB (issue 15): a small demo window with every class of bad
landing file planted (tests/faults/bad_files.py) is loaded by both engines, and the raw rows, the quarantined
rows and their reasons, the warnings, the load log and every file-level failure must be identical.

One local Spark session for the module (a JVM start costs ~20 s); the loads take about a minute more.
"""

from __future__ import annotations

import datetime as dt
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import duckdb
import pytest

from growthmart.contracts import CONTRACTS
from growthmart.ingest import LoadError, load_partitions
from tools.demo.generator import DemoParams, generate

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "faults"))
import bad_files  # noqa: E402

pytest.importorskip("pyspark")

START, DAYS = dt.date(2026, 5, 10), 5
WINDOW = [(START + dt.timedelta(days=i)).isoformat() for i in range(DAYS)]
# a backfill batch, then a nightly day: the resent file of the last day duplicates one loaded before
BATCHES = [WINDOW[:-1], WINDOW[-1:]]
assert bad_files.LAST == WINDOW[-1] and bad_files.FIRST in WINDOW

STAMPS = {"_loaded_at", "quarantined_at", "loaded_at", "warned_at"}  # when, not what: differ by nature


@pytest.fixture(scope="module")
def landing(tmp_path_factory) -> Path:
    data = tmp_path_factory.mktemp("parity") / "data"
    generate(data / "landing", DemoParams(start=START, days=DAYS, users=150, seed=3))
    bad_files.plant(SimpleNamespace(landing=data / "landing", data=data))
    return data / "landing"


def _load_all(con, landing: Path) -> dict:
    """{source: [per batch: ("loaded", [(day, landed, loaded, quarantined, reasons, warnings)]) | ("failed", ...)]}"""
    out = {}
    for contract in CONTRACTS:
        began = time.perf_counter()
        runs = []
        for days in BATCHES:
            try:
                results = load_partitions(con, contract, landing, days, run_id="parity")
            except LoadError as exc:
                runs.append(("failed", exc.source, exc.file, exc.row, exc.column, str(exc)))
                continue
            runs.append(
                (
                    "loaded",
                    [
                        (
                            r.partition_date,
                            [
                                (f.source_file, f.rows_landed, f.rows_loaded, f.rows_quarantined)
                                for f in r.files
                            ],
                            sorted(r.quarantine_reasons.items()),
                            r.warnings,
                        )
                        for r in results
                    ],
                )
            )
        out[contract.name] = runs
        print(f"{contract.name}: {time.perf_counter() - began:.1f}s", file=sys.stderr)
    return out


def _rows(fetch, columns: list[str]) -> list[tuple]:
    return sorted((tuple(r) for r in fetch), key=repr)


def _tables(query) -> dict[str, list[tuple]]:
    """Every raw and bookkeeping table's rows (time stamps left out), sorted; `query(table, columns)`."""
    tables = {
        f"raw.{c.name}": [*c.column_names, "_source_file", "_row_number", "_partition_date"]
        for c in CONTRACTS
    }
    for name, cols in bad_files_bookkeeping().items():
        tables[f"raw.{name}"] = cols
    return {t: sorted((tuple(r) for r in query(t, cols)), key=repr) for t, cols in tables.items()}


def bad_files_bookkeeping() -> dict[str, list[str]]:
    from growthmart.ingest.sql import BOOKKEEPING_TABLES

    return {t: [c for c, _, _ in cols if c not in STAMPS] for t, cols in BOOKKEEPING_TABLES.items()}


@pytest.fixture(scope="module")
def duckdb_load(landing, tmp_path_factory):
    con = duckdb.connect(str(tmp_path_factory.mktemp("duck") / "w.duckdb"))
    con.execute("set TimeZone = 'UTC'")
    loads = _load_all(con, landing)

    def query(table, cols):
        quoted = ", ".join('"' + c + '"' for c in cols)
        schema, name = table.split(".")
        return con.execute(f'select {quoted} from {schema}."{name}"').fetchall()

    tables = _tables(query)
    con.close()
    return loads, tables


@pytest.fixture(scope="module")
def spark_load(landing, tmp_path_factory):
    from growthmart.spark import SparkCon, spark_session

    spark = spark_session(tmp_path_factory.mktemp("spark") / "data", "growthmart-parity-test")
    try:
        con = SparkCon(spark)
        loads = _load_all(con, landing)

        def query(table, cols):
            quoted = ", ".join("`" + c + "`" for c in cols)
            schema, name = table.split(".")
            return spark.sql(f"select {quoted} from {schema}.`{name}`").collect()

        yield loads, _tables(query)
    finally:
        spark.stop()


def test_every_planted_bad_file_is_judged_alike(duckdb_load, spark_load):
    duck, spark = duckdb_load[0], spark_load[0]
    assert set(duck) == set(spark)
    for source in duck:
        assert spark[source] == duck[source], source
    failed = {s for s, runs in duck.items() if any(r[0] == "failed" for r in runs)}
    planted = {"content_items", "app_users", "app_orders", "non_ad_costs", "campaigns", "app_events"}
    assert planted | {"meta_ads_insights", "experiments"} == failed  # the planted failures did fail


def test_raw_rows_quarantine_warnings_and_load_log_are_identical(duckdb_load, spark_load):
    duck, spark = duckdb_load[1], spark_load[1]
    assert any(duck["raw.quarantine_rows"]) and any(duck["raw.load_warnings"])
    for table in duck:
        assert spark[table] == duck[table], table
