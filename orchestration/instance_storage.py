"""Dagster's run history on SQLite, without an fsync per event.

Dagster's default storage writes every event of a run (≈1,400 for a one-day run: a step start, an output, a check
result, each planned check...) in its own transaction on its own connection, and SQLite's default
(`synchronous=FULL`) makes each commit wait for the disk: on a busy or slow disk that was the largest single cost
of a run (profiled: 15 s of a 106 s one-day run on this box under load; 3 s unloaded). Dagster keeps these
databases in WAL mode, where `synchronous=NORMAL` is SQLite's documented setting for this trade: a commit is
atomic and survives the process being killed (kill -9, out of memory), and only an operating-system crash or power
loss may drop the last commits — never corrupt the database. For run history that is the right trade: the run
recovery (assets/run_recovery.py) already treats a run whose process is gone as failed.

`install()` registers one SQLAlchemy connect listener (its public event API) that applies this to every SQLite
connection the process opens; Dagster's storage classes are left untouched.
"""

from __future__ import annotations

import sqlite3

from sqlalchemy import event
from sqlalchemy.engine import Engine

_installed = False


def _relaxed_sync(dbapi_connection, _connection_record) -> None:
    if isinstance(dbapi_connection, sqlite3.Connection):
        dbapi_connection.execute("PRAGMA synchronous=NORMAL")


def install() -> None:
    global _installed
    if not _installed:
        event.listen(Engine, "connect", _relaxed_sync)
        _installed = True
