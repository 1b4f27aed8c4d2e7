"""Killed, interrupted, concurrent and out-of-memory runs (issue 10): the real CLI, from a published baseline.

- kill -9 of the CLI during ingest, dbt or publish: nothing of the run survives it, the previous publication is
  intact, and the next run, with no manual clean-up, recovers the dead run (names it) and succeeds;
- SIGTERM during dbt: a clean failure, dbt stopped, the writer lock released;
- two runs started together: the second waits for the first (and says so), never a lock error, and what it
  publishes is what its own checks validated after its own dbt build;
- out of memory: the run fails at once, saying memory ran out under which limit, never retried.

Runs cover the baseline's last day only (one-day runs cost the fixed cost of Dagster and dbt).
"""

from __future__ import annotations

import os
import re
import signal
import subprocess

import dagster as dg
import duckdb
import psutil
import pytest
from harness import (
    LAST_DAY,
    LOCK_ERROR,
    STATS,
    FaultEnv,
    Run,
    descendants,
    kill9,
    kill_group,
    orphans,
    publication_snapshot,
    read_log,
    reconcile,
    wait_for,
    wait_for_output,
)

DAY = ["--first", LAST_DAY, "--last", LAST_DAY]
RUN_ID = re.compile(r"^run ([0-9a-f-]{36}) on ", re.MULTILINE)


def run_id_of(proc: subprocess.Popen) -> str:
    return RUN_ID.search(wait_for_output(proc, RUN_ID, timeout=120)).group(1)


def dbt_child(proc: subprocess.Popen) -> psutil.Process | None:
    for child in descendants(proc):
        try:
            if any("dbt" in part for part in child.cmdline()):
                return child
        except psutil.NoSuchProcess:
            continue
    return None


def publishing(env: FaultEnv) -> bool:
    return any(env.published.glob(".growthmart.*.duckdb.tmp"))


def published_run_id(env: FaultEnv) -> str:
    con = duckdb.connect(str(env.published / "growthmart.duckdb"), read_only=True)
    try:
        return con.execute("select any_value(run_id) from main.publication").fetchone()[0]
    finally:
        con.close()


def instance_of(env: FaultEnv) -> dg.DagsterInstance:
    return dg.DagsterInstance.from_config(str(env.data / "dagster_home"))


def run_window_left(env: FaultEnv) -> bool:
    con = duckdb.connect(str(env.warehouse), read_only=True)
    try:
        return bool(
            con.execute(
                "select count(*) from information_schema.tables "
                "where table_schema = 'meta' and table_name = 'dbt_run_window'"
            ).fetchone()[0]
        )
    finally:
        con.close()


def rerun_recovers(env: FaultEnv, dead_run_id: str, before: dict) -> Run:
    """The next run, with no clean-up by hand: it names the dead run it recovered, succeeds and publishes."""
    run = env.run(*DAY)
    assert run.code == 0, run.text[-5000:]
    assert re.search(rf"recovered run {dead_run_id} ", run.out), run.out[:5000]
    STATS["runs_recovered"] += 1
    assert not LOCK_ERROR.search(run.out), run.out[-5000:]
    with instance_of(env) as instance:
        dead = instance.get_run_by_id(dead_run_id)
        assert dead.status == dg.DagsterRunStatus.FAILURE
        assert not instance.get_runs(dg.RunsFilter(statuses=[dg.DagsterRunStatus.STARTED]))
    after = publication_snapshot(env.published)
    assert after["run_id"] != before["run_id"]
    assert set(after["tables"]) == set(before["tables"])
    reconcile(env.warehouse)
    assert not run_window_left(env)
    return run


@pytest.mark.parametrize("stage", ["ingest", "dbt", "publish"])
def test_kill_9_leaves_nothing_running_and_the_next_run_recovers(fault_env: FaultEnv, stage: str):
    before = publication_snapshot(fault_env.published)
    proc = fault_env.start(*DAY)
    try:
        run_id = run_id_of(proc)
        if stage == "ingest":
            wait_for_output(proc, r"raw__\w+ - \w+: 1/1 partitions")
        elif stage == "dbt":
            wait_for(lambda: dbt_child(proc), proc=proc)
            wait_for_output(proc, r"START sql")  # dbt is writing the warehouse
        else:
            wait_for(lambda: publishing(fault_env), interval=0.01, proc=proc)
        kill9(proc)
    finally:
        if proc.poll() is None:
            kill_group(proc)
    assert orphans(fault_env.data, grace=5) == []
    assert publication_snapshot(fault_env.published) == before
    rerun_recovers(fault_env, run_id, before)


def test_sigterm_during_dbt_is_a_clean_failure(fault_env: FaultEnv):
    before = publication_snapshot(fault_env.published)
    proc = fault_env.start(*DAY)
    try:
        wait_for(lambda: dbt_child(proc), proc=proc)
        wait_for_output(proc, r"START sql")
        os.kill(proc.pid, signal.SIGTERM)
        proc.wait(timeout=90)
    finally:
        if proc.poll() is None:
            kill_group(proc)
    out = read_log(proc)
    assert proc.returncode != 0
    assert "FAILED" in out or "stopped by SIGTERM" in out, out[-3000:]
    assert orphans(fault_env.data, grace=0) == []
    assert not run_window_left(fault_env)
    assert publication_snapshot(fault_env.published) == before
    with instance_of(fault_env) as instance:
        assert not instance.get_runs(dg.RunsFilter(statuses=[dg.DagsterRunStatus.STARTED]))
    # Nothing to recover: the next run starts at once (the lock was released) and succeeds.
    run = fault_env.run(*DAY)
    assert run.code == 0, run.text[-5000:]
    assert "recovered run" not in run.out and "waiting for the writer lock" not in run.out


def test_two_runs_started_together_run_one_after_the_other(fault_env: FaultEnv):
    procs = [fault_env.start(*DAY), fault_env.start(*DAY)]
    try:
        ids = [run_id_of(p) for p in procs]
        for p in procs:
            p.wait(timeout=1200)
    finally:
        for p in procs:
            if p.poll() is None:
                kill_group(p)
    outs = [read_log(p) for p in procs]
    for p, out in zip(procs, outs, strict=True):
        assert p.returncode == 0, out[-5000:]
        assert not LOCK_ERROR.search(out), out[-5000:]
    waited = [i for i, out in enumerate(outs) if "waiting for the writer lock" in out]
    assert len(waited) == 1, "exactly one of the two runs waits for the other"
    second, first = ids[waited[0]], ids[1 - waited[0]]
    assert f"(run {first}, since" in outs[waited[0]], "the waiting run names the run it waits for"

    # The publication is the second run's, and it validated what it published: the two runs did not overlap,
    # and within the second run its report checks ran after its own dbt build and before its publish step.
    assert published_run_id(fault_env) == second
    with instance_of(fault_env) as instance:
        one, two = (instance.get_run_record_by_id(r) for r in (first, second))
        assert one.end_time <= two.start_time, "the runs overlapped"
        events = instance.all_logs(second)
    steps = [
        (e.timestamp, e.dagster_event.event_type_value, e.step_key or "") for e in events if e.dagster_event
    ]
    dbt_done = max(t for t, kind, step in steps if kind == "STEP_SUCCESS" and step == "growthmart_dbt")
    report_checks = [  # the Great Expectations and reconciliation checks (dbt's tests run inside its step)
        e.timestamp
        for e in events
        if e.dagster_event
        and e.dagster_event.event_type_value == "ASSET_CHECK_EVALUATION"
        and e.step_key != "growthmart_dbt"
        and e.dagster_event.asset_check_evaluation_data.asset_key.path[0] == "reports"
    ]
    publish_start = min(
        t for t, kind, step in steps if kind == "STEP_START" and step == "published__growthmart_bi"
    )
    assert report_checks and dbt_done <= min(report_checks) and max(report_checks) <= publish_start
    reconcile(fault_env.warehouse)


def test_out_of_memory_fails_at_once_and_says_which_limit(fault_env: FaultEnv):
    before = publication_snapshot(fault_env.published)
    run = fault_env.run(*DAY, GROWTHMART_DUCKDB_MEMORY_LIMIT="1MB")
    assert run.code != 0
    assert "Out of memory" in run.out and "GROWTHMART_DUCKDB_MEMORY_LIMIT=1MB" in run.out, run.out[-5000:]
    assert "Exceeded max_retries" not in run.out and "RETRY" not in run.out
    assert publication_snapshot(fault_env.published) == before
    assert orphans(fault_env.data, grace=0) == []
    run = fault_env.run(*DAY)
    assert run.code == 0, run.text[-5000:]
    reconcile(fault_env.warehouse)
