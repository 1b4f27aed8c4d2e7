"""Helpers of the connector tests: the days pulled, fast retry settings, a pull against the emulator and the raw rows
a landing folder loads."""

from __future__ import annotations

from pathlib import Path

import duckdb

from growthmart.connectors.pull import PullResult, pull
from growthmart.connectors.settings import PullSettings
from growthmart.connectors.specs import SPECS_BY_SOURCE
from growthmart.contracts import get_contract
from growthmart.ingest.loader import load_partitions
from tools.emulator.server import Emulator

DAYS = ["2026-05-04", "2026-05-05", "2026-05-06"]
SOURCES = sorted(SPECS_BY_SOURCE)
# Short waits so that retries cost milliseconds; four attempts per request.
FAST = PullSettings(max_attempts=4, backoff_seconds=0.01)
PLANTED = "PLANTED-SECRET-7c1e"  # part of every credential the emulator accepts in the secrets tests


def run_pull(em: Emulator, source: str, days: list[str], data: Path, settings=FAST, **kw) -> PullResult:
    return pull(SPECS_BY_SOURCE[source], days, data, env=em.env(), settings=settings, **kw)


def raw_rows(landing: Path, source: str, days: list[str]) -> list[tuple]:
    """The typed rows of `source` for `days` loaded from `landing` (lineage columns left out), sorted."""
    contract = get_contract(source)
    con = duckdb.connect()
    try:
        con.execute("set TimeZone = 'UTC'")
        parts = load_partitions(con, contract, landing, days)
        assert sum(p.rows_quarantined for p in parts) == 0, [dict(p.quarantine_reasons) for p in parts]
        cols = ", ".join(f'"{c}"' for c in contract.column_names)
        return sorted(con.execute(f"select {cols} from raw.{source}").fetchall(), key=repr)
    finally:
        con.close()
