"""A planted secret never leaves the process: not in log lines (ours or httpx's), failure messages, landed pages,
completion markers or the loaded warehouse — even through Meta's `paging.next` URL, which repeats the token, and
Tencent's query-string token. Only the token store holds the rotated Ocean Engine pair, owner-only."""

from __future__ import annotations

import logging
import stat

import duckdb
import pytest
from connector_helpers import DAYS, PLANTED, SOURCES, run_pull

from growthmart.connectors.errors import ConnectorError
from growthmart.connectors.tokens import STATE_FOLDER
from growthmart.contracts import get_contract
from growthmart.ingest.loader import load_partitions


def test_a_planted_secret_appears_in_no_log_message_landed_file_or_table(planted_emulator, tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    lines: list[str] = []
    planted_emulator.inject("ocean_engine", "token_expired")  # a refresh: the new pair is secret too
    planted_emulator.inject("xiaohongshu", "token_expired")
    planted_emulator.inject("meta", "rate_limit")
    planted_emulator.inject("google_ads", "token_expired", page=2)  # a second minted token
    planted_emulator.inject("wechat", "token_expired")
    for source in SOURCES:
        run_pull(planted_emulator, source, DAYS[:2], tmp_path, log=lines.append)
    planted_emulator.inject("tencent_ads", "error", page=2)
    with pytest.raises(ConnectorError) as failure:
        run_pull(planted_emulator, "tencent_ads_daily_reports", DAYS[2:], tmp_path, log=lines.append)
    con = duckdb.connect(str(tmp_path / "warehouse.duckdb"))
    for source in SOURCES:
        load_partitions(con, get_contract(source), tmp_path / "landing", DAYS[:2])
    con.close()

    assert any("refreshed" in line for line in lines) and lines
    said = [*lines, str(failure.value), *(r.getMessage() for r in caplog.records)]
    assert not [s for s in said if PLANTED in s]
    assert planted_emulator.ocean_refreshes == 1 and planted_emulator.xhs_refreshes == 1
    assert planted_emulator.google_mints >= 2
    assert not (tmp_path / STATE_FOLDER / "google_ads_ad_stats.json").exists()  # minted tokens stay in memory
    landed = [p for p in tmp_path.rglob("*") if p.is_file() and STATE_FOLDER not in p.parts]
    assert any(p.name.endswith(".json") for p in landed)
    leaks = [str(p) for p in landed if PLANTED.encode() in p.read_bytes()]
    assert not leaks, f"planted secret found in {leaks}"
    store = tmp_path / STATE_FOLDER / "ocean_engine_ad_stats.json"
    assert (
        planted_emulator.creds.ocean_refresh.encode() in store.read_bytes()
    )  # the rotated pair lives only here
    assert stat.S_IMODE(store.stat().st_mode) == 0o600
    xhs_store = tmp_path / STATE_FOLDER / "xiaohongshu_ads_reports.json"
    assert planted_emulator.creds.xhs_refresh.encode() in xhs_store.read_bytes()
    assert stat.S_IMODE(xhs_store.stat().st_mode) == 0o600
