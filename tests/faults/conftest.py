"""Fixtures of the fault suite: one published baseline per session, copied for every scenario. The suite's figures
(harness.STATS) are printed at the end by tests/conftest.py, which also gathers them from pytest-xdist workers."""

from __future__ import annotations

import pytest
from harness import DATA_FOLDER, STATS, FaultEnv, copy_env, publication_snapshot, reconcile


@pytest.fixture(scope="session")
def baseline(tmp_path_factory, dbt_manifest) -> FaultEnv:
    """The small demo generated and run once through the real CLI: landing files, warehouse and a publication, in a
    folder whose path needs quoting (a quote and a space)."""
    env = FaultEnv(tmp_path_factory.mktemp("fault-baseline") / DATA_FOLDER)
    run = env.demo()
    assert run.code == 0, run.text[-5000:]
    env.first_run = run
    publication_snapshot(env.published)
    reconcile(env.warehouse)
    return env


@pytest.fixture
def fault_env(baseline, tmp_path) -> FaultEnv:
    """A private copy of the baseline's data directory (landing, warehouse, publication, Dagster home)."""
    STATS["scenarios"] += 1
    return copy_env(baseline, tmp_path)
