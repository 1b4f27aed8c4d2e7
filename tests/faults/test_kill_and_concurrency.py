"""Killed, interrupted, concurrent and out-of-memory runs (issue 10): the real CLI, from a published baseline.

One night of faults on one data directory, each run facing what the one before it left, with no clean-up by
hand and a BI reader holding the publication open throughout:

1. out of memory: the run fails at once, saying memory ran out under which limit, never retried;
2. kill -9 of the CLI during ingest: nothing of the run survives it;
3. the next run recovers the dead one (names it); SIGTERM during its dbt build: a clean failure, dbt stopped, the
   writer lock released, nothing left to recover;
4. kill -9 during dbt: dbt dies with the run;
5. two runs started together: one holds the writer lock (and recovers the run killed in dbt), the other waits for
   it and says so, never a lock error; the holder is killed -9 during its publish: the publication stays
   byte-identical and the dead publish's debris stays behind;
6. the waiting run goes on: it recovers the dead holder, removes the debris, keeps the last complete publication
   as the previous version, and what it publishes is what its own checks validated after its own dbt build. The
   reader saw the old publication, then the waiting run's, each whole.

After every fault the previous publication is intact and no process of the run is left. Runs cover the
baseline's last day only (one-day runs cost the fixed cost of Dagster and dbt).
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import time

import dagster as dg
import duckdb
import psutil
from harness import (
    LAST_DAY,
    LOCK_ERROR,
    REPARSE,
    RUN_ID,
    STATS,
    TMP_DB_GLOB,
    FaultEnv,
    Reader,
    complete_versions,
    debris,
    descendants,
    digest,
    kill9,
    kill_group,
    orphans,
    publication_snapshot,
    read_log,
    reconcile,
    run_logs,
    wait_for,
    wait_for_output,
    wait_for_run_log,
)

DAY = ["--first", LAST_DAY, "--last", LAST_DAY]


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


def in_dbt(env: FaultEnv, proc: subprocess.Popen) -> None:
    """Wait until the run's dbt is writing the warehouse (its node lines are in the run log)."""
    wait_for(lambda: dbt_child(proc), proc=proc)
    wait_for_run_log(env, proc, r"START sql")


def in_publish_files(env: FaultEnv, proc: subprocess.Popen) -> None:
    """Wait until the run's publish has written its temporary DuckDB file: the publish step is ~1 s, so the files
    are looked for every 5 ms, once dbt is done (before that a look every 5 ms would be ~40 s of busy polling)."""
    wait_for_run_log(env, proc, r"dbt build: Done\.")
    wait_for(lambda: list(env.published.glob(TMP_DB_GLOB)), interval=0.005, proc=proc)


def kill_when(proc: subprocess.Popen, ready) -> None:
    try:
        ready()
        kill9(proc)
    finally:
        if proc.poll() is None:
            kill_group(proc)


def assert_untouched(env: FaultEnv, before: dict, before_digest: dict, running: int | None = None) -> None:
    """The publication a fault must not touch, and no process of the faulted run left behind (those of the run
    still `running`, its process group, aside)."""
    assert orphans(env.data, grace=5, ignore_group=running) == []
    assert publication_snapshot(env.published) == before and digest(env.published) == before_digest


def recovered(out: str, dead_run_id: str) -> None:
    assert re.search(rf"recovered run {dead_run_id} ", out), out[:5000]
    STATS["runs_recovered"] += 1


def test_a_night_of_faults_never_blocks_the_next_run_nor_touches_the_publication(fault_env: FaultEnv):
    env = fault_env
    published = env.published
    before, before_digest, versions = (
        publication_snapshot(published),
        digest(published),
        complete_versions(published),
    )
    reader = Reader(published)
    reader.start()
    try:
        # 1. out of memory: fails at once, says which limit, no retry
        run = env.run(*DAY, GROWTHMART_DUCKDB_MEMORY_LIMIT="1MB")
        assert run.code != 0
        assert "Out of memory" in run.out and "GROWTHMART_DUCKDB_MEMORY_LIMIT=1MB" in run.out, run.out[-5000:]
        assert "Exceeded max_retries" not in run.out and "RETRY" not in run.out
        assert_untouched(env, before, before_digest)

        # 2. kill -9 during ingest
        proc = env.start(*DAY)
        in_ingest = run_id_of(proc)
        kill_when(proc, lambda: wait_for_run_log(env, proc, r"raw__\w+ - \w+: 1/1 partitions"))
        assert_untouched(env, before, before_digest)

        # 3. the next run recovers it; SIGTERM during its dbt build is a clean failure
        proc = env.start(*DAY)
        try:
            in_dbt(env, proc)
            recovered(read_log(proc), in_ingest)
            os.kill(proc.pid, signal.SIGTERM)
            proc.wait(timeout=90)
        finally:
            if proc.poll() is None:
                kill_group(proc)
        out = read_log(proc)
        assert proc.returncode != 0
        assert "FAILED" in out or "stopped by SIGTERM" in out, out[-3000:]
        log = run_logs(env, out)
        assert REPARSE not in out + log and not LOCK_ERROR.search(out + log)
        # Python's multiprocessing resource tracker, when a library started one, ends by itself once it sees its
        # parent gone (it reads EOF on its pipe): a second is allowed for that; dbt and the run are gone at once.
        assert orphans(env.data, grace=3) == []
        assert not run_window_left(env)
        assert_untouched(env, before, before_digest)
        with instance_of(env) as instance:
            assert not instance.get_runs(dg.RunsFilter(statuses=[dg.DagsterRunStatus.STARTED]))

        # 4. kill -9 during dbt: nothing to recover from the SIGTERM, and dbt dies with the run
        proc = env.start(*DAY)
        in_dbt_run = run_id_of(proc)
        kill_when(proc, lambda: in_dbt(env, proc))
        out = read_log(proc)
        assert "recovered run" not in out and "waiting for the writer lock" not in out, out[:3000]
        assert_untouched(env, before, before_digest)

        # 5. two runs started together; the one holding the writer lock is killed -9 during its publish
        procs = [env.start(*DAY), env.start(*DAY)]
        try:
            ids = [run_id_of(p) for p in procs]
            waited = wait_for(
                lambda: [i for i, p in enumerate(procs) if "waiting for the writer lock" in read_log(p)]
            )
            assert len(waited) == 1, "exactly one of the two runs waits for the other"
            waiter, holder = procs[waited[0]], procs[1 - waited[0]]
            second, in_publish = ids[waited[0]], ids[1 - waited[0]]
            assert f"(run {in_publish}, since" in read_log(waiter), (
                "the waiting run names the run it waits for"
            )
            kill_when(holder, lambda: in_publish_files(env, holder))
            recovered(read_log(holder), in_dbt_run)
            # the waiter has the lock now; its own publish is a whole run away
            assert debris(published), "the kill came too late to leave anything behind"
            assert_untouched(env, before, before_digest, running=waiter.pid)

            # 6. the waiting run goes on
            waiter.wait(timeout=1200)
        finally:
            for p in procs:
                if p.poll() is None:
                    kill_group(p)
        time.sleep(1.2)  # a few reads of the last publication (the reader reads every 0.5 s)
    finally:
        reader.finish()

    out = read_log(waiter)
    assert waiter.returncode == 0, out[-5000:]
    text = out + run_logs(env, out)
    assert not LOCK_ERROR.search(text) and REPARSE not in text, out[-5000:]
    recovered(out, in_publish)
    assert orphans(env.data, grace=5) == []

    # the dead publish's debris is gone; the complete versions are the baseline's (kept as the previous one) and
    # the new one
    assert debris(published) == []
    assert len(complete_versions(published)) == 2 and versions[-1] in complete_versions(published)
    # the reader: its held connection kept the file it opened; Parquet showed the old publication, then the new
    seen = [r for i, r in enumerate(reader.parquet_run_ids) if i == 0 or r != reader.parquet_run_ids[i - 1]]
    assert reader.errors == [], reader.errors[:5]
    assert reader.held_run_ids == {before["run_id"]}
    assert seen == [before["run_id"], second], seen

    # The publication is the waiting run's, and it validated what it published: it started after the dead
    # holder's last step, and its report checks ran after its own dbt build and before its publish step.
    assert published_run_id(env) == second
    with instance_of(env) as instance:
        started = instance.get_run_record_by_id(second).start_time
        holder_steps = [e.timestamp for e in instance.all_logs(in_publish) if e.step_key]
        assert holder_steps and max(holder_steps) <= started, "the runs overlapped"
        for dead in (in_ingest, in_dbt_run, in_publish):
            assert instance.get_run_by_id(dead).status == dg.DagsterRunStatus.FAILURE
        assert not instance.get_runs(dg.RunsFilter(statuses=[dg.DagsterRunStatus.STARTED]))
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
    after = publication_snapshot(published)
    assert set(after["tables"]) == set(before["tables"])
    reconcile(env.warehouse)
    assert not run_window_left(env)
