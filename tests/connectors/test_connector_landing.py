"""Landing is replayable: a crash between pages leaves a day the loader refuses, a rerun lands the same files byte
for byte (and touches nothing when the responses did not change), and the restatement window re-pulls recent days
so that a restated day becomes changed landing files the next load picks up."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from connector_helpers import DAYS, raw_rows, run_pull

from growthmart.connectors.landing import MARKER
from growthmart.connectors.pull import days_to_pull, window
from growthmart.connectors.settings import RESTATEMENT_DAYS_VAR, pull_settings
from growthmart.contracts import get_contract
from growthmart.ingest import LoadError, load_partitions
from growthmart.landing_watch import changed_days

ROOT = Path(__file__).resolve().parents[2]
SOURCE = "meta_ads_insights"


def snapshot(folder: Path) -> dict[str, tuple[bytes, int, int]]:
    return {p.name: (p.read_bytes(), p.stat().st_mtime_ns, p.stat().st_ino) for p in sorted(folder.iterdir())}


def crash_after_pages(emulator, data: Path, source: str, day: str, pages: int) -> int:
    """Pull `day` in a child process that dies (os._exit, as kill -9 would) right after landing `pages` pages."""
    script = (
        "import json, os, sys\n"
        "from pathlib import Path\n"
        "from growthmart.connectors import landing\n"
        "from growthmart.connectors.pull import pull\n"
        "from growthmart.connectors.settings import PullSettings\n"
        "from growthmart.connectors.specs import SPECS_BY_SOURCE\n"
        "original, landed = landing.DayLanding.write_page, []\n"
        "def write_page(self, *args):\n"
        "    original(self, *args)\n"
        "    landed.append(1)\n"
        f"    if len(landed) == {pages}:\n"
        "        os._exit(137)\n"
        "landing.DayLanding.write_page = write_page\n"
        f"pull(SPECS_BY_SOURCE[{source!r}], [{day!r}], Path({str(data)!r}), env=json.loads(sys.stdin.read()),\n"
        "     settings=PullSettings(backoff_seconds=0.01))\n"
    )
    env = json.dumps(emulator.env())
    return subprocess.run(
        [sys.executable, "-c", script], input=env, text=True, cwd=ROOT, timeout=60
    ).returncode


@pytest.mark.parametrize(
    "source", ["ocean_engine_ad_stats", "meta_ads_insights", "xiaohongshu_ads_reports", "google_ads_ad_stats"]
)
def test_a_crash_between_pages_leaves_no_complete_day_and_the_rerun_lands_the_same_files(
    emulator, tmp_path, source
):
    crashed, clean = tmp_path / "crashed", tmp_path / "clean"
    assert crash_after_pages(emulator, crashed, source, DAYS[1], pages=2) == 137
    folder = crashed / "landing" / source / DAYS[1]
    assert len(list(folder.glob("api-*.json"))) == 2 and not (folder / MARKER).exists()
    with pytest.raises(LoadError, match=f"{source}.*no completion marker"):
        load_partitions(duckdb.connect(), get_contract(source), crashed / "landing", [DAYS[1]])

    run_pull(emulator, source, [DAYS[1]], crashed)
    run_pull(emulator, source, [DAYS[1]], clean)
    landed = {name: data for name, (data, _, _) in snapshot(folder).items()}
    assert landed == {n: d for n, (d, _, _) in snapshot(clean / "landing" / source / DAYS[1]).items()}
    assert not [n for n in landed if n.startswith(".")]  # no temporary file left behind


def test_a_rerun_with_unchanged_responses_touches_no_file(emulator, tmp_path):
    run_pull(emulator, SOURCE, DAYS, tmp_path)
    before = {d: snapshot(tmp_path / "landing" / SOURCE / d) for d in DAYS}
    run_pull(emulator, SOURCE, DAYS, tmp_path)
    assert before == {d: snapshot(tmp_path / "landing" / SOURCE / d) for d in DAYS}


@pytest.mark.parametrize(
    "source",
    [
        "ocean_engine_ad_stats",
        "tencent_ads_daily_reports",
        "baidu_keyword_stats",
        "meta_ads_insights",
        "xiaohongshu_ads_reports",
        "google_ads_ad_stats",
        "wechat_article_summary",
    ],
)
def test_a_restated_day_in_the_window_changes_its_files_and_is_reloaded(emulator, tmp_path, source):
    landing = tmp_path / "landing"
    run_pull(emulator, source, DAYS, tmp_path)
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    contract = get_contract(source)
    load_partitions(con, contract, landing, DAYS)
    loaded_before = raw_rows(landing, source, [DAYS[1]])

    emulator.restate(emulator_platform(source), DAYS[1])
    run_pull(emulator, source, window(DAYS[-1], 3), tmp_path)  # the nightly pull of the last day
    changes = changed_days(con, contract, landing, before="9999-12-31")
    assert [(c.day, bool(c.changed), bool(c.added or c.removed)) for c in changes] == [(DAYS[1], True, False)]
    load_partitions(con, contract, landing, [c.day for c in changes])
    assert raw_rows(landing, source, [DAYS[1]]) != loaded_before
    con.close()


def emulator_platform(source: str) -> str:
    return {
        "ocean_engine_ad_stats": "ocean_engine",
        "tencent_ads_daily_reports": "tencent_ads",
        "baidu_keyword_stats": "baidu",
        "meta_ads_insights": "meta",
        "xiaohongshu_ads_reports": "xiaohongshu",
        "google_ads_ad_stats": "google_ads",
        "wechat_article_summary": "wechat",
    }[source]


def test_the_restatement_window_defaults_to_7_days_and_is_configurable(monkeypatch):
    monkeypatch.delenv(RESTATEMENT_DAYS_VAR, raising=False)
    assert pull_settings().restatement_days == 7
    assert window("2026-05-10", 7) == [f"2026-05-{d:02d}" for d in range(4, 11)]
    assert window("2026-05-10", 7, first_allowed="2026-05-08") == ["2026-05-08", "2026-05-09", "2026-05-10"]
    monkeypatch.setenv(RESTATEMENT_DAYS_VAR, "3")
    assert pull_settings().restatement_days == 3


def test_before_the_runs_first_day_the_window_re_pulls_only_days_landed_already(tmp_path):
    """A first backfill of 05-10..05-11 starts on 05-10; a later nightly of 05-12 restates the landed days."""
    assert days_to_pull(["2026-05-10", "2026-05-11"], 3, tmp_path, SOURCE) == ["2026-05-10", "2026-05-11"]
    (tmp_path / SOURCE / "2026-05-10").mkdir(parents=True)
    (tmp_path / SOURCE / "2026-05-11").mkdir()
    assert days_to_pull(["2026-05-12"], 7, tmp_path, SOURCE) == ["2026-05-10", "2026-05-11", "2026-05-12"]
    assert days_to_pull(["2026-05-12"], 2, tmp_path, SOURCE) == ["2026-05-11", "2026-05-12"]


def test_the_landing_sensor_leaves_connector_pages_to_the_run_that_pulled_them(emulator, tmp_path):
    from growthmart.landing_watch import scan_landing

    run_pull(emulator, SOURCE, DAYS[:1], tmp_path)
    (tmp_path / "landing" / SOURCE / DAYS[0] / "late_export.json").write_text('{"data": []}')
    assert list(scan_landing(tmp_path / "landing", [SOURCE])) == [f"{SOURCE}/{DAYS[0]}/late_export.json"]
