"""Dagster's SQLite storage commits without waiting for fsync in every process that loads growthmart's definitions
(orchestration/instance_storage.py): WAL mode with synchronous=NORMAL, which a killed process cannot corrupt."""

from __future__ import annotations

import dagster as dg

from orchestration.definitions import build_definitions

SYNCHRONOUS_NORMAL = 1  # PRAGMA synchronous: 0 OFF, 1 NORMAL, 2 FULL (SQLite's default)


def test_a_run_writes_dagster_s_sqlite_storage_in_wal_mode_without_fsync_per_commit(tmp_path):
    build_definitions()
    with dg.DagsterInstance.local_temp(str(tmp_path)) as instance:
        storage = instance.event_log_storage
        with storage.index_connection() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == SYNCHRONOUS_NORMAL
