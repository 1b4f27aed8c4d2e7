"""The HTML reports in headless Chromium (Debian's `chromium`, driven by Playwright; no browser download).

A page passes when it loads from file:// with no console error, uncaught exception, failed request or request
leaving the machine, every chart draws (or says it has no data), and every KPI tile's data-value equals the
published cell it names and is what the tile shows. The checker is first proven on small hand-written pages,
each breaking one rule; then it runs on the pages the demo pipeline run publishes, and keeps a full-page
screenshot of the daily report (path printed; $GROWTHMART_TEST_ARTIFACTS or test-artifacts/).

Without Chromium the browser tests are skipped and say why; a missing renderer fails.
"""

import os
import time
from pathlib import Path

import duckdb
import pytest
from browser import (
    broken_links,
    check_page,
    chromium_missing,
    cjk_font_missing,
    displays,
    launch,
    numbers_shown,
    shows_nothing,
)

ROOT = Path(__file__).resolve().parents[2]
REQUIRED_METRICS = {
    "new_users", "active_users", "gmv", "net_revenue", "arppu", "spend", "cac", "blended_roas", "d1_retention", "d7_retention",
}  # fmt: skip
MAX_PAGE_BYTES = 2 * 1024 * 1024


@pytest.fixture(scope="module")
def browser():
    missing = chromium_missing()
    if missing:
        pytest.skip(missing)
    # a dev dependency: missing means a broken install, not a skip
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = launch(p)
        yield b
        b.close()


# --- the checker on hand-written pages -------------------------------------------------------------------

SVG_CHART = """<div class="chart" data-chart="trend" style="width:300px;height:150px"></div>
<script>requestAnimationFrame(() => {
  const el = document.querySelector('[data-chart=trend]');
  el.innerHTML = '<svg width="300" height="150"><path d="M0 150 L150 40 L300 90" stroke="#36c" fill="none"/></svg>';
  el.dataset.rendered = 'true';
});</script>"""
CANVAS_CHART = """<div class="chart" data-chart="bars"><canvas width="200" height="100"></canvas></div>
<script>Promise.resolve().then(() => {
  const c = document.querySelector('[data-chart=bars] canvas'); const g = c.getContext('2d');
  g.fillStyle = '#c33'; g.fillRect(10, 20, 40, 80);
  c.parentElement.dataset.rendered = 'true';
});</script>"""
EMPTY_CHART = """<div class="chart" data-chart="ab" data-rendered="empty"><p>暂无数据 / no data</p></div>"""
TILES = """
<div class="kpi" data-metric="new_users" data-source="rpt_kpi_daily.new_users" data-key="report_date=2026-06-04"
     data-value="1234"><span>新增用户 New users</span> <b>1,234</b> <small>+5.1% 环比</small></div>
<div class="kpi" data-metric="gmv" data-source="rpt_kpi_daily.gmv" data-key="report_date=2026-06-04"
     data-value="56789.5">GMV <b>¥56,789.50</b></div>
<div class="kpi" data-metric="gmv" data-source="rpt_kpi_daily.gmv" data-key="report_date=2026-06-03"
     data-value="1234567.89">GMV <b class="kpi-value">¥123.5万</b> <small>-3.0%</small></div>
<div class="kpi" data-metric="d1_retention" data-source="rpt_kpi_daily.d1_retention"
     data-key="report_date=2026-06-04" data-value="0.41234">D1 留存 <b>41.2%</b> <small>+0.8 pp</small></div>
<div class="kpi" data-metric="cac" data-source="rpt_kpi_daily.cac" data-key="report_date=2026-06-04"
     data-value="">CAC <b>—</b></div>"""
CLEAN = SVG_CHART + CANVAS_CHART + EMPTY_CHART + TILES


def page(tmp_path: Path, body: str, head: str = "", name: str = "page.html") -> Path:
    path = tmp_path / name
    path.write_text(
        f'<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">{head}</head><body>{body}</body></html>',
        encoding="utf-8",
    )
    return path


@pytest.fixture(scope="module")
def kpi_db(tmp_path_factory):
    """A tiny published database: reports.rpt_kpi_daily with two days (cac NULL on the last one)."""
    path = tmp_path_factory.mktemp("published") / "growthmart.duckdb"
    con = duckdb.connect(str(path))
    con.execute("create schema reports")
    con.execute(
        """create table reports.rpt_kpi_daily as select * from (values
             (date '2026-06-03', 1100, 1234567.89::decimal(18, 2), 0.39, 41.5),
             (date '2026-06-04', 1234, 56789.50::decimal(18, 2), 0.41234, null))
           t(report_date, new_users, gmv, d1_retention, cac)"""
    )
    con.close()
    con = duckdb.connect(str(path), read_only=True)
    yield con
    con.close()


def test_a_clean_page_passes(browser, kpi_db, tmp_path):
    result = check_page(browser, page(tmp_path, CLEAN), kpi_db)
    assert result.problems() == []
    assert {c["id"]: c["rendered"] for c in result.charts} == {"trend": "true", "bars": "true", "ab": "empty"}
    assert len(result.kpis) == 5 and result.lang == "zh-CN"


BROKEN = {
    "console error": (CLEAN + "<script>console.error('boom')</script>", "", "console error: boom"),
    "uncaught exception": (CLEAN + "<script>null.x()</script>", "", "uncaught exception"),
    "chart never renders": (CLEAN + '<div class="chart" data-chart="late"><svg></svg></div>', "", "'late' never rendered"),
    "blank canvas": (
        CLEAN + '<div class="chart" data-chart="blank" data-rendered="true"><canvas width="50" height="50"></canvas></div>',
        "", "'blank' says rendered but its svg/canvas is blank",
    ),
    "zero-size svg": (
        CLEAN + '<div class="chart" data-chart="flat" data-rendered="true"><svg width="0" height="0"><rect/></svg></div>',
        "", "'flat' says rendered but has no visible svg/canvas",
    ),
    "empty chart without a note": (
        CLEAN + '<div class="chart" data-chart="mute" data-rendered="empty"></div>', "", "no 'no data' note",
    ),
    "tile value differs from the table": (
        CLEAN.replace('data-value="1234"', 'data-value="1235"'), "", "data-value 1235.0 but the table holds 1234",
    ),
    "tile shows another number": (
        CLEAN.replace("<b>1,234</b>", "<b>1,243</b>"), "", "shows '新增用户 New users 1,243",
    ),
    "tile shows a rate as another percentage": (
        CLEAN.replace("<b>41.2%</b>", "<b>42.1%</b>"), "", "shows 'D1 留存 42.1%",
    ),
    "NULL shown as 0": (CLEAN.replace('data-value="">CAC <b>—</b>', 'data-value="0">CAC <b>0</b>'), "", "data-value '0' but the table holds None"),
    "tile names no row": (CLEAN.replace("report_date=2026-06-03", "report_date=2026-06-05"), "", "0 rows where report_date = 2026-06-05"),
    "tile names no table": (CLEAN.replace("rpt_kpi_daily.new_users", "rpt_kpi_hourly.new_users"), "", "rpt_kpi_hourly"),
    "script from a CDN": (
        CLEAN, '<script src="https://cdn.jsdelivr.net/npm/echarts@5/dist/echarts.min.js"></script>',
        "request leaves file://: https://cdn.jsdelivr.net/",
    ),
    "web font from the internet": (
        CLEAN + '<p style="font-family:X">字</p>',
        "<style>@font-face{font-family:X;src:url(https://fonts.gstatic.com/x.woff2)}</style>",
        "request leaves file://: https://fonts.gstatic.com/",
    ),
    "missing local file": (CLEAN + '<img src="assets/missing.png">', "", "failed request: file://"),
}  # fmt: skip


@pytest.mark.parametrize("case", BROKEN, ids=list(BROKEN))
def test_each_broken_page_is_caught(browser, kpi_db, tmp_path, case):
    body, head, expected = BROKEN[case]
    problems = check_page(browser, page(tmp_path, body, head), kpi_db, timeout_ms=1500).problems()
    assert any(expected in p for p in problems), problems


@pytest.mark.parametrize(
    ("text", "value", "ok"),
    [
        ("新增用户 1,234 +5%", 1234, True),
        ("新增用户 1,234 +5%", 1243, False),
        ("GMV ¥56,789.50", 56789.5, True),
        ("GMV ¥56,789.50", 56789.4, False),
        ("GMV ¥5.68万", 56789.5, True),
        ("GMV ¥5.68万", 58000, False),
        ("Spend ¥1.2M", 1_234_567, True),
        ("D7 retention 8.3% ▲1.2pp", 0.0831, True),
        ("D7 retention 8.3%", 0.0731, False),
        ("D1 留存 41.2%", 1.0, False),  # the 1 of the label D1 is not the number shown
        ("7日留存\n8.3%\n−0.4pp 较前一日", 0.0831, True),  # nor is the 7 of 7日
        ("7日留存 8.3%", 7, False),
        ("GMV 5.68万元", 56789.5, True),
        ("ROAS 2.35×", 2.349, True),
        ("ROAS 2.35x", 2.349, True),
        ("ROAS 235.0%", 2.35, True),
        ("Net revenue -¥1,200", -1200, True),
        ("CAC —", 0, False),
    ],
)
def test_a_tile_shows_its_value_formatted_for_people(text, value, ok):
    assert displays(text, value) is ok, numbers_shown(text)


def test_a_null_tile_shows_a_placeholder_not_a_number():
    assert shows_nothing("CAC — 环比 +3%") and shows_nothing("ARPPU n/a") and shows_nothing("CAC 暂无")
    assert not shows_nothing("CAC 0") and not shows_nothing("CAC -12.5")


def test_without_chromium_the_skip_says_why(monkeypatch, tmp_path):
    import browser as checker

    monkeypatch.setattr(checker, "CHROMIUM", tmp_path / "no-chromium")
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.delenv("GROWTHMART_CHROMIUM_MISSING", raising=False)
    assert "Chromium is missing" in chromium_missing() and "apt-get install chromium" in chromium_missing()
    monkeypatch.setenv(
        "GROWTHMART_CHROMIUM_MISSING", "apt-get install chromium failed (sudo -n): no password"
    )
    assert chromium_missing().endswith("apt-get install chromium failed (sudo -n): no password")


def test_broken_index_links_are_found(tmp_path):
    (tmp_path / "daily").mkdir()
    (tmp_path / "daily" / "2026-06-04.html").write_text("x")
    (tmp_path / "data_docs").mkdir()
    (tmp_path / "data_docs" / "index.html").write_text("x")
    hrefs = ["daily/2026-06-04.html", "data_docs/", "#top", "daily/2026-06-05.html", "https://example.com/"]
    problems = broken_links(tmp_path / "index.html", hrefs)
    assert len(problems) == 2 and "2026-06-05.html" in problems[0] and "leaves the report" in problems[1]


# --- the pages the pipeline publishes ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def reports(demo_pipeline) -> Path:
    """The reports of the shared demo pipeline run (tests/conftest.py); not a second pipeline run."""
    import growthmart.report  # noqa: F401 — the renderer must exist: its absence fails, it is never a skip

    assert demo_pipeline["code"] == 0, demo_pipeline["summary"]
    reports = demo_pipeline["data"] / "published" / "reports"
    assert (reports / "index.html").is_file(), f"the pipeline run left no {reports}/index.html"
    return reports


@pytest.fixture(scope="module")
def published(demo_pipeline):
    con = duckdb.connect(str(demo_pipeline["data"] / "published" / "growthmart.duckdb"), read_only=True)
    yield con
    con.close()


@pytest.fixture(scope="module")
def checked(reports, published, browser):
    """check_page once per page of the run (the daily page is read by two tests)."""
    cache = {}

    def check(path: Path, screenshot: Path | None = None):
        if path not in cache:
            cache[path] = check_page(browser, path, published, screenshot=screenshot)
        return cache[path]

    return check


def artifact_path() -> Path:
    base = os.environ.get("GROWTHMART_TEST_ARTIFACTS")
    return (Path(base) if base else ROOT / "test-artifacts") / "daily_report.png"


def pages(reports: Path, period: str) -> list[Path]:
    return sorted((reports / period).glob("*.html"))


def test_the_daily_report_renders_and_its_tiles_equal_the_published_tables(reports, checked, capsys):
    daily = pages(reports, "daily")
    assert daily, f"no daily pages under {reports}"
    shot = artifact_path()
    started = time.monotonic()
    result = checked(daily[-1], screenshot=shot)
    took = time.monotonic() - started
    fonts = " — no CJK font installed, Chinese labels show as boxes (apt-get install fonts-wqy-zenhei)"
    with capsys.disabled():
        print(
            f"\ndaily report screenshot: {shot} ({shot.stat().st_size // 1024} KiB, page checked in {took:.1f} s)"
            + (fonts if cjk_font_missing() else "")
        )
    assert result.problems() == [], "\n".join(result.problems())
    assert result.lang in ("zh-CN", "en")
    assert result.charts, "the daily report draws no chart"
    assert REQUIRED_METRICS - {k["metric"] for k in result.kpis} == set(), "tiles missing"
    assert shot.stat().st_size > 10_000


def test_the_first_and_last_page_of_every_period_render_and_match(reports, checked):
    """The first period has no previous one to compare with and immature retention (NULL tiles); the last is
    the one people read."""
    problems = []
    for period in ("daily", "weekly", "monthly"):
        found = pages(reports, period)
        assert found, f"no {period} pages under {reports}"
        for path in dict.fromkeys([found[0], found[-1]]):
            result = checked(path)
            problems += [f"{period}/{path.name}: {p}" for p in result.problems()]
            if not result.kpis:
                problems.append(f"{period}/{path.name}: no KPI tiles")
            if not result.charts:
                problems.append(f"{period}/{path.name}: no charts")
    assert problems == [], "\n".join(problems)


def test_every_page_is_small_enough_to_mail(reports):
    too_big = [
        f"{p} ({p.stat().st_size} bytes)"
        for p in reports.rglob("*.html")
        if p.stat().st_size > MAX_PAGE_BYTES
    ]
    assert too_big == []


def test_the_index_loads_and_links_every_page(reports, checked):
    index = reports / "index.html"
    result = checked(index)
    assert result.problems() == [], "\n".join(result.problems())
    assert broken_links(index, result.links) == []
    linked = {(index.parent / href.split("#")[0]).resolve() for href in result.links if "://" not in href}
    every = {p.resolve() for period in ("daily", "weekly", "monthly") for p in pages(reports, period)}
    assert every - linked == set(), "pages the index does not list"
    data_docs = [href for href in result.links if href.split("#")[0].endswith("data_docs/index.html")]
    assert data_docs, "the index does not link the Great Expectations Data Docs"
    docs_index = (index.parent / data_docs[0].split("#")[0]).resolve()
    docs = checked(docs_index)  # opened from the report, so it has to work offline too
    assert docs.problems() == [], "\n".join(docs.problems())
    assert broken_links(docs_index, docs.links) == []
