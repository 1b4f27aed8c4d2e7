"""The CLI's console (orchestration/console.py), as a person or cron sees it: the real CLI in a child process on a
small demo, its stdout a pipe.

A run says one line per stage with its counts and time, the dbt build's progress, the summary, and no colour
codes; dbt's node lines are in the run's log file, not on the console; the demo's late-looking sources are one
line that says why. A failed run (a landing row the raw suite refuses) ends with the failing check, the value
that failed it, its Data Docs page and the run log, not a traceback.
"""

from __future__ import annotations

import csv
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from growthmart.quality.suites import REPORTS

ROOT = Path(__file__).resolve().parents[2]
DAYS, START = 4, "2026-05-01"
LAST = "2026-05-04"
DEMO = ["--demo", "--days", str(DAYS), "--users", "80", "--seed", "5", "--start", START]
ANSI = re.compile(r"\x1b\[")
RUN_ID = re.compile(r"^run ([0-9a-f-]{36}) on ", re.MULTILINE)
# the default demo's console must fit on two screens; this small one has the same lines, fewer progress lines
MAX_LINES = 100


def cli(data: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "GROWTHMART_DATA_DIR": str(data), "DAGSTER_HOME": str(data / "dagster_home")}
    env.pop("FORCE_COLOR", None)
    return subprocess.run(
        [sys.executable, "-m", "orchestration.cli", "run", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory, dbt_manifest):
    data = tmp_path_factory.mktemp("console") / "data"
    return data, cli(data, *DEMO)


def run_log(data: Path, out: str) -> Path:
    return data / "logs" / f"{RUN_ID.search(out).group(1)}.log"


def test_a_piped_demo_run_says_a_line_per_stage_without_colour_and_keeps_dbt_in_the_run_log(demo_run):
    data, proc = demo_run
    out = proc.stdout
    assert proc.returncode == 0, out[-5000:] + proc.stderr[-3000:]
    assert not ANSI.search(out + proc.stderr)
    assert proc.stderr.strip() == "", proc.stderr[-3000:]  # Dagster's console logger is not used
    assert len(out.splitlines()) <= MAX_LINES, out
    for stage in ("ingest", "raw checks", "sentiment", "dbt build", "report checks", "publish", "data docs"):
        assert re.search(rf"^\[\s*\d+s\] {stage} +\S.* \(\d+ s\)$", out, re.M), (stage, out)
    for stage in ("PostgreSQL", "HTML reports", "alerts"):
        assert re.search(rf"^\[\s*\d+s\] {stage} +\S.* \(\d+ s\)$", out, re.M), (stage, out)
    assert re.search(
        r"\] ingest\s+21 sources: \d+ rows landed, \d+ loaded, 0 quarantined \(\d+ s\)$", out, re.M
    )
    assert re.search(r"\] dbt build\s+Done\. PASS=\d+ WARN=0 ERROR=0 SKIP=0 .*\(\d+ s\)$", out, re.M), out
    n = len(REPORTS)  # every report's GE suite, in one step
    assert re.search(rf"\] report checks\s+{n} checks on 1 step: {n} passed, 0 failed, 0 warned \(", out), out
    # dbt's node lines: in the run's log file, which the console names, not on the console
    log = run_log(data, out)
    assert f"run log: {log}" in out
    text = log.read_text(encoding="utf-8")
    assert re.search(r"^\d+ of \d+ START sql \w+ model staging\.stg_app__events", text, re.M)
    assert re.search(r"^\d+ of \d+ OK created sql \w+ model reports\.rpt_kpi_daily", text, re.M)
    assert "Done. PASS=" in text and not ANSI.search(text)
    assert (
        log.stat().st_mode & 0o077 == 0 and log.parent.stat().st_mode & 0o077 == 0
    )  # it quotes rejected values
    assert not re.search(r"^\d+ of \d+ (START|OK|PASS)", out, re.M)
    assert "== published" in text and "reports.rpt_kpi_daily" in text  # the full summary, every table's rows
    # the summary the brief asks for
    for section in ("== loaded", "== checks", "== published", "== alerts"):
        assert section in out
    assert "landed = loaded + quarantined: yes" in out


def test_the_demos_late_looking_sources_are_one_line_that_says_why(demo_run):
    _, proc = demo_run
    out = proc.stdout
    notes = [line for line in out.splitlines() if "sources look late" in line]
    assert len(notes) == 1, out
    assert f"the demo data ends on {LAST}, so 21 sources look late" in notes[0]
    assert "on real data each late source is reported individually" in notes[0]
    assert not re.search(r"warn: raw/\w+ / freshness", out)
    assert "Source late:" not in out  # the alerts, counted in the one line's terms
    assert "21 of them the demo's 'source late' alerts" in out


def test_a_failed_run_ends_with_the_check_the_value_and_where_to_look(demo_run, tmp_path):
    data, first = demo_run
    assert first.returncode == 0
    # a row the loader accepts but the raw suite refuses: more clicks than impressions
    day = data / "landing" / "ocean_engine_ad_stats" / LAST
    source = sorted(day.glob("*.csv"))[0]
    with source.open(encoding="utf-8-sig", newline="") as fh:
        row = next(csv.DictReader(fh))
    bad = day / f"extra_ocean_engine_{LAST}.csv"
    with bad.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, list(row))
        writer.writeheader()
        writer.writerow(row | {"广告ID": "7329999999999999999", "展示数": "3", "点击数": "50"})
    try:
        proc = cli(data, "--first", LAST, "--last", LAST)
    finally:
        bad.unlink()
    out = proc.stdout
    assert proc.returncode == 1, out[-5000:] + proc.stderr[-3000:]
    assert not ANSI.search(out) and "Traceback" not in out + proc.stderr
    ending = out[out.rindex("== why the run FAILED") :].splitlines()
    check = "check raw/ocean_engine_ad_stats / ge_ocean_engine_ad_stats FAILED: "
    assert ending[1].startswith(check), ending
    assert "expect_column_pair_values_a_to_be_greater_than_b on 展示数, 点击数: 1 unexpected" in ending[1]
    offending = f"day {LAST}, file ocean_engine_ad_stats/{LAST}/{bad.name}, row 2, column 展示数, 点击数: "
    assert any(line.strip().startswith(offending) and "3" in line for line in ending), ending
    page = next(line for line in ending if line.strip().startswith("Data Docs: ")).split(": ", 1)[1]
    assert Path(page).is_file() and Path(page).suffix == ".html"
    assert not [line for line in ending if "DagsterAssetCheckFailedError" in line]  # said once, as the check
    log = run_log(data, out)
    assert ending[-1] == f"run log (tracebacks, dbt's node lines): {log}"
    assert log.is_file()


def test_make_docs_writes_dbt_docs_as_one_offline_page_the_report_index_links(demo_run):
    data, first = demo_run
    assert first.returncode == 0
    env = {**os.environ, "GROWTHMART_DATA_DIR": str(data), "DAGSTER_HOME": str(data / "dagster_home")}
    proc = subprocess.run(
        [sys.executable, "-m", "orchestration.dbt_docs"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    page = data / "published" / "dbt_docs" / "index.html"
    html = page.read_text(encoding="utf-8")
    # the manifest and the catalog inlined (models, their columns as built), nothing fetched from a server
    assert "rpt_kpi_daily" in html and "stg_app__events" in html and '"catalog"' not in html[:200]
    assert not re.search(r"<(script|link)[^>]+(src|href)=[\"']https?://", html)
    assert re.search(r'"send_anonymous_usage_stats":\s*false', html)
    index = (data / "published" / "reports" / "index.html").read_text(encoding="utf-8")
    assert 'href="../dbt_docs/index.html"' in index


def test_dbt_lines_go_to_the_run_log_without_colour_and_progress_is_said_per_tenth(tmp_path):
    from assets.transform.dbt_assets import DbtLogSink

    now = [0.0]
    said: list[str] = []
    log = tmp_path / "logs" / "run.log"
    sink = DbtLogSink(log, said.append, every=10, clock=lambda: now[0])
    total = 40
    for n in range(1, total + 1):
        now[0] += 3  # a node every 3 s: 120 s in all
        status = "\x1b[31mFAIL 2\x1b[0m" if n == 7 else "\x1b[32mPASS\x1b[0m"
        sink.write(f"{n} of {total} START test t{n} .... [RUN]\n{n} of {total} ")
        sink.write(f"{'FAIL 2' if n == 7 else 'PASS'} t{n} ........ [{status} in 0.1s]\n")
    sink.write("Done. PASS=39 WARN=0 ERROR=1 SKIP=0 NO-OP=0 TOTAL=40")  # no newline: kept by close()
    sink.close()
    text = log.read_text(encoding="utf-8")
    assert not ANSI.search(text) and "7 of 40 FAIL 2 t7 ........ [FAIL 2 in 0.1s]" in text
    assert sink.done == 40 and sink.final == "Done. PASS=39 WARN=0 ERROR=1 SKIP=0 NO-OP=0 TOTAL=40"
    # at most one line per tenth of the nodes, and none closer than 10 s: 120 s of build, ~10 lines, not 40
    assert 4 <= len(said) <= 11, said
    assert said[0] == "dbt build: 4/40 nodes, 12 s"
    assert sink.failed == ["FAIL 2 t7"]
    assert sink.failure() == f"dbt build: 1 of 40 nodes failed: FAIL 2 t7 (dbt's lines: {log})"
    assert log.stat().st_mode & 0o077 == 0
