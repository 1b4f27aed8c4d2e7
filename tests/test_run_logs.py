"""Run logs (<data>/logs/<run_id>.log) do not pile up: a run starting its log removes those not written for
GROWTHMART_RUN_LOG_DAYS days (default 90), and nothing else."""

from __future__ import annotations

import os
import time

import pytest

from growthmart.runlog import create_run_log, logs_dir, run_log_path


def aged(path, days: float):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("x")
    stamp = time.time() - days * 86400
    os.utime(path, (stamp, stamp))
    return path


def test_a_new_run_log_prunes_the_logs_older_than_the_setting(data_dir, monkeypatch):
    monkeypatch.delenv("GROWTHMART_RUN_LOG_DAYS", raising=False)
    old, recent = aged(run_log_path(data_dir, "old"), 91), aged(run_log_path(data_dir, "recent"), 89)
    other = aged(logs_dir(data_dir) / "notes.txt", 400)  # not a run log
    current = create_run_log(run_log_path(data_dir, "now"))
    assert current.exists() and recent.exists() and other.exists() and not old.exists()

    monkeypatch.setenv("GROWTHMART_RUN_LOG_DAYS", "30")
    create_run_log(current)  # the run's dbt step opening the same log again prunes nothing
    assert recent.exists()
    following = create_run_log(run_log_path(data_dir, "next"))
    assert following.exists() and current.exists() and not recent.exists()


def test_a_setting_that_is_not_a_number_of_days_fails(data_dir, monkeypatch):
    monkeypatch.setenv("GROWTHMART_RUN_LOG_DAYS", "ninety")
    with pytest.raises(ValueError, match="GROWTHMART_RUN_LOG_DAYS='ninety'"):
        create_run_log(run_log_path(data_dir, "now"))
