"""Shared fixtures: the dbt manifest is prepared once per session (as `make manifest` does), and the demo pipeline
runs once per session for every module that reads what it leaves."""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import subprocess
import sys
from collections import Counter
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DBT_DIR = ROOT / "dbt_project"


@pytest.fixture(scope="session")
def dbt_manifest() -> Path:
    manifest = DBT_DIR / "target" / "manifest.json"
    if not manifest.exists():
        subprocess.run([sys.executable, "-m", "orchestration.dbt_manifest"], cwd=ROOT, check=True)
    return manifest


# 35 days from 2026-05-01 (the last is 2026-06-04), 400 users.
DEMO_RUN = ["--demo", "--days", "35", "--users", "400", "--seed", "7"]


@pytest.fixture(scope="session")
def demo_pipeline(tmp_path_factory, dbt_manifest) -> dict:
    """The whole graph materialized once through Dagster on small demo data in a temporary data directory, shared
    by tests/test_pipeline_integration.py and tests/report/ (the suite runs the pipeline once, not per module),
    and dbt's docs written as `make docs` does. Returns {"data": data dir, "code": exit code, "summary": run
    summary}; the env is restored afterwards."""
    from orchestration import dbt_docs
    from orchestration.cli import main

    data = tmp_path_factory.mktemp("pipeline") / "data"
    out = io.StringIO()
    with pytest.MonkeyPatch.context() as mp, contextlib.redirect_stdout(out):
        mp.setenv("GROWTHMART_DATA_DIR", str(data))
        mp.setenv("DAGSTER_HOME", str(data / "dagster_home"))
        code = main(["run", *DEMO_RUN, "--log-level", "WARNING"])
        summary = out.getvalue()
        if code == 0:  # `make docs` too: the reports' index links dbt's docs
            dbt_docs.main([])
    return {"data": data, "code": code, "summary": summary}


@pytest.fixture
def data_dir(tmp_path, monkeypatch) -> Path:
    """An isolated GROWTHMART_DATA_DIR and DAGSTER_HOME for one test."""
    data = tmp_path / "data"
    data.mkdir()
    monkeypatch.setenv("GROWTHMART_DATA_DIR", str(data))
    monkeypatch.setenv("DAGSTER_HOME", str(data / "dagster_home"))
    assert os.environ["GROWTHMART_DATA_DIR"] == str(data)
    return data


# -- how `make test` spreads the modules over pytest-xdist workers --------------------------------------------------
# Each module is one work unit (its module fixtures run once), except that every module reading the session's demo
# run (`demo_pipeline`) is one unit together: the demo is built once, not once per worker. A scheduler of our own
# (`pytest_xdist_make_scheduler`) says so: xdist's `loadgroup` marks do nothing under pytest 9.2 (xdist 3.8 renames
# the node id through an attribute pytest 9.2 no longer reads). Units start longest first, so no worker is left
# alone with a long module at the end (xdist's default orders units by their number of tests). Worker seconds per
# unit of a fresh-clone `make test` on a busy box (junit times, 2026-12-04); only the order matters, an unlisted unit
# counts 0.
DEMO_UNIT = "demo_pipeline"
UNIT_SECONDS = {
    "tests/incremental/test_incremental_equals_full.py": 1781,
    DEMO_UNIT: 1404,  # the demo built twice then, once per worker
    "tests/faults/test_landing_faults.py": 1038,
    "tests/faults/test_kill_and_concurrency.py": 765,
    "tests/orchestration/test_console.py": 386,
    "tests/spark/test_ingest_parity.py": 330,  # 166 s alone on a busy box: a JVM and 27 Spark load batches
    "tests/test_new_source.py": 313,
    "tests/test_bench.py": 231,
    "tests/faults/test_publication_faults.py": 164,
    "tests/faults/test_unused_sources.py": 100,  # one run from the demo's landing files: no wait for the baseline
    "tests/connectors/test_connector_pipeline.py": 151,
    "tests/connectors/test_app_db.py": 132,
    "tests/test_demo_scale.py": 68,
}


@cache
def _unit(module: str) -> str:
    """A test module's work unit: the demo unit if it reads the session's demo run, else the module itself."""
    path = ROOT / module
    reads_demo = path.is_file() and "demo_pipeline" in path.read_text(encoding="utf-8")
    return DEMO_UNIT if reads_demo else module


def pytest_collection_modifyitems(config, items):
    items.sort(key=lambda item: -UNIT_SECONDS.get(_unit(item.nodeid.split("::")[0]), 0))


def pytest_xdist_make_scheduler(config, log):
    from xdist.scheduler import LoadScopeScheduling

    class ModuleUnits(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return _unit(nodeid.split("::")[0])

    return ModuleUnits(config, log)


# -- the fault suite's figures (tests/faults/harness.py counts them in STATS), also across pytest-xdist workers ------
FAULT_STATS = "fault_suite_stats"
# tests/faults/conftest.py: a file in the session's temp dir naming the folder of the suite's data folders
FAULT_ROOT_RECORD = "fault-data-root"
_fault_stats: Counter = Counter()


def _local_fault_stats() -> Counter:
    harness = sys.modules.get(
        "harness"
    )  # tests/faults/harness.py, imported by the fault tests of this process
    return Counter(getattr(harness, "STATS", {}))


def pytest_sessionfinish(session):
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:  # an xdist worker: hand the figures to the controller
        workeroutput[FAULT_STATS] = dict(_local_fault_stats())
    else:  # the controller, or the only process: every worker is done with the fault suite's folder
        _remove_fault_root(session.config)


def _remove_fault_root(config) -> None:
    """The fault suite's folder when it is outside pytest's temp dir (on tmpfs, where it takes memory)."""
    base = getattr(getattr(config, "_tmp_path_factory", None), "_basetemp", None)
    record = base / FAULT_ROOT_RECORD if base else None
    if record and record.is_file():
        root = Path(record.read_text())
        if not root.is_relative_to(base):
            shutil.rmtree(root, ignore_errors=True)


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error):  # the xdist controller: a worker finished
    _fault_stats.update(getattr(node, "workeroutput", {}).get(FAULT_STATS, {}))


def pytest_terminal_summary(terminalreporter):
    stats = _fault_stats + _local_fault_stats()
    if not stats["scenarios"]:
        return
    terminalreporter.write_sep("=", "fault suite")
    terminalreporter.write_line(
        f"scenarios {stats['scenarios']}, runs killed {stats['runs_killed']}, "
        f"runs recovered {stats['runs_recovered']}, rows lost {stats['rows_lost']}, "
        f"lock errors {stats['lock_errors']}, dbt re-parses {stats['dbt_reparses']}"
    )


@pytest.fixture(scope="session")
def pg():
    """One throwaway PostgreSQL for the session (tools/pgserver.py); every test gets its own database in it."""
    from tools import pgserver

    try:
        server = pgserver.PgServer()
    except pgserver.PgUnavailable as exc:
        pytest.skip(str(exc))
    with server:
        yield server
