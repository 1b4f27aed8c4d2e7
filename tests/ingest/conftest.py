"""Fixtures of the loader tests: a landing folder and a real DuckDB warehouse in tmp_path."""

from __future__ import annotations

import duckdb
import pytest


@pytest.fixture
def env(tmp_path):
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    con.execute("set TimeZone = 'UTC'")
    yield tmp_path / "landing", con
    con.close()
