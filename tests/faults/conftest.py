"""Fixtures of the fault suite: one published baseline per session, copied for every scenario, and the suite's
figures printed at the end."""

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


def pytest_terminal_summary(terminalreporter):
    if not STATS["scenarios"]:
        return
    terminalreporter.write_sep("=", "fault suite")
    terminalreporter.write_line(
        f"scenarios {STATS['scenarios']}, runs killed {STATS['runs_killed']}, "
        f"runs recovered {STATS['runs_recovered']}, rows lost {STATS['rows_lost']}, "
        f"lock errors {STATS['lock_errors']}, dbt re-parses {STATS['dbt_reparses']}"
    )
