"""Fixtures of the fault suite: one published baseline per session (shared by the pytest-xdist workers), copied for
every scenario. The suite's figures (harness.STATS) are printed at the end by tests/conftest.py, which also gathers
them from pytest-xdist workers and removes the suite's folders from tmpfs (`fault_root`).

Where the data folders live: on tmpfs (/dev/shm) when it has room, else in pytest's temp dir. A run's fixed cost
on disk is mostly fsync: Dagster commits every event (~500 planned events before a run's first step, thousands in
a run) to SQLite, ~15 ms each on a busy disk against ~0.2 ms on tmpfs. No scenario depends on fsync: a killed
process's writes are in the page cache whatever the file system (only a machine crash would need them on disk).
GROWTHMART_FAULTS_ON_TMPFS=0 keeps them in pytest's temp dir, where they stay after the session for a look."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

import psutil
import pytest
from filelock import FileLock
from harness import DATA_FOLDER, DEMO_PARAMS, STATS, FaultEnv, Run, copy_env, publication_snapshot, reconcile

# a file in the session's temp dir naming the suite's root folder; tests/conftest.py removes that folder at the end
ROOT_RECORD = "fault-data-root"
TMPFS = Path("/dev/shm")
TMPFS_PREFIX = "growthmart-faults-"
# the suite needs < 1 GiB at a time (the baseline ~100 MB, each scenario's copy up to ~200 MB)
TMPFS_ROOM = 2 << 30


def shared_temp(tmp_path_factory) -> Path:
    """pytest's temp dir of this session; an xdist worker's is a folder in the controller's, which all share."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


def on_tmpfs() -> bool:
    if os.environ.get("GROWTHMART_FAULTS_ON_TMPFS", "1") == "0":
        return False
    mounts = Path("/proc/mounts").read_text().splitlines() if Path("/proc/mounts").exists() else []
    tmpfs = any(line.split()[1:3] == [str(TMPFS), "tmpfs"] for line in mounts)
    return tmpfs and os.access(TMPFS, os.W_OK) and shutil.disk_usage(TMPFS).free >= TMPFS_ROOM


def new_root(shared: Path) -> Path:
    if not on_tmpfs():
        return shared / "faults"
    # the session's controller (an xdist worker's parent) owns it and removes it at its end (tests/conftest.py);
    # a folder whose owner died without removing it is removed here
    owner = os.getppid() if os.environ.get("PYTEST_XDIST_WORKER") else os.getpid()
    for stale in TMPFS.glob(f"{TMPFS_PREFIX}*"):
        pid = stale.name.removeprefix(TMPFS_PREFIX).split("-")[0]
        if pid.isdigit() and not psutil.pid_exists(int(pid)):
            shutil.rmtree(stale, ignore_errors=True)
    return Path(tempfile.mkdtemp(prefix=f"{TMPFS_PREFIX}{owner}-", dir=TMPFS))


@pytest.fixture(scope="session")
def fault_root(tmp_path_factory) -> Path:
    """The folder all data folders of the suite go in, one for the session and its xdist workers."""
    shared = shared_temp(tmp_path_factory)
    with FileLock(shared / f"{ROOT_RECORD}.lock"):
        record = shared / ROOT_RECORD
        if not record.exists():
            record.write_text(str(new_root(shared)))
        root = Path(record.read_text())
    root.mkdir(parents=True, exist_ok=True)
    return root


@pytest.fixture
def fault_dir(fault_root: Path, tmp_path: Path):
    """A folder of the test's own in the suite's root; on tmpfs it is removed after the test (memory)."""
    if not fault_root.is_relative_to(TMPFS):  # in pytest's temp dir: kept for a look
        yield tmp_path
        return
    path = Path(tempfile.mkdtemp(prefix=f"{tmp_path.name}-", dir=fault_root))
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(scope="session")
def baseline(fault_root: Path, dbt_manifest) -> FaultEnv:
    """The small demo generated and run once through the real CLI: landing files, warehouse and a publication, in a
    folder whose path needs quoting (a quote and a space). Built by the first xdist worker that needs it; the others
    wait for it and read the outcome of its run."""
    env = FaultEnv(fault_root / "baseline" / DATA_FOLDER)
    outcome = env.data.parent / "first-run.json"
    with FileLock(fault_root / "baseline.lock"):
        if not outcome.exists():
            shutil.rmtree(env.data, ignore_errors=True)  # what a worker that died while building it left
            env.data.parent.mkdir(exist_ok=True)
            run = env.demo()
            outcome.write_text(json.dumps(run.__dict__))
    env.first_run = Run(**json.loads(outcome.read_text()))
    assert env.first_run.code == 0, env.first_run.text[-5000:]
    publication_snapshot(env.published)
    reconcile(env.warehouse)
    return env


@pytest.fixture(scope="session")
def demo_landing(fault_root: Path) -> Path:
    """The baseline's landing files alone (the same generator and parameters as its `--demo` run), generated once:
    a test that starts from landing files need not wait for the baseline's run."""
    from datetime import date

    from tools.demo.generator import DemoParams, generate

    landing = fault_root / "demo_landing"
    done = landing.with_name("demo_landing.done")
    with FileLock(fault_root / "demo_landing.lock"):
        if not done.exists():
            shutil.rmtree(landing, ignore_errors=True)
            generate(
                landing, DemoParams(**{**DEMO_PARAMS, "start": date.fromisoformat(DEMO_PARAMS["start"])})
            )
            done.touch()
    return landing


@pytest.fixture
def fault_env(baseline: FaultEnv, fault_dir: Path) -> FaultEnv:
    """A private copy of the baseline's data directory (landing, warehouse, publication, Dagster home)."""
    STATS["scenarios"] += 1
    return copy_env(baseline, fault_dir)
