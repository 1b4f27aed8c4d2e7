"""The HTML reports in headless Chromium (Debian's `chromium`, driven by Playwright; no browser download).

A page passes when it loads from file:// with no console error, uncaught exception, failed request or request
leaving the machine, every chart draws (or says it has no data), every KPI tile's data-value equals the
published cell it names and is what the tile shows, and what a manager reads is right: no merged or same-label
bars, rankings in order, no empty legend entry, a code's colour the same on every chart and page (also after a
platform is added), no partial period shown as complete, no chart toolbar over a chart, activity phases in
their order, no raw code where a label exists, the data-quality panel short, folded and off the first screen.
The checker is first proven on small hand-written pages, each breaking one rule; then it runs on the pages the
demo pipeline run publishes, and keeps a full-page screenshot of the daily report (path printed;
$GROWTHMART_TEST_ARTIFACTS or test-artifacts/).

Without Chromium the browser tests are skipped and say why; a missing renderer fails.
"""

import copy
import json
import os
import shutil
import time
from datetime import date
from pathlib import Path

import duckdb
import pytest
from browser import (
    broken_links,
    check_page,
    chromium_missing,
    cjk_font_missing,
    colour_problems,
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
LAST_DAY = date(2026, 6, 4)  # the demo run's last day (tests/conftest.py DEMO_RUN)


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
# Read by a manager: a code beside its label, an activity's phases in order, the quality panel below the first
# screen, one line in the reporting timezone, the engineers' detail folded.
READING = """<p>负面提及 微博 3 条</p><table>
<tr data-activity="a1" data-phase="warmup"><td>618 预热期</td></tr><tr data-activity="a1" data-phase="peak"><td>正式期</td></tr>
<tr data-activity="a1" data-phase="total"><td>全程</td></tr><tr data-activity="a2" data-phase="peak"><td>正式期</td></tr></table>
<div style="height:1000px"></div><section id="data-quality"><h2>数据质量</h2>
<p>检查 120 通过 · 0 失败 · 发布于 2026-06-05 10:00 (Asia/Shanghai)</p>
<details><summary>工程明细</summary><p>run 42 loaded 2026-06-05 02:00 UTC</p><table>
<tr><td>reports.rpt_kpi_daily</td><td>35</td></tr></table></details></section>"""
CLEAN = SVG_CHART + CANVAS_CHART + EMPTY_CHART + TILES + READING


def page(tmp_path: Path, body: str, head: str = "", name: str = "page.html") -> Path:
    path = tmp_path / name
    path.write_text(
        f'<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">{head}</head><body>{body}</body></html>',
        encoding="utf-8",
    )
    return path


@pytest.fixture(scope="module")
def kpi_db(tmp_path_factory):
    """A tiny published database: reports.rpt_kpi_daily with two days (cac NULL on the last one), two weeks (the
    last one not complete), the activity phases' order and a social platform's label."""
    path = tmp_path_factory.mktemp("published") / "growthmart.duckdb"
    con = duckdb.connect(str(path))
    con.execute("create schema reports")
    con.execute("create schema marts")
    con.execute(
        """create table reports.rpt_kpi_daily as select * from (values
             (date '2026-06-03', 1100, 1234567.89::decimal(18, 2), 0.39, 41.5),
             (date '2026-06-04', 1234, 56789.50::decimal(18, 2), 0.41234, null))
           t(report_date, new_users, gmv, d1_retention, cac)"""
    )
    con.execute(
        """create table reports.rpt_kpi_weekly as select * from (values
             (date '2026-05-25', true), (date '2026-06-01', false)) t(week_start, is_complete)"""
    )
    con.execute(
        """create table reports.rpt_activity_review as select * from (values
             ('warmup', 1), ('peak', 2), ('wrapup', 3), ('total', 4)) t(phase, phase_order)"""
    )
    con.execute(
        """create table marts.dim_code_labels as select * from (values
             ('social_platform', 'weibo', '微博', 'Weibo', '#d83931')) t(code_type, code, label_zh, label_en, color)"""
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
    "raw code where a label exists": (CLEAN.replace("负面提及 微博 3 条", "负面提及 weibo 3 条"), "", "raw code 'weibo'"),
    "phases out of order": (
        CLEAN.replace('data-phase="peak"><td>正式期</td></tr>\n<tr data-activity="a1" data-phase="total"',
                      'data-phase="total"><td>全程</td></tr>\n<tr data-activity="a1" data-phase="peak"'),
        "", "phase 'peak' after 'total'",
    ),
    "one activity's phases apart": (
        CLEAN + '<table><tr data-activity="a1" data-phase="wrapup"><td>返场期</td></tr></table>', "", "'a1': its phase rows are not together",
    ),
    "quality panel on the first screen": (CLEAN.replace("height:1000px", "height:10px"), "", "panel is on the first screen"),
    "quality panel in UTC": (CLEAN.replace("(Asia/Shanghai)", "UTC"), "", "shows UTC times"),
    "engineers' detail not folded": (CLEAN.replace("<details>", "<details open>"), "", "detail is not folded"),
}  # fmt: skip


@pytest.mark.parametrize("case", BROKEN, ids=list(BROKEN))
def test_each_broken_page_is_caught(browser, kpi_db, tmp_path, case):
    body, head, expected = BROKEN[case]
    problems = check_page(browser, page(tmp_path, body, head), kpi_db, timeout_ms=1500).problems()
    assert any(expected in p for p in problems), problems


# --- the checker on hand-written plotly charts --------------------------------------------------------------

# Charts drawn the way a manager should read them: bars keyed by id with distinct labels, ranked; each trace naming
# its code (meta) in that code's colour; the weekly axis marking the week not complete (rpt_kpi_weekly) with '*'.
CLEAN_CHARTS = {
    "spend": {
        "data": [
            {"type": "bar", "name": "平台甲", "meta": "platform:a", "marker": {"color": "#2f6fde"},
             "x": ["2026-06-03", "2026-06-04"], "y": [5, 6]},
            {"type": "bar", "name": "平台乙", "meta": "platform:b", "marker": {"color": "#e8743b"},
             "x": ["2026-06-03", "2026-06-04"], "y": [2, 3]},
        ],
        "layout": {"barmode": "stack"},
    },
    "top": {
        "attrs": {"data-ranked": "desc"},
        "data": [{"type": "bar", "orientation": "h", "x": [8, 9, 17], "y": ["c3", "c2", "c1"],
                  "meta": ["content_platform:douyin"] * 3, "marker": {"color": ["#3d4a5c"] * 3}}],
        "layout": {"yaxis": {"type": "category", "tickmode": "array", "tickvals": ["c3", "c2", "c1"],
                             "ticktext": ["开箱 · 抖音 (05-02)", "开箱 · 抖音 (05-01)", "测评 · 抖音"]}},
    },
    "weeks": {
        "attrs": {"data-x-period": "weekly", "data-period-source": "rpt_kpi_weekly.week_start"},
        "data": [{"type": "bar", "name": "GMV", "meta": "metric:gmv", "marker": {"color": "#2f6fde"},
                  "x": ["2026-05-25", "2026-06-01"], "y": [100, 40]},
                 {"type": "bar", "name": "花费", "meta": "metric:spend", "marker": {"color": "#e8743b"},
                  "x": ["2026-05-25", "2026-06-01"], "y": [50, 20]}],
        "layout": {"xaxis": {"type": "category", "tickmode": "array", "tickvals": ["2026-05-25", "2026-06-01"],
                             "ticktext": ["05-25", "06-01*"]}},
    },
}  # fmt: skip
NO_TOOLBAR = "{displayModeBar: false}"


@pytest.fixture(scope="module")
def plotly_asset(tmp_path_factory) -> Path:
    """The plotly.js the reports ship, beside the hand-written chart pages."""
    from growthmart.report import plotly_js

    name, source = plotly_js()
    path = tmp_path_factory.mktemp("plotly") / name
    path.write_text(source, encoding="utf-8")
    return path


def plotly_page(
    tmp_path: Path,
    asset: Path,
    charts: dict,
    config: str = NO_TOOLBAR,
    name: str = "charts.html",
    body: str = "",
) -> Path:
    divs = "".join(
        f'<div class="chart" data-chart="{cid}"'
        + "".join(f' {k}="{v}"' for k, v in spec.get("attrs", {}).items())
        + ' style="width:600px;height:300px"></div>'
        for cid, spec in charts.items()
    )
    draw = f"""<script src="{asset.as_uri()}"></script><script>
const specs = {json.dumps(charts, ensure_ascii=False)};
document.querySelectorAll('.chart').forEach(el => {{ const s = specs[el.dataset.chart];
  Plotly.newPlot(el, s.data, Object.assign({{margin: {{l: 60, r: 10, t: 10, b: 40}}, height: 300}}, s.layout), {config})
    .then(() => {{ el.dataset.rendered = 'true'; }}); }});</script>"""
    return page(tmp_path, body + divs + draw, name=name)


def charts_with(change) -> dict:
    charts = copy.deepcopy(CLEAN_CHARTS)
    change(charts)
    return charts


def test_clean_charts_pass(browser, kpi_db, plotly_asset, tmp_path):
    result = check_page(browser, plotly_page(tmp_path, plotly_asset, CLEAN_CHARTS), kpi_db)
    assert result.problems() == []
    assert {c["id"]: c["rendered"] for c in result.charts} == {
        "spend": "true",
        "top": "true",
        "weeks": "true",
    }
    assert result.colours()["platform:a"] == {("#2f6fde", "charts.html#spend")}


def _set(path: list, value):
    def change(charts):
        target = charts
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return change


BROKEN_CHARTS = {
    # the case: two items of one title and platform keyed by their label, so 9 + 8 sit on one bar
    "merged bar": (_set(["top", "data", 0, "y"], ["开箱 · 抖音", "开箱 · 抖音", "测评 · 抖音"]), None, "bars merged"),
    "two bars read the same label": (
        _set(["top", "layout", "yaxis", "ticktext"], ["开箱 · 抖音", "开箱 · 抖音", "测评 · 抖音"]), None, "read the same label",
    ),
    "ranking out of order": (_set(["top", "data", 0, "x"], [8, 17, 9]), None, "ranked bars out of order"),
    "empty legend entry": (_set(["spend", "data", 1, "y"], [None, None]), None, "'平台乙': a legend entry with no data"),
    "coloured trace without its code": (_set(["spend", "data", 1, "meta"], None), None, "does not name the code"),
    "two codes in one colour": (_set(["spend", "data", 1, "marker", "color"], "#2f6fde"), None, "share one colour #2f6fde"),
    "partial week shown as complete": (
        _set(["weeks", "layout", "xaxis", "ticktext"], ["05-25", "06-01"]), None, "partial weekly period 2026-06-01 is shown as complete",
    ),
    "partial week on a chart that does not say so": (
        # without its source the published days decide: the week of 05-25 starts before them (06-03..06-04)
        _set(["weeks", "attrs"], {}), None, "partial weekly period 2026-05-25 is shown as complete",
    ),
    "toolbar over the chart": (lambda charts: None, "{displaylogo: false}", "toolbar (modebar) covers"),
}  # fmt: skip


@pytest.mark.parametrize("case", BROKEN_CHARTS, ids=list(BROKEN_CHARTS))
def test_each_misleading_chart_is_caught(browser, kpi_db, plotly_asset, tmp_path, case):
    change, config, expected = BROKEN_CHARTS[case]
    path = plotly_page(tmp_path, plotly_asset, charts_with(change), config or NO_TOOLBAR)
    problems = check_page(browser, path, kpi_db, timeout_ms=5000).problems()
    assert any(expected in p for p in problems), problems


def test_a_colour_that_moves_between_pages_is_caught(browser, kpi_db, plotly_asset, tmp_path):
    """Colours by order of appearance: once platform c appears before a and b, a and b change colour."""
    palette = ["#2f6fde", "#e8743b", "#19a979"]

    def by_order(platforms):
        def change(charts):
            charts["spend"]["data"] = [
                {"type": "bar", "name": p, "meta": f"platform:{p}", "marker": {"color": palette[i]},
                 "x": ["2026-06-03"], "y": [i + 1]} for i, p in enumerate(platforms)
            ]  # fmt: skip

        return change

    before = check_page(
        browser, plotly_page(tmp_path, plotly_asset, charts_with(by_order("ab")), name="a.html"), kpi_db
    )
    after = check_page(
        browser, plotly_page(tmp_path, plotly_asset, charts_with(by_order("cab")), name="b.html"), kpi_db
    )
    assert before.problems() == [] and after.problems() == []
    assert colour_problems([before, before]) == []
    problems = colour_problems([before, after])
    assert any("'platform:a'" in p and "#2f6fde on a.html#spend" in p for p in problems), problems


# What moved and why: GMV 1,234,567.89 (06-03) -> 56,789.50 (06-04) in kpi_db, its tile's change against the day
# before (−95.4 %) and the waterfall explaining it: the day before, two drivers (−1,000,000 and −177,778.39), the day.
GMV_TILE = """<div class="kpi" data-metric="gmv" data-source="rpt_kpi_daily.gmv" data-key="report_date=2026-06-04"
data-value="56789.5"><div class="name">GMV</div><div class="value">¥56,790</div><span class="delta down"
data-compare="vs_previous_daily" data-before="1234567.89" data-before-key="report_date=2026-06-03">较前一日
<b>−95.4%</b></span></div>"""
WATERFALL = {
    "moved_gmv": {
        "attrs": {"data-metric": "gmv", "data-compare": "vs_previous_daily"},
        "data": [{"type": "waterfall", "x": ["before", "active_buyers", "aov", "now"],
                  "y": [1234567.89, -1000000, -177778.39, 56789.5],
                  "measure": ["absolute", "relative", "relative", "total"]}],
        "layout": {"showlegend": False, "xaxis": {"type": "category", "tickmode": "array",
                   "tickvals": ["before", "active_buyers", "aov", "now"],
                   "ticktext": ["前一日 2026-06-03", "活跃买家", "平均订单金额 AOV", "当日 2026-06-04"]}},
    },
}  # fmt: skip


def test_a_waterfall_adding_up_to_its_tiles_change_passes(browser, kpi_db, plotly_asset, tmp_path):
    result = check_page(browser, plotly_page(tmp_path, plotly_asset, WATERFALL, body=GMV_TILE), kpi_db)
    assert result.problems() == []
    (chart,) = result.drawn
    assert [s["level"] for s in chart["traces"][0]["steps"]][-1] == pytest.approx(56789.5)


BROKEN_WATERFALLS = {
    "bars that do not add up to the change": (
        _set(["moved_gmv", "data", 0, "y", 2], -177778.0), GMV_TILE, "its bars add up to",
    ),
    "a start that is not the tile's earlier value": (
        _set(["moved_gmv", "data", 0, "y", 0], 1234000.0), GMV_TILE, "starts at 1234000,",
    ),
    "a tile whose change is against another value than the table's": (
        lambda charts: None, GMV_TILE.replace('data-before="1234567.89"', 'data-before="1234000"'), "data-before '1234000'",
    ),
    "a tile showing another change": (lambda charts: None, GMV_TILE.replace("−95.4%", "−94.5%"), "the tile shows the change"),
    "a waterfall without its tile": (lambda charts: None, "", "no KPI tile 'gmv'"),
    "a waterfall without a total bar": (
        _set(["moved_gmv", "data", 0, "measure", 3], "relative"), GMV_TILE, "not an absolute bar, changes and a total bar",
    ),
}  # fmt: skip


@pytest.mark.parametrize("case", BROKEN_WATERFALLS, ids=list(BROKEN_WATERFALLS))
def test_each_waterfall_that_does_not_explain_its_tile_is_caught(
    browser, kpi_db, plotly_asset, tmp_path, case
):
    change, tile, expected = BROKEN_WATERFALLS[case]
    charts = copy.deepcopy(WATERFALL)
    change(charts)
    problems = check_page(browser, plotly_page(tmp_path, plotly_asset, charts, body=tile), kpi_db).problems()
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
    # the page opens with what moved and why: a waterfall per explained KPI, each checked against its tile
    waterfalls = {c["metric"] for c in result.drawn if any(t["type"] == "waterfall" for t in c["traces"])}
    assert waterfalls == {"gmv", "new_users", "cac", "blended_roas"}
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


def first_and_last_pages(reports: Path) -> list[Path]:
    return [
        p
        for period in ("daily", "weekly", "monthly")
        for p in dict.fromkeys(pages(reports, period)[:1] + pages(reports, period)[-1:])
    ]


def test_every_code_keeps_its_colour_across_charts_and_pages(reports, checked):
    results = [checked(p) for p in first_and_last_pages(reports)]
    codes = {code for r in results for code in r.colours()}
    assert len({c.split(":")[0] for c in codes}) >= 5, (
        codes
    )  # platforms, social platforms, states, models, metrics
    assert colour_problems(results) == []


def test_adding_a_platform_moves_no_other_platforms_colour(
    demo_pipeline, reports, published, checked, browser, tmp_path
):
    """The last day rebuilt from a copy of the publication without the ad platform that spent most (as it was
    before that platform was added): every other platform keeps its colour and its label."""
    daily = reports / "daily" / f"{LAST_DAY}.html"
    dropped = published.execute(
        """select platform from reports.rpt_campaign_roi_daily where platform is not null
           and report_date > ? - interval 30 day group by 1 order by sum(spend) desc, 1 limit 1""",
        [LAST_DAY],
    ).fetchone()[0]
    before = tmp_path / "published"
    before.mkdir()
    shutil.copy(demo_pipeline["data"] / "published" / "growthmart.duckdb", before / "growthmart.duckdb")
    shutil.copytree(demo_pipeline["data"] / "published" / "run_records", before / "run_records")
    con = duckdb.connect(str(before / "growthmart.duckdb"))
    con.execute("delete from reports.rpt_campaign_roi_daily where platform = ?", [dropped])
    con.close()
    from growthmart.report import build_reports

    (page,) = build_reports(before, period="daily", day=LAST_DAY, lang="zh")[:1]
    con = duckdb.connect(str(before / "growthmart.duckdb"), read_only=True)
    try:
        without = check_page(browser, page, con)
    finally:
        con.close()
    with_it = checked(daily)
    assert without.problems() == [], without.problems()
    assert f"platform:{dropped}" in with_it.colours() and f"platform:{dropped}" not in without.colours()
    assert len([c for c in without.colours() if c.startswith("platform:")]) >= 3
    assert colour_problems([with_it, without]) == []
