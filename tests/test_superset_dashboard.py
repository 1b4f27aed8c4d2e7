"""The Superset dashboard (tools/superset/) proven in Superset itself, against a real PostgreSQL publication.

The demo pipeline's publication (the session's demo_pipeline) is published to a throwaway PostgreSQL 15 with
growthmart/publish_pg.py; Superset (.venv-bi, `make bi`) is set up from scratch by tools/superset/manage.py
(metadata DB, admin, the dashboard imported from the repository's bundle) reading as a login that holds only
growthmart_bi, and served on a free 127.0.0.1 port. Then:

- Chromium logs in through the form and opens the dashboard; every chart asks Superset's chart data endpoint for
  its rows (the query context Superset's frontend builds from the chart's saved params). Each of those queries is
  run again through the REST API (POST /api/v1/chart/data with an API token): it must succeed, without an error,
  with rows, and as many rows as the publication holds for what the chart shows.
- Every chart of the dashboard draws (no error panel), and a full-page screenshot is kept (path printed;
  $GROWTHMART_TEST_ARTIFACTS or test-artifacts/superset_dashboard.png).
- Setup refuses a login that can do more than read the BI tables, and prints no secret.

A chart pointing at a column the publication lacks fails both chart tests, naming the chart and Superset's error
(checked once by breaking the KPI trend's `orders` metric; no broken chart is kept).

Opt-in, it takes about 6½ minutes here (2 cores: ~4 of them the demo pipeline, which other tests of the session
share; Superset's setup ~30 s, its start ~20 s): GROWTHMART_TEST_SUPERSET=1 and `make bi` first. Without both it
is skipped and says so.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import subprocess
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

from growthmart.child_guard import guard_env, guarded
from tests.report.browser import chromium_missing, launch
from tools.superset import manage

ROOT = Path(__file__).resolve().parents[1]
OPT_IN = "GROWTHMART_TEST_SUPERSET"
CHARTS = manage.BUNDLE / "charts"
SLUG = yaml.safe_load((manage.BUNDLE / "dashboards" / "growthmart.yaml").read_text(encoding="utf-8"))["slug"]
READER = "superset_reader"
START_TIMEOUT_S = 180
CHARTS_TIMEOUT_S = 180
# Every chart panel of the dashboard has stopped loading (no spinner left).
SETTLED = """() => document.querySelectorAll('.dashboard-component-chart-holder').length > 0
    && !document.querySelector('.dashboard-component-chart-holder .loading, [data-test=loading-indicator]')"""

# What each chart shows, counted in the publication (as the reader): the rows its query must return.
EXPECTED_ROWS = {
    "alerts": "select count(*) from reports.rpt_alerts where is_recent",
    "kpi_trend": "select count(*) from reports.rpt_kpi_daily",
    "spend_by_platform": "select count(distinct report_date) from reports.rpt_campaign_roi_daily where platform is not null",
    "brand_sentiment": "select count(distinct report_date) from reports.rpt_brand_sentiment_daily where is_own_brand",
    "retention_heatmap": """select count(*) from (select distinct cohort_date, day_n from reports.rpt_retention_cohorts
                            where is_complete and day_n <= 30) cells""",
    "funnel_by_channel": """select count(*) from (select distinct channel_label_zh, step_name
                            from reports.rpt_funnel_users where is_complete) cells""",
    "cac_ltv": "select count(*) from reports.rpt_cac_ltv_monthly",
    "campaign_roi": "select count(*) from reports.rpt_campaign_roi",
}  # fmt: skip


def _skip_reason() -> str | None:
    if os.environ.get(OPT_IN) != "1":
        return f"opt-in (about 6½ minutes): set {OPT_IN}=1 after `make bi` to run the Superset dashboard test"
    if not manage.BI_PYTHON.exists():
        return f"{OPT_IN}=1 but {manage.BI_PYTHON} is missing: run `make bi` (Superset's own environment)"
    return chromium_missing()


pytestmark = pytest.mark.skipif(_skip_reason() is not None, reason=_skip_reason() or "")


def chart_files() -> dict[str, dict]:
    """The bundle's charts by file name (without .yaml)."""
    return {p.stem: yaml.safe_load(p.read_text(encoding="utf-8")) for p in sorted(CHARTS.glob("*.yaml"))}


def artifact_path() -> Path:
    base = os.environ.get("GROWTHMART_TEST_ARTIFACTS")
    return (Path(base) if base else ROOT / "test-artifacts") / "superset_dashboard.png"


@pytest.fixture(scope="module")
def publication(pg, demo_pipeline):
    """The demo publication in its own database of the session's PostgreSQL: DSNs of the publisher, an admin and
    the reader Superset uses (a login granted growthmart_bi only)."""
    import psycopg

    from growthmart.publish_pg import BI_ROLE, publish_pg

    assert demo_pipeline["code"] == 0, demo_pipeline["summary"][-3000:]
    publisher_pw, reader_pw = secrets.token_urlsafe(16), secrets.token_urlsafe(16)
    with psycopg.connect(pg._admin_dsn(), autocommit=True) as admin:
        admin.execute(f"create role dash_publisher login createrole password '{publisher_pw}'")
        admin.execute(f"create role {READER} login password '{reader_pw}'")
        admin.execute("create database dashboard owner dash_publisher")
    base = f"127.0.0.1:{pg.port}/dashboard"
    publisher = f"postgresql://dash_publisher:{publisher_pw}@{base}"
    publish_pg(demo_pipeline["data"] / "published" / "growthmart.duckdb", publisher)
    with psycopg.connect(pg._admin_dsn(), autocommit=True) as admin:
        admin.execute(f"grant {BI_ROLE} to {READER}")
    return {"publisher": publisher, "reader": f"postgresql://{READER}:{reader_pw}@{base}"}


def superset_env(data: Path, dsn: str, secret: str, password: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SUPERSET_", "GROWTHMART_SUPERSET_"))}
    return manage.superset_env(
        {
            **env,
            "GROWTHMART_DATA_DIR": str(data),
            manage.SECRET_KEY_VAR: secret,
            manage.ADMIN_PASSWORD_VAR: password,
            manage.PG_DSN_VAR: dsn,
        }
    )


def run_setup(env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(manage.BI_PYTHON), "-m", "tools.superset.manage", "setup"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.fixture(scope="module")
def superset(tmp_path_factory, publication):
    """Superset set up from scratch and served on a free port (through the child guard: it dies with this
    process). Yields its base URL, the admin password and the setup's output."""
    import httpx

    data = tmp_path_factory.mktemp("superset") / "data"
    secret, password = secrets.token_urlsafe(32), secrets.token_urlsafe(16)
    env = superset_env(data, publication["reader"], secret, password)
    started = time.monotonic()
    setup = run_setup(env)
    assert setup.returncode == 0, f"setup failed:\n{setup.stdout[-3000:]}\n{setup.stderr[-5000:]}"
    setup_s = time.monotonic() - started
    port = manage.free_port()
    log = data / "superset" / "server.log"
    command = [
        guarded(str(manage.BI_PYTHON), data / "superset"),
        *("-m", "tools.superset.manage", "serve", "--port", str(port)),
    ]
    with open(log, "wb") as out:
        server = subprocess.Popen(
            command,
            env={**env, **guard_env(ROOT)},
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            assert server.poll() is None, f"Superset exited ({server.returncode}):\n{log.read_text()[-5000:]}"
            try:
                if httpx.get(f"{base}/health", timeout=5).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, (
                f"Superset not up after {START_TIMEOUT_S} s:\n{log.read_text()[-5000:]}"
            )
            time.sleep(1)
        yield {
            "base": base,
            "password": password,
            "secrets": [secret, password, urlsplit(publication["reader"]).password],
            "setup": setup,
            "setup_s": setup_s,
            "start_s": time.monotonic() - started - setup_s,
            "log": log,
        }
    finally:
        server.terminate()
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def api_client(superset):
    """An httpx client logged in to Superset's REST API (JWT) with its CSRF token, as a script would use it."""
    import httpx

    client = httpx.Client(base_url=superset["base"], timeout=120)
    login = client.post(
        "/api/v1/security/login",
        json={"username": manage.ADMIN, "password": superset["password"], "provider": "db", "refresh": False},
    )
    assert login.status_code == 200, login.text
    client.headers["Authorization"] = f"Bearer {login.json()['access_token']}"
    csrf = client.get("/api/v1/security/csrf_token/")
    assert csrf.status_code == 200, csrf.text
    client.headers["X-CSRFToken"] = csrf.json()["result"]
    client.headers["Referer"] = superset["base"]
    return client


@pytest.fixture(scope="module")
def dashboard(superset):
    """The dashboard in Chromium: logged in through the form, opened, every chart's data request and response
    captured, a full-page screenshot kept. Returns {"charts": the API's chart list, "requests": {chart id: (query
    context, status, body)}, "problems": [...], "screenshot": path}."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    from playwright.sync_api import sync_playwright

    with contextlib.closing(api_client(superset)) as client:
        listed = client.get(f"/api/v1/dashboard/{SLUG}/charts")
        assert listed.status_code == 200, listed.text
        charts = listed.json()["result"]
    captured: dict[int, tuple] = {}
    page_errors: list[str] = []

    def on_response(response):
        if "/api/v1/chart/data" not in response.url or response.request.method != "POST":
            return
        body = response.request.post_data_json or {}
        chart_id = (body.get("form_data") or {}).get("slice_id")
        try:
            payload = response.json()
        except Exception:  # noqa: BLE001 - an HTML error page: kept as text below
            payload = {"message": response.text()[:500]}
        captured[chart_id] = (body, response.status, payload)

    shot = artifact_path()
    shot.parent.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = launch(p)
        try:
            context = browser.new_context(viewport={"width": 1600, "height": 1200}, locale="zh-CN")
            # nothing leaves the machine, whatever the page asks for
            context.route(
                "**/*", lambda r: r.continue_() if r.request.url.startswith(superset["base"]) else r.abort()
            )
            page = context.new_page()
            page.on("pageerror", lambda e: page_errors.append(str(e)))
            page.on("response", on_response)
            page.goto(f"{superset['base']}/login/")
            page.fill("#username", manage.ADMIN)
            page.fill("#password", superset["password"])
            page.click("[data-test=login-button]")
            page.wait_for_url(lambda url: "/login" not in url, timeout=60_000)
            page.goto(f"{superset['base']}/superset/dashboard/{SLUG}/")
            deadline = time.monotonic() + CHARTS_TIMEOUT_S
            wanted = {c["id"] for c in charts}
            while not wanted <= captured.keys() and time.monotonic() < deadline:
                page.wait_for_timeout(500)
            # every chart has its data: wait (bounded) until no panel shows a spinner, then for the last frame
            with contextlib.suppress(PlaywrightTimeout):
                page.wait_for_function(SETTLED, timeout=30_000)
            page.wait_for_timeout(2000)
            drawn = page.evaluate(
                """() => [...document.querySelectorAll('.dashboard-component-chart-holder')].map(h => ({
                      name: (h.querySelector('.header-title, [data-test=editable-title]') || {}).innerText || '',
                      error: !!h.querySelector('.ant-alert-error, [data-test=alert-error], .error-message'),
                      drawn: !!h.querySelector('canvas, table')}))"""
            )
            page.screenshot(path=str(shot), full_page=True)
        finally:
            browser.close()
    problems = [f"uncaught exception in the page: {e}" for e in page_errors]
    problems += [f"chart {d['name']!r} shows an error" for d in drawn if d["error"]]
    problems += [f"chart {d['name']!r} draws nothing" for d in drawn if not d["drawn"] and not d["error"]]
    if len(drawn) != len(charts):
        problems.append(f"{len(drawn)} chart panels on the page, {len(charts)} charts in the dashboard")
    return {"charts": charts, "requests": captured, "problems": problems, "screenshot": shot}


def test_the_dashboard_holds_every_chart_of_the_repository(dashboard):
    names = sorted(c["slice_name"] for c in dashboard["charts"])
    assert names == sorted(c["slice_name"] for c in chart_files().values())
    assert set(EXPECTED_ROWS) == set(chart_files()), "every chart file needs its expected row count here"


def test_every_chart_draws_on_the_dashboard_in_chromium(dashboard, capsys):
    shot = dashboard["screenshot"]
    with capsys.disabled():
        print(f"\nSuperset dashboard screenshot: {shot} ({shot.stat().st_size // 1024} KiB)")
    missing = [c["slice_name"] for c in dashboard["charts"] if c["id"] not in dashboard["requests"]]
    assert not missing, f"charts that never asked for their data: {missing}"
    assert not dashboard["problems"], dashboard["problems"]


def test_every_chart_query_returns_the_published_rows_through_the_api(superset, dashboard, publication):
    """Each chart's query, as the dashboard runs it, again through the REST API: no error, rows, and as many
    rows as the publication holds for what the chart shows."""
    import psycopg

    by_name = {c["slice_name"]: stem for stem, c in chart_files().items()}
    failures = []
    with contextlib.closing(api_client(superset)) as client, psycopg.connect(publication["reader"]) as reader:
        for chart in dashboard["charts"]:
            name, stem = chart["slice_name"], by_name[chart["slice_name"]]
            query_context, status, payload = dashboard["requests"][chart["id"]]
            if status != 200:
                failures.append(
                    f"{name}: the dashboard's request failed ({status}): {payload.get('message')}"
                )
            response = client.post("/api/v1/chart/data", json=query_context)
            if response.status_code != 200:
                failures.append(
                    f"{name}: POST /api/v1/chart/data -> {response.status_code}: {response.text[:500]}"
                )
                continue
            results = response.json()["result"]
            expected = reader.execute(EXPECTED_ROWS[stem]).fetchone()[0]
            for result in results:
                if result.get("error") or result.get("status") != "success":
                    failures.append(f"{name}: {result.get('status')}: {result.get('error')}")
                elif not result["rowcount"]:
                    failures.append(f"{name}: no rows")
                elif result["rowcount"] != expected:
                    failures.append(f"{name}: {result['rowcount']} rows, the publication holds {expected}")
    assert not failures, "\n".join(failures)


def test_setup_prints_no_secret_and_refuses_a_login_that_can_write(superset, publication, tmp_path):
    output = superset["setup"].stdout + superset["setup"].stderr + superset["log"].read_text(errors="replace")
    leaked = [i for i, s in enumerate(superset["secrets"]) if s and s in output]
    assert not leaked, (
        "a secret (SECRET_KEY, admin or database password) is in setup's or the server's output"
    )
    assert f"imported ({len(chart_files())} charts)" in superset["setup"].stdout, superset["setup"].stdout
    env = superset_env(tmp_path / "data", publication["publisher"], "k" * 32, "p" * 16)
    refused = run_setup(env)
    assert refused.returncode == 2, refused.stdout + refused.stderr
    assert "must connect with a read-only growthmart_bi login" in refused.stderr, refused.stderr
    assert not (tmp_path / "data" / "superset" / "superset.db").exists(), "setup wrote Superset's DB first"
