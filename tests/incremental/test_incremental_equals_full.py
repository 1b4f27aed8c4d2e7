"""Nightly incremental runs publish exactly what one full build publishes (issue #3).

Everything goes through the real pipeline: `orchestration.cli` → Dagster (partitioned raw loads, the dbt asset
reading the run's partition window from a table) → checks → publication. One demo landing set is generated once and
copied into each data directory, so every run reads the same files.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pytest
from published_compare import differences, published_tables

from assets.transform.dbt_assets import DBT_PROJECT_DIR, dbt_target_path
from growthmart.runlog import logs_dir
from orchestration.cli import main
from tools.demo.generator import DemoParams, generate

DEMO = DemoParams(start=date(2026, 5, 1), days=21, users=300, seed=7)
DAYS = [(DEMO.start + timedelta(days=n)).isoformat() for n in range(DEMO.days)]
LOOKBACK_DAYS = 3  # incremental_lookback_days in dbt_project.yml
BACKFILL_DAYS = 17  # days 1..17 land as one backfill (run 1), days 18..21 one night at a time (runs 2..5)


@pytest.fixture(scope="module")
def landing(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("demo") / "landing"
    generate(root, DEMO)
    return root


@pytest.fixture(scope="module")
def pipeline(landing, tmp_path_factory, dbt_manifest):
    """run(name, first, last): one CLI run over partitions first..last in data directory `name`."""
    root = tmp_path_factory.mktemp("incremental")

    def data_dir(name: str) -> Path:
        path = root / name
        if not path.exists():
            shutil.copytree(landing, path / "landing")
        return path

    def run(name: str, first: str, last: str) -> Path:
        path = data_dir(name)
        out = io.StringIO()
        with pytest.MonkeyPatch.context() as mp, contextlib.redirect_stdout(out):
            mp.setenv("GROWTHMART_DATA_DIR", str(path))
            mp.setenv("DAGSTER_HOME", str(path / "dagster_home"))
            code = main(["run", "--first", first, "--last", last, "--log-level", "WARNING"])
        assert code == 0, f"run {name} {first}..{last} failed:\n{out.getvalue()}"
        return path

    run.root = root
    return run


@pytest.fixture(scope="module")
def full_build(pipeline) -> Path:
    return pipeline("full", DAYS[0], DAYS[-1])


@pytest.fixture(scope="module")
def backfilled(pipeline) -> Path:
    """Days 1..17 as one backfill; a copy of this state is where the one-range backfill of days 18..21 starts."""
    path = pipeline("backfilled", DAYS[0], DAYS[BACKFILL_DAYS - 1])
    shutil.copytree(path, pipeline.root / "range_backfill")
    return path


def dbt_run_record(data: Path) -> tuple[str, str, str]:
    """(the run log with dbt's lines, the compiled SQL of one incremental model, of one test on a view) of the last
    pipeline run in data directory `data`."""
    compiled = dbt_target_path(data) / "compiled"
    stitched = next(compiled.rglob("int_identities_stitched.sql"))
    view_test = next(compiled.rglob("unique_int_events_stitched_event_id_one_row_per_stg_event.sql"))
    run_log = max(logs_dir(data).glob("*.log"), key=lambda p: p.stat().st_mtime)
    return run_log.read_text(), stitched.read_text(), view_test.read_text()


@pytest.fixture(scope="module")
def nightly(pipeline, backfilled) -> Path:
    """The backfill, then days 18..21 one nightly run at a time: five runs.

    Each night's dbt reads that night's window (from the run-window table, not --vars) and, with the parse state
    of the previous run on the same warehouse, does not parse the project again.
    """
    for day in DAYS[BACKFILL_DAYS:]:
        path = pipeline("backfilled", day, day)
        log, stitched, view_test = dbt_run_record(path)
        assert re.search(r"^Found \d+ models", log, re.M), f"night {day}: no dbt lines in the run log"
        assert "Unable to do partial parsing" not in log, f"night {day}: dbt parsed the project again"
        first_day = date.fromisoformat(day) - timedelta(days=LOOKBACK_DAYS)
        in_window = f"partition_date >= cast('{first_day.isoformat()}' as date)"
        assert in_window in stitched, f"night {day}: no window"
        # the row count of a view is compared over the night's rows on both sides, not over the history
        assert view_test.count(in_window) == 2, f"night {day}: view test not scoped:\n{view_test}"
    return backfilled


def test_nightly_runs_publish_the_same_tables_as_one_full_build(full_build, nightly):
    expected = published_tables(full_build)
    assert "reports.rpt_kpi_daily" in expected and "marts.fct_user_activity_daily" in expected
    assert differences(expected, published_tables(nightly)) == []


def test_late_events_are_counted_exactly_once(full_build, nightly):
    """The demo's late events (landed 1-2 days after they happened) appear once, on the day they happened."""

    def late_events(data_dir: Path) -> tuple[int, int, int, int]:
        con = duckdb.connect(str(data_dir / "warehouse.duckdb"), read_only=True)
        try:
            return con.execute(
                """select
                       (select count(distinct event_id) from raw.app_events
                        where _partition_date > cast(timezone('Asia/Shanghai', timezone('UTC', event_at)) as date)),
                       (select count(*) from staging.stg_app__events where is_late_arrival),
                       (select count(*) from staging.stg_app__events where is_late_arrival and partition_date > ?),
                       (select sum(events) from marts.fct_user_activity_daily)""",
                [DAYS[BACKFILL_DAYS - 1]],
            ).fetchone()
        finally:
            con.close()

    raw_late, stored_late, late_in_nightly_runs, activity_events = late_events(nightly)
    assert late_in_nightly_runs > 0, "some late events should land during the nightly runs"
    assert stored_late == raw_late
    assert (raw_late, stored_late, late_in_nightly_runs, activity_events) == late_events(full_build)


def test_one_backfill_over_a_range_equals_the_nightly_runs_of_its_days(pipeline, nightly):
    range_backfill = pipeline("range_backfill", DAYS[BACKFILL_DAYS], DAYS[-1])
    assert differences(published_tables(nightly), published_tables(range_backfill)) == []


def test_running_a_partition_again_changes_nothing_even_out_of_order(pipeline, nightly):
    """Day 19 once more after day 21: versions landed after it still win, nothing is counted twice."""
    before = published_tables(nightly)
    pipeline("backfilled", DAYS[18], DAYS[18])
    assert differences(before, published_tables(nightly)) == []


def test_nightly_data_tests_check_the_rows_the_run_wrote_and_still_fail_on_them(nightly, tmp_path):
    """With a partition window, dbt tests on incremental models read only the rows that run wrote (their
    dbt_built_at) — plus, for uniqueness, every older row sharing a key with them. Both still fail on bad rows:
    a NULL written tonight, and a stored duplicate of an event landed tonight."""
    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(nightly / "warehouse.duckdb", data / "warehouse.duckdb")
    last = DAYS[-1]
    con = duckdb.connect(str(data / "warehouse.duckdb"))
    try:
        # a NULL anonymous id in tonight's raw events; and an old stored row (landed and dated long ago, built by
        # an earlier run, so the night's delete, which skips days before the night's earliest event, keeps it)
        # carrying the event_id of one of tonight's events
        con.execute(
            "update raw.app_events set anonymous_id = null where event_id = (select min(event_id) from raw.app_events where _partition_date = ?)",
            [last],
        )
        con.execute(
            """insert into staging.stg_app__events
               select * replace (cast(? as date) as partition_date, cast(? as date) as event_date, timestamp '2000-01-01' as dbt_built_at)
               from staging.stg_app__events
               where event_id = (select max(event_id) from staging.stg_app__events where partition_date = ?)""",
            [DAYS[0], DAYS[0], last],
        )
    finally:
        con.close()

    dbt = Path(sys.executable).with_name("dbt")
    env = {**os.environ, "GROWTHMART_DATA_DIR": str(data)}
    proc = subprocess.run(
        [str(dbt), "build", "--select", "stg_app__events", "--exclude-resource-type", "unit_test",
         "--vars", json.dumps({"partition_start": last, "partition_end": last}),
         "--profiles-dir", ".", "--target-path", str(tmp_path / "target")],
        cwd=DBT_PROJECT_DIR, env=env, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    failed = set(re.findall(r"FAIL \d+ (\w+stg_app__events\w*)", proc.stdout))
    assert proc.returncode == 1, proc.stdout[-3000:]
    not_null = "not_null_columns_stg_app__events_event_id__anonymous_id__event_name__event_date__event_at"
    assert failed == {not_null, "unique_stg_app__events_event_id"}, proc.stdout[-3000:]
    compiled = next(
        (tmp_path / "target" / "compiled").rglob("not_null_columns_stg_app__even*.sql")
    ).read_text()
    assert "dbt_built_at = cast(" in compiled, "the nightly test was not scoped to the rows the run wrote"


def test_a_range_run_plans_each_asset_once_not_once_per_day(full_build):
    """The CLI's range run writes one planned event per asset (the range as a partitions subset), not one per
    asset per day: for a year of 12 raw assets that is 12 events instead of 4,380 before the first step."""
    import sqlite3

    (run_db,) = [
        p for p in (full_build / "dagster_home" / "history" / "runs").glob("*.db") if p.stem != "index"
    ]
    con = sqlite3.connect(f"file:{run_db}?mode=ro", uri=True)
    try:
        planned, assets = con.execute(
            "select count(*), count(distinct asset_key) from event_logs "
            "where dagster_event_type = 'ASSET_MATERIALIZATION_PLANNED'"
        ).fetchone()
    finally:
        con.close()
    assert assets > 12 and planned == assets, (planned, assets)
