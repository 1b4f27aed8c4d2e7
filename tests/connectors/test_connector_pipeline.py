"""End to end through Dagster: three days of the demo's ad platforms pulled from the emulated platforms (a
token refresh and a rate limit on the way) load raw tables equal to those loaded from the demo's file export of the
same days; the run's metadata and summary say what each connector fetched, and a planted secret is nowhere in the
data directory, the Dagster event log or the run's output."""

from __future__ import annotations

import duckdb
import pytest
from connector_helpers import DAYS, PLANTED, SOURCES, raw_rows

from growthmart.connectors.settings import BACKOFF_VAR, RESTATEMENT_DAYS_VAR
from growthmart.connectors.tokens import STATE_FOLDER
from growthmart.contracts import get_contract


@pytest.fixture
def pulled_run(planted_emulator, data_dir, monkeypatch, dbt_manifest, capsys):
    import dagster as dg

    from orchestration.cli import ensure_dagster_home
    from orchestration.definitions import build_definitions
    from orchestration.jobs import INGEST_JOB

    for name, value in planted_emulator.env().items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv(RESTATEMENT_DAYS_VAR, "2")
    monkeypatch.setenv(BACKOFF_VAR, "0.01")
    ensure_dagster_home(data_dir)
    planted_emulator.inject("ocean_engine", "token_expired", page=2)
    planted_emulator.inject("xiaohongshu", "token_expired", page=2)
    planted_emulator.inject("meta", "rate_limit")
    job = build_definitions().resolve_job_def(INGEST_JOB)
    with dg.DagsterInstance.get() as instance:
        result = job.execute_in_process(
            instance=instance,
            tags={
                "dagster/asset_partition_range_start": DAYS[0],
                "dagster/asset_partition_range_end": DAYS[-1],
            },
            raise_on_error=False,
        )
    return result, capsys.readouterr()


def test_three_pulled_days_load_the_same_raw_tables_as_the_file_export(pulled_run, demo_landing, data_dir):
    result, _ = pulled_run
    for source in SOURCES:
        for key in (["landing", source], ["raw", source]):
            assert any(m.asset_key.path == key for m in result.get_asset_materialization_events()), key
    con = duckdb.connect(str(data_dir / "warehouse.duckdb"), read_only=True)
    try:
        for source in SOURCES:
            cols = ", ".join(f'"{c}"' for c in get_contract(source).column_names)
            days = ", ".join(f"date '{d}'" for d in DAYS)
            pulled = con.execute(
                f"select {cols} from raw.{source} where _partition_date in ({days})"
            ).fetchall()
            assert sorted(pulled, key=repr) == raw_rows(demo_landing, source, DAYS), source
    finally:
        con.close()


def test_the_run_says_what_each_connector_fetched(pulled_run):
    from orchestration.run_summary import connectors_section

    result, _ = pulled_run
    lines = connectors_section(result)
    assert len(lines) == 2 + len(SOURCES)
    metas = {
        m.asset_key.path[-1]: m.materialization.metadata
        for m in result.get_asset_materialization_events()
        if m.asset_key.path[0] == "landing" and "days_pulled" in m.materialization.metadata
    }
    assert sorted(metas) == SOURCES
    assert metas["ocean_engine_ad_stats"]["token_refreshes"].value == 1
    assert metas["xiaohongshu_ads_reports"]["token_refreshes"].value == 1
    assert metas["meta_ads_insights"]["rate_limit_waits"].value == 1
    # a first pull starts with the run's first day: the restatement window re-pulls only days landed already
    assert all(sorted(m["days_pulled"].value) == DAYS for m in metas.values())


def test_a_planted_secret_is_nowhere_in_the_data_directory_event_log_or_output(pulled_run, data_dir):
    _, output = pulled_run
    assert PLANTED not in output.out + output.err
    leaks = [
        str(p)
        for p in data_dir.rglob("*")
        if p.is_file() and STATE_FOLDER not in p.parts and PLANTED.encode() in p.read_bytes()
    ]
    assert not leaks, f"planted secret found in {leaks}"
