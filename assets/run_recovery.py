"""What a killed run leaves behind, put right by the next run once it holds the writer lock (growthmart.runlock).

A process killed with SIGKILL (by hand, by the kernel's out-of-memory killer, by a machine going down) cannot
report its end: its run stays STARTED in the Dagster instance forever, holding whatever concurrency slots it had
claimed, and its dbt window table (meta.dbt_run_window) stays in the warehouse. The writer lock itself needs no
recovery (the kernel released it).

A run is dead when the process that executed it — the pid of its RUN_START event — is gone, or is a newer process
that reuses the pid. A run that has not started its process yet (STARTING, QUEUED) is left alone: it may be about
to start. This never depends on holding the lock: a live run waiting for the lock is a live process.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import dagster as dg

from growthmart.runlock import process_alive

# Statuses of a run whose process has started and not reported an end.
RUNNING_STATUSES = [
    dg.DagsterRunStatus.STARTING,
    dg.DagsterRunStatus.STARTED,
    dg.DagsterRunStatus.CANCELING,
]


@dataclass(frozen=True)
class DeadRun:
    run: dg.DagsterRun
    pid: int
    started_at: float  # epoch seconds of its RUN_START

    def describe(self) -> str:
        started = datetime.fromtimestamp(self.started_at, UTC).isoformat(timespec="seconds")
        return (
            f"run {self.run.run_id} ({self.run.job_name}, {self.run.status.value} since {started}, "
            f"pid {self.pid})"
        )


def run_process(instance: dg.DagsterInstance, run_id: str) -> tuple[int, float] | None:
    """(pid, epoch seconds) of the process that started executing the run (its RUN_START event), if any."""
    records = instance.get_records_for_run(run_id, of_type=dg.DagsterEventType.RUN_START, limit=1).records
    if not records:
        return None
    entry = records[0].event_log_entry
    pid = entry.dagster_event.pid if entry.dagster_event else None
    return (pid, entry.timestamp) if pid else None


def find_dead_runs(instance: dg.DagsterInstance, current_run_id: str | None) -> list[DeadRun]:
    dead = []
    for record in instance.get_run_records(dg.RunsFilter(statuses=RUNNING_STATUSES)):
        run = record.dagster_run
        if run.run_id == current_run_id:
            continue
        process = run_process(instance, run.run_id)
        if process is None:
            continue  # no process yet: the run launcher may be starting it
        pid, started_at = process
        if not process_alive(pid, started_by=started_at):
            dead.append(DeadRun(run, pid, started_at))
    return dead


def recover_dead_runs(
    instance: dg.DagsterInstance, current_run_id: str | None, say: Callable[[str], object]
) -> list[DeadRun]:
    """Mark every dead run failed, with a message saying why, and free the concurrency slots it held."""
    dead = find_dead_runs(instance, current_run_id)
    for run in dead:
        instance.report_run_failed(
            run.run,
            f"The process that ran this run (pid {run.pid}) is gone: it was killed (kill -9, the out-of-memory "
            f"killer, a restart) before it could report its end. Marked failed by run {current_run_id} "
            f"(pid {os.getpid()}), which found it when it started; its concurrency slots were freed. Nothing it "
            "wrote was published unless its publish step had finished.",
        )
        if instance.event_log_storage.supports_global_concurrency_limits:
            instance.event_log_storage.free_concurrency_slots_for_run(run.run.run_id)
        say(
            f"recovered {run.describe()}: its process is gone (killed?); marked it failed and freed its "
            "concurrency slots"
        )
    return dead
