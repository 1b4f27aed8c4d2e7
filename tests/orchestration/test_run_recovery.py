"""Recovery of what a killed run leaves behind (assets/run_recovery.py, run by the warehouse resource): its run
left STARTED, the concurrency slots it held, its dbt window table. Without the pipeline: a one-asset job."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import dagster as dg
import duckdb
import pytest
from dagster._core.events import DagsterEvent
from dagster._core.utils import make_new_run_id

from assets.resources import WarehouseResource
from assets.run_recovery import find_dead_runs, recover_dead_runs

ROOT = Path(__file__).resolve().parents[2]
# A run that claims a pool slot, holds the writer lock (the warehouse resource) and sleeps until it is killed.
SLOW_RUN = """
import sys, time
import dagster as dg
from assets.resources import WarehouseResource

@dg.asset(pool="test_pool")
def slow(warehouse: WarehouseResource):
    print("STEP STARTED", flush=True)
    time.sleep(300)

with dg.DagsterInstance.get() as instance:
    dg.materialize([slow], resources={"warehouse": WarehouseResource(data_dir=sys.argv[1])}, instance=instance)
"""


@dg.asset
def quick(warehouse: WarehouseResource) -> None:
    with warehouse.connect() as con:
        con.execute("select 1")


@pytest.fixture
def home(tmp_path, monkeypatch) -> Path:
    home = tmp_path / "dagster_home"
    home.mkdir()
    (home / "dagster.yaml").write_text(
        "concurrency:\n  pools:\n    default_limit: 1\ntelemetry:\n  enabled: false\n"
    )
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    return home


def start_slow_run(data: Path) -> subprocess.Popen:
    proc = subprocess.Popen(
        [sys.executable, "-c", SLOW_RUN, str(data)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if "STEP STARTED" in line:
            return proc
        if not line and proc.poll() is not None:
            break
    proc.kill()
    raise AssertionError("the slow run did not start")


def test_a_killed_run_is_failed_its_slots_freed_and_its_window_dropped_by_the_next_run(home, tmp_path):
    data = tmp_path / "data"
    proc = start_slow_run(data)
    with dg.DagsterInstance.get() as instance:
        try:
            [started] = instance.get_runs(dg.RunsFilter(statuses=[dg.DagsterRunStatus.STARTED]))
            assert find_dead_runs(instance, None) == [], "a live run is not dead"
            assert instance.event_log_storage.get_concurrency_info("test_pool").active_run_ids == {
                started.run_id
            }
        finally:
            proc.send_signal(signal.SIGKILL)
            proc.wait()
        # What dbt leaves when its run is killed mid-build.
        con = duckdb.connect(str(data / "warehouse.duckdb"))
        con.execute("create schema meta")
        con.execute(f"create table meta.dbt_run_window as select '{started.run_id}' as run_id")
        con.close()

        [dead] = find_dead_runs(instance, None)
        assert dead.run.run_id == started.run_id and dead.pid == proc.pid

        result = dg.materialize(
            [quick], resources={"warehouse": WarehouseResource(data_dir=str(data))}, instance=instance
        )
        assert result.success
        said = "\n".join(e.user_message for e in instance.all_logs(result.run_id))
        assert f"recovered run {started.run_id} (__ephemeral_asset_job__, STARTED since" in said
        assert f"dropped meta.dbt_run_window left by run {started.run_id}" in said

        failed = instance.get_run_by_id(started.run_id)
        assert failed.status == dg.DagsterRunStatus.FAILURE
        failure = instance.all_logs(started.run_id, of_type=dg.DagsterEventType.RUN_FAILURE)[0]
        assert f"(pid {proc.pid}) is gone" in failure.dagster_event.message
        assert instance.event_log_storage.get_concurrency_info("test_pool").active_run_ids == set()
        assert find_dead_runs(instance, None) == []

    con = duckdb.connect(str(data / "warehouse.duckdb"), read_only=True)
    tables = con.execute(
        "select table_name from information_schema.tables where table_schema = 'meta'"
    ).fetchall()
    con.close()
    assert tables == []


def fake_run(instance: dg.DagsterInstance, status: dg.DagsterRunStatus, pid: int | None) -> dg.DagsterRun:
    """A run record as a process would leave it: with a RUN_START event from `pid` (STARTED), or none yet."""
    run = instance.add_run(dg.DagsterRun(job_name="some_job", run_id=make_new_run_id(), status=status))
    if pid is not None:
        event = DagsterEvent(dg.DagsterEventType.RUN_START.value, job_name="some_job", pid=pid)
        instance.report_dagster_event(event, run_id=run.run_id)
    return instance.get_run_by_id(run.run_id)


def test_only_runs_whose_process_is_gone_are_dead(home):
    gone = subprocess.Popen(["true"])
    gone.wait()
    with dg.DagsterInstance.get() as instance:
        dead = fake_run(instance, dg.DagsterRunStatus.NOT_STARTED, gone.pid)
        alive = fake_run(instance, dg.DagsterRunStatus.NOT_STARTED, os.getpid())
        current = fake_run(instance, dg.DagsterRunStatus.NOT_STARTED, gone.pid)
        starting = fake_run(instance, dg.DagsterRunStatus.STARTING, None)  # launched, no process yet
        assert dead.status == alive.status == current.status == dg.DagsterRunStatus.STARTED

        said: list[str] = []
        recovered = recover_dead_runs(instance, current.run_id, say=said.append)
        assert [r.run.run_id for r in recovered] == [dead.run_id]
        assert len(said) == 1 and f"recovered run {dead.run_id} (some_job, STARTED since" in said[0]
        statuses = {r: instance.get_run_by_id(r).status for r in (dead.run_id, alive.run_id, current.run_id)}
        assert statuses == {
            dead.run_id: dg.DagsterRunStatus.FAILURE,
            alive.run_id: dg.DagsterRunStatus.STARTED,
            current.run_id: dg.DagsterRunStatus.STARTED,
        }
        assert instance.get_run_by_id(starting.run_id).status == dg.DagsterRunStatus.STARTING
