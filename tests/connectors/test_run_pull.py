"""`make run-pull` end to end (tools/run_pull.py): the demo's ad platforms served by the emulated platforms, its users
and orders by a real throwaway PostgreSQL, pulled by the connectors through the whole pipeline — and the published
tables are those of the file-landed demo run of tests/conftest.py (35 days, 400 users, seed 7)."""

from __future__ import annotations

import contextlib
import io
import os
import sys
from pathlib import Path

import pytest

from tools import pgserver

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "incremental"))
from published_compare import differences, published_tables  # noqa: E402

DEMO_PARAMS = ["--days", "35", "--users", "400", "--seed", "7"]  # the demo run's (tests/conftest.py DEMO_RUN)


@pytest.fixture(scope="module")
def pulled(tmp_path_factory, dbt_manifest):
    try:
        pgserver.find_bin_dir()
    except pgserver.PgUnavailable as exc:
        pytest.skip(str(exc))
    from tools.run_pull import main

    data = tmp_path_factory.mktemp("run-pull") / "pull"
    before = dict(os.environ)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(["--data-dir", str(data), *DEMO_PARAMS, "--log-level", "WARNING"])
    assert dict(os.environ) == before, "run-pull leaves the environment as it found it"
    return {"data": data, "code": code, "summary": out.getvalue()}


def test_pulling_everything_publishes_the_same_tables_as_the_file_landed_demo(pulled, demo_pipeline):
    assert demo_pipeline["code"] == 0, demo_pipeline["summary"]
    assert pulled["code"] == 0, pulled["summary"]
    # the one comparison of publications (tests/incremental): exact, doubles within 1e-9 (a parallel sum of
    # doubles may differ in its last bit from one build to the next), the build time left out
    ours, theirs = published_tables(pulled["data"]), published_tables(demo_pipeline["data"])
    assert len(ours) >= 30
    differing = differences(theirs, ours)
    assert not differing, f"published tables differ between pulling and file landing: {differing}"
    assert all(
        theirs[t][1]
        for t in ("reports.rpt_kpi_daily", "reports.rpt_campaign_roi", "reports.rpt_cac_ltv_monthly")
    )


def test_every_connector_source_was_pulled_and_none_landed_as_a_file(pulled):
    from tools.run_pull import pulled_sources

    landing = pulled["data"] / "landing"
    for source in pulled_sources():
        files = [p for p in (landing / source).rglob("*") if p.is_file()]
        assert files, f"{source}: nothing pulled"
        assert not [p for p in files if p.name.startswith("demo_")], (
            f"{source}: a demo export landed as a file"
        )


def test_the_summary_says_what_each_connector_fetched_through_a_token_expiry_and_a_rate_limit(pulled):
    from growthmart.connectors.specs import SPECS

    summary = pulled["summary"]
    section = summary[summary.index("== pulled (connectors)") :].split("\n\n")[0].splitlines()
    rows = {line.split()[0]: line.split() for line in section[2:]}
    assert set(rows) == {s.source for s in SPECS} | {"app_db.users", "app_db.orders"}
    days = 35
    assert all(int(r[1]) == days for name, r in rows.items() if not name.startswith("app_db")), section
    assert int(rows["ocean_engine_ad_stats"][7]) == 1, "one token refresh"
    assert int(rows["meta_ads_insights"][5]) == 1, "one rate-limit wait"
    assert all(int(r[3]) > 0 for r in rows.values()), section


def test_no_credential_is_in_the_data_directory_or_the_output(pulled):
    from tools.emulator.server import Credentials

    secrets = [
        v
        for k, v in vars(Credentials()).items()
        if any(w in k for w in ("token", "secret", "refresh", "access"))
    ]
    found = [
        (p, s)
        for p in pulled["data"].rglob("*")
        if p.is_file() and "connector_state" not in p.parts  # the rotating token store (0600), by design
        for s in secrets
        if s.encode() in p.read_bytes()
    ]
    assert not found, found
    assert not [s for s in secrets if s in pulled["summary"]]
