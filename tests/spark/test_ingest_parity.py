"""The loader on Spark gives what it gives on DuckDB (issue 15): a small demo window with every class of bad
landing file planted (tests/faults/bad_files.py) is loaded by both engines, and the raw rows, the quarantined
rows and their reasons, the warnings, the load log and every file-level failure must be identical.

One local Spark session for the module (a JVM start costs ~20 s); the loads take about a minute more.
"""

from __future__ import annotations

import datetime as dt
import shutil
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
# Sources with a bad file on the last day load a backfill batch, then that day as a nightly run (the resent
# file duplicates one loaded before); the others one batch (a Spark load costs seconds: the test stays short).
NIGHTLY = {"app_orders", "campaigns", "meta_ads_insights", "ocean_engine_ad_stats", "baidu_keyword_stats"}
NIGHTLY |= {"tencent_ads_daily_reports"}


def batches(source: str) -> list[list[str]]:
    return [WINDOW[:-1], WINDOW[-1:]] if source in NIGHTLY else [WINDOW]


assert WINDOW[-1] == bad_files.LAST and bad_files.FIRST in WINDOW

STAMPS = {"_loaded_at", "quarantined_at", "loaded_at", "warned_at"}  # when, not what: differ by nature


@pytest.fixture(scope="module")
def landing(tmp_path_factory) -> Path:
    data = tmp_path_factory.mktemp("parity") / "data"
    generate(data / "landing", DemoParams(start=START, days=DAYS, users=150, seed=3))
    PLANTED.update(bad_files.plant(SimpleNamespace(landing=data / "landing", data=data)))
    plant_more(data / "landing")
    return data / "landing"


PLANTED: dict = {}  # what bad_files.plant says each planted file must produce


def plant_more(landing: Path) -> None:
    """What the bad-file classes leave out and Spark reads its own way: JSON Lines with broken and blank lines,
    a CSV whose records span lines (and a blank line), a Parquet file of typed columns repeating one key of a
    CSV's."""
    day = bad_files.FIRST
    events = bad_files.demo_file(landing, "brand_mentions", day).read_text(encoding="utf-8").splitlines()
    good = [e.replace('"mention_id":"', '"mention_id":"x') for e in events[:3]]
    lines = [good[0], "", "{not json", *good[1:], "[1, 2]", "  "]
    (landing / "brand_mentions" / day / "odd_lines.jsonl").write_text(
        "\n".join(lines) + "\n", encoding="utf-8"
    )
    header, rows = bad_files.first_rows(bad_files.demo_file(landing, "competitor_creatives", day), 3)
    text = header.index("text")
    for i, r in enumerate(rows):
        r[header.index("creative_id")] = f"{r[header.index('creative_id')]}x{i}"
    rows[0][text] = "two\nlines, one record"
    body = [",".join(f'"{v}"' if ("," in v or "\n" in v) else v for v in r) for r in rows]
    body.insert(2, "")
    path = landing / "competitor_creatives" / day / "multiline.csv"
    path.write_text(",".join(header) + "\n" + "\n".join(body) + "\n", encoding="utf-8")
    csv_file = bad_files.demo_file(landing, "competitor_prices", day)
    renumbered = "case when n = 1 then cast(item_id as varchar) else cast(item_id as varchar) || '9' end"
    duckdb.sql(
        f"""copy (select * exclude (n) replace ({renumbered} as item_id)
                  from (select *, row_number() over () as n from read_csv('{csv_file}')))
            to '{csv_file.parent / "resent.parquet"}' (format parquet)"""
    )


def _load_all(con, landing: Path) -> dict:
    """{source: [per batch: ("loaded", [(day, landed, loaded, quarantined, reasons, warnings)]) | ("failed", ...)]}"""
    out = {}
    for contract in CONTRACTS:
        began = time.perf_counter()
        runs = []
        for days in batches(contract.name):
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
def spark(tmp_path_factory):
    if shutil.which("java") is None:
        pytest.skip("Spark needs a Java runtime: apt-get install openjdk-17-jre-headless (.ci/run does)")
    from growthmart.spark import spark_session

    session = spark_session(tmp_path_factory.mktemp("spark") / "data", "growthmart-parity-test")
    yield session
    session.stop()


@pytest.fixture(scope="module")
def spark_load(landing, spark):
    from growthmart.spark import SparkCon

    loads = _load_all(SparkCon(spark), landing)

    def query(table, cols):
        quoted = ", ".join("`" + c + "`" for c in cols)
        schema, name = table.split(".")
        return spark.sql(f"select {quoted} from {schema}.`{name}`").collect()

    return loads, _tables(query)


# Landing texts of every kind the typing rules judge: (un)ambiguous numbers, dates in both layouts, timestamps
# with and without offsets (and the spellings one engine's cast alone would accept), JSON, null tokens, blanks.
TEXTS = [
    *("1", "+5", "-0", "007", "1,234", "1,234,567.89", "12,5", "1,2,3", "1,23", "1234,567", ",5", "12.5"),
    *("12.50000", "1.23456", ".5", "5.", "1e3", "1E-2", "-1.5e+2", "１２", "$5", "5%"),
    *("9223372036854775807", "9223372036854775808", "99999999999999.9999", "999999999999999.0"),
    *("2026-05-10", "2026/05/10", "2026-5-1", "2026/5/1", "26-05-10", "2026-13-01", "2026-02-30"),
    *("2026-05-10T10:00:00", "2026-05-10 10:00:00", "2026-05-10T10:00:00Z", "2026-05-10T10:00:00+08:00"),
    *(
        "2026-05-10 10:00:00+08",
        "2026-05-10T10:00:00.123456",
        "2026-05-10 10:00",
        "2026-05-10T10:00:00-05:30",
    ),
    *("2026-05-10 10:00:00 +0800", "2026-05-10 10:00:00 UTC", "2026-05-10T24:00:00", "10:00:00", "epoch"),
    *('{"a": [1, {"b": null}]}', "[1,2]", '"x"', "true", "{a:1}", "[1,"),
    *(
        "",
        " ",
        "-",
        "--",
        "null",
        "NULL",
        "None",
        "#DIV/0!",
        " 12 ",
        "\t12",
        "12\n",
        "abc",
        "中文",
        "it's",
        "a\\b",
    ),
]
# Not JSON by the standard, and each engine accepts one of them: DuckDB "NaN"/"infinity", Spark a scalar followed by
# more text ("1 000"). Left out here and named in spark_load.py's notes.


def _typed_values(run, d) -> list[tuple]:
    from growthmart.contracts import COLUMN_TYPES, Column
    from growthmart.ingest.sql import cleaned, problem, typed

    exprs = []
    for t in COLUMN_TYPES:
        c = Column("v", t, False, "")
        exprs += [typed(c, cleaned(c, d), d), problem(c, cleaned(c, d), typed(c, cleaned(c, d), d), None, d)]
    rows = " union all ".join(
        f"select {i} as i, {d.literal(t)} as {d.ident('v')}" for i, t in enumerate(TEXTS)
    )
    return [tuple(r) for r in run(f"select i, {', '.join(exprs)} from ({rows}) order by i")]


def test_every_text_is_typed_and_judged_alike(spark):
    from growthmart.ingest.dialect import DUCKDB, SPARK

    con = duckdb.connect()
    con.execute("set TimeZone = 'UTC'")
    duck = _typed_values(lambda sql: con.execute(sql).fetchall(), DUCKDB)
    assert _typed_values(lambda sql: spark.sql(sql).collect(), SPARK) == duck
    assert sum(1 for row in duck for v in row[2::2] if v) > len(TEXTS)  # plenty of texts are refused


def test_every_planted_bad_file_is_judged_alike(duckdb_load, spark_load):
    duck, spark = duckdb_load[0], spark_load[0]
    assert set(duck) == set(spark)
    for source in duck:
        assert spark[source] == duck[source], source
    failures = {s: r for s, runs in duck.items() for r in runs if r[0] == "failed"}
    assert set(failures) == set(PLANTED["failing"])
    for source, (path, expected) in PLANTED["failing"].items():
        assert failures[source][2] == str(path) and all(e in failures[source][5] for e in expected), source


def test_raw_rows_quarantine_warnings_and_load_log_are_identical(duckdb_load, spark_load, landing):
    duck, spark = duckdb_load[1], spark_load[1]
    cols = bad_files_bookkeeping()["quarantine_rows"]
    quarantined = [dict(zip(cols, r, strict=True)) for r in duck["raw.quarantine_rows"]]
    for path, expected in PLANTED["quarantining"].items():
        rel = str(path.relative_to(landing))
        got = [
            (q["row_number"], q["column_name"], q["reason"]) for q in quarantined if q["source_file"] == rel
        ]
        assert len(got) == len(expected), rel
        for (row, column, reason), (g_row, g_column, g_reason) in zip(
            sorted(expected), sorted(got), strict=True
        ):
            assert (g_row, g_column) == (row, column) and g_reason.startswith(reason), rel
    assert any(duck["raw.load_warnings"])
    for table in duck:
        assert spark[table] == duck[table], table
