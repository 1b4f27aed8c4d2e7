"""Fixtures of the connector tests: the demo's file export, and the emulated platforms serving it on 127.0.0.1
(real HTTP on an ephemeral port, started and stopped by each test)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pytest

from emulator.server import Credentials, Emulator
from growthmart.connectors.pull import PullResult, pull
from growthmart.connectors.settings import PullSettings
from growthmart.connectors.specs import SPECS_BY_SOURCE
from growthmart.contracts import get_contract
from growthmart.demo.generator import DemoParams, generate
from growthmart.ingest.loader import load_partitions

DAYS = ["2026-05-04", "2026-05-05", "2026-05-06"]
SOURCES = sorted(SPECS_BY_SOURCE)
# Short waits so that retries cost milliseconds; four attempts per request.
FAST = PullSettings(max_attempts=4, backoff_seconds=0.01)
PLANTED = "PLANTED-SECRET-7c1e"  # part of every credential the emulator accepts in the secrets tests


@pytest.fixture(scope="session")
def demo_landing(tmp_path_factory) -> Path:
    landing = tmp_path_factory.mktemp("demo") / "landing"
    generate(landing, DemoParams(start=dt.date(2026, 5, 1), days=8, users=150, seed=7))
    return landing


@pytest.fixture
def emulator(demo_landing):
    """The platforms with pages of at most 3 rows, so every day of every account spans several pages."""
    with Emulator(demo_landing, page_size_cap=3) as em:
        yield em


@pytest.fixture
def planted_emulator(demo_landing):
    """The platforms accepting only credentials that contain a planted secret."""
    creds = Credentials(
        ocean_secret=f"{PLANTED}-app",
        ocean_access=f"{PLANTED}-access",
        ocean_refresh=f"{PLANTED}-refresh",
        tencent_token=f"{PLANTED}-tencent",
        baidu_token=f"{PLANTED}-baidu",
        meta_token=f"{PLANTED}-meta",
    )
    with Emulator(demo_landing, credentials=creds, page_size_cap=3) as em:
        yield em


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
