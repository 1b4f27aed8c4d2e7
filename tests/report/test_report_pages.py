"""The static HTML reports without a browser: the pages the session's demo run published (tests/conftest.py
demo_pipeline), parsed with html.parser and compared with the published DuckDB. The headless-Chromium test is
tests/report/test_report_browser.py."""

import json
import os
import shutil
import subprocess
import sys
from collections import Counter
from datetime import date, timedelta
from html.parser import HTMLParser
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from assets.publish.html_reports import report_scope
from growthmart.report import MAX_PAGE_BYTES, build_reports
from growthmart.report.data import RETENTION_DAYS

ROOT = Path(__file__).resolve().parents[2]
LAST_DAY = date(2026, 6, 4)  # the demo run's last day (tests/conftest.py DEMO_RUN)
REQUIRED_METRICS = {
    "new_users", "active_users", "mau", "gmv", "net_revenue", "arppu", "spend", "cac", "blended_roas", "d1_retention",
    "d7_retention",
}  # fmt: skip
CHARTS = {
    "kpi_trend", "retention_heatmap", "funnel", "cac_ltv", "campaign_roi", "spend_platform", "top_content",
    "lifecycle", "attribution", "brand_negative", "moved_gmv", "moved_new_users", "moved_cac", "moved_blended_roas",
}  # fmt: skip


class Page(HTMLParser):
    """What the tests read from a page: tiles, charts, the quality panel, references, embedded chart specs."""

    def __init__(self, text: str):
        super().__init__()
        self.html_lang = None
        self.tiles: list[dict] = []
        self.deltas: list[
            dict
        ] = []  # a tile's changes (span.delta), with the tile's data-metric and data-value
        self.charts: dict[str, dict] = {}
        self.quality: dict | None = None
        self.sections: list[dict] = []  # <section>s in page order
        self.alerts: list[dict] = []  # rows of the alerts section
        self.incidents: list[dict] = []
        self.recommendations: list[dict] = []  # rows of the recommendations section
        self.phases: list[tuple[str, str]] = []  # (activity, phase) of the activity rows in page order
        self.details: list[dict] = []  # <details> elements (attributes) in page order
        self.figures: list[str] = []  # each figure's text (title, no-data text, note)
        self._figure: list[str] | None = None
        self.text: list[str] = []
        self.refs: list[str] = []
        self.links: list[str] = []
        self._in_specs = False
        self.specs_text = ""
        self.feed(text)
        self.specs = json.loads(self.specs_text) if self.specs_text else {}

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        classes = (a.get("class") or "").split()
        if tag == "html":
            self.html_lang = a.get("lang")
        if "kpi" in classes:
            self.tiles.append(a)
        if tag == "span" and "delta" in classes and "data-compare" in a:
            self.deltas.append(
                {**a, "metric": self.tiles[-1]["data-metric"], "value": self.tiles[-1]["data-value"]}
            )
        if "chart" in classes and "data-chart" in a:
            self.charts[a["data-chart"]] = a
        if a.get("id") == "data-quality":
            self.quality = a
        if tag == "section":
            self.sections.append(a)
        if tag == "tr" and "data-alert-id" in a:
            self.alerts.append(a)
        if tag == "tr" and "data-incident-id" in a:
            self.incidents.append(a)
        if tag == "tr" and "data-rule" in a:
            self.recommendations.append(a)
        if tag == "tr" and "data-phase" in a:
            self.phases.append((a["data-activity"], a["data-phase"]))
        if tag == "details":
            self.details.append({**a, "in_section": self.sections[-1].get("id") if self.sections else None})
        if tag == "figure":
            self._figure = []
        for attr in ("src", "href", "srcset", "poster", "data"):
            # a hyperlink to a web page (a mention's post) loads nothing until clicked: not a reference
            if a.get(attr) and not (tag == "a" and a[attr].startswith(("http:", "https:"))):
                self.refs.append(a[attr])
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        if tag == "script" and a.get("id") == "chart-specs":
            self._in_specs = True

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_specs = False
        if tag == "figure" and self._figure is not None:
            self.figures.append("".join(self._figure))
            self._figure = None

    def handle_data(self, data):
        if self._in_specs:
            self.specs_text += data
            return
        self.text.append(data)
        if self._figure is not None:
            self._figure.append(data)


def read(path: Path) -> Page:
    return Page(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def data(demo_pipeline) -> Path:
    assert demo_pipeline["code"] == 0, demo_pipeline["summary"][-3000:]
    return demo_pipeline["data"]


@pytest.fixture(scope="module")
def reports(data) -> Path:
    return data / "published" / "reports"


@pytest.fixture(scope="module")
def published(data):
    con = duckdb.connect(str(data / "published" / "growthmart.duckdb"), read_only=True)
    yield con
    con.close()


def expected_pages(published) -> set[str]:
    q = "select strftime({c}, '{f}') from reports.{t}"
    pages = {f"daily/{r[0]}.html" for r in published.execute(q.format(c="report_date", f="%Y-%m-%d", t="rpt_kpi_daily")).fetchall()}  # fmt: skip
    pages |= {f"weekly/{r[0]}.html" for r in published.execute(q.format(c="week_start", f="%Y-%m-%d", t="rpt_kpi_weekly")).fetchall()}  # fmt: skip
    pages |= {f"monthly/{r[0]}.html" for r in published.execute(q.format(c="month_start", f="%Y-%m", t="rpt_kpi_monthly")).fetchall()}  # fmt: skip
    return pages


def test_the_run_leaves_a_page_for_every_period_and_an_index_listing_them(demo_pipeline, reports, published):
    pages = expected_pages(published)
    assert len(pages) == 35 + 6 + 2  # 2026-05-01..06-04: 35 days, ISO weeks from 04-27 to 06-01, May and June
    have = {str(p.relative_to(reports)) for p in reports.glob("*/*.html")}
    assert have == pages
    index = read(reports / "index.html")
    assert set(index.links) >= pages
    assert "../data_docs/index.html" in index.links
    assert f"report index: {reports / 'index.html'}" in demo_pipeline["summary"]


def test_pages_are_small_and_load_nothing_from_the_network(reports):
    pages = list(reports.rglob("*.html"))
    assert pages
    for path in pages:
        assert path.stat().st_size <= MAX_PAGE_BYTES, path
        text = path.read_text(encoding="utf-8")
        page = Page(text)
        remote = [r for r in page.refs if r.startswith(("http:", "https:", "//"))]
        assert not remote, (path, remote)
        assert "@import" not in text and "url(http" not in text and "@font-face" not in text, path
        for ref in page.refs:  # every local reference resolves (the chart library beside the pages)
            target = (path.parent / ref.split("#")[0]).resolve()
            assert target.exists() or ref.endswith("data_docs/index.html"), (path, ref)
    scripts = [r for r in read(reports / "daily" / f"{LAST_DAY}.html").refs if r.endswith(".js")]
    assert scripts == [f"../assets/{next((reports / 'assets').glob('plotly-*.min.js')).name}"]


def test_tiles_show_the_published_cells(reports, published):
    checked = 0
    for path in sorted(reports.glob("*/*.html")):
        page = read(path)
        metrics = {t["data-metric"] for t in page.tiles}
        assert metrics >= (REQUIRED_METRICS if "daily" in path.parts else REQUIRED_METRICS - {"mau"}), path
        for tile in page.tiles:
            table, column = tile["data-source"].split(".")
            keycol, key = tile["data-key"].split("=")
            rows = published.execute(
                f"select {column} from reports.{table} where {keycol} = ?", [date.fromisoformat(key)]
            ).fetchall()
            assert len(rows) == 1, (path, tile)
            cell = rows[0][0]
            if cell is None:
                assert tile["data-value"] == "", (path, tile)
            else:
                assert float(tile["data-value"]) == pytest.approx(float(cell), rel=1e-9, abs=0), (path, tile)
            checked += 1
    assert checked > 400


def test_every_chart_is_drawn_from_an_embedded_spec_or_says_it_has_no_data(reports):
    page = read(reports / "daily" / f"{LAST_DAY}.html")
    assert set(page.charts) == CHARTS
    for chart_id, attrs in page.charts.items():
        if attrs.get("data-rendered") == "empty":
            assert chart_id not in page.specs
        else:
            assert page.specs[chart_id]["data"], chart_id
    assert not [c for c, a in page.charts.items() if a.get("data-rendered") == "empty" and c != "top_content"]


def test_immature_retention_cells_are_blank_not_zero(reports, published):
    page = read(reports / "daily" / f"{LAST_DAY}.html")
    heat = page.specs["retention_heatmap"]["data"][0]
    cohorts, columns = heat["y"], heat["x"]
    assert columns == [f"D{n}" for n in RETENTION_DAYS]
    blanks = 0
    for cohort, row, text_row in zip(cohorts, heat["z"], heat["text"], strict=True):
        for n, value, text in zip(RETENTION_DAYS, row, text_row, strict=True):
            mature, retained, size = published.execute(
                """select bool_and(is_complete), sum(retained_users), sum(cohort_size)
                   from reports.rpt_retention_cohorts where cohort_date = ? and day_n = ?""",
                [date.fromisoformat(cohort), n],
            ).fetchone()
            if not mature:
                assert value is None and text == "", (cohort, n, value)
                blanks += 1
            else:
                assert value == pytest.approx(retained / size), (cohort, n)
                assert text.endswith("%")
    assert blanks > 0  # the last 30 days' D30 cells at least


def test_the_quality_panel_shows_the_publishing_runs_checks(demo_pipeline, reports, published):
    panel = read(reports / "daily" / f"{LAST_DAY}.html").quality
    summary = demo_pipeline["summary"]
    line = next(s for s in summary.splitlines() if "checks evaluated:" in s)
    passed = int(line.split(":")[1].split("passed")[0].strip())
    assert int(panel["data-checks-passed"]) == passed
    assert panel["data-checks-failed"] == "0"
    assert int(panel["data-checks-warned"]) == int(line.split("failed,")[1].split("warned")[0])
    assert panel["data-rows-quarantined"] == "0"
    run_id = published.execute("select any_value(run_id) from main.publication").fetchone()[0]
    record = json.loads((reports.parent / "run_records" / f"{run_id}.json").read_text(encoding="utf-8"))
    assert {s for s, _, _ in record["freshness"]} >= {"app_users", "app_orders", "fx_rates"}
    text = (reports / "daily" / f"{LAST_DAY}.html").read_text(encoding="utf-8")
    assert "reports.rpt_kpi_daily" in text  # what was published is listed


def copy_publication(data: Path, target: Path) -> Path:
    published = target / "published"
    published.mkdir(parents=True)
    shutil.copy(data / "published" / "growthmart.duckdb", published / "growthmart.duckdb")
    shutil.copytree(data / "published" / "run_records", published / "run_records")
    return published


def test_both_languages_render(data, tmp_path, monkeypatch):
    published = copy_publication(data, tmp_path)
    en = build_reports(published, period="daily", day=LAST_DAY, lang="en")
    page = en[0].read_text(encoding="utf-8")
    assert (
        Page(page).html_lang == "en" and "Daily report" in page and "New users" in page and "日报" not in page
    )
    monkeypatch.delenv("GROWTHMART_REPORT_LANG", raising=False)
    zh = build_reports(published, period="daily", day=LAST_DAY)[0].read_text(encoding="utf-8")  # default zh
    assert Page(zh).html_lang == "zh-CN" and "日报" in zh and "新增用户" in zh
    monkeypatch.setenv("GROWTHMART_REPORT_LANG", "en")
    assert "Daily report" in build_reports(published, period="daily", day=LAST_DAY)[0].read_text(
        encoding="utf-8"
    )
    monkeypatch.setenv("GROWTHMART_REPORT_LANG", "fr")
    with pytest.raises(ValueError):
        build_reports(published, period="daily", day=LAST_DAY)


def test_make_report_builds_one_date_from_the_publication_alone(data, tmp_path):
    """`make report DATE=...` runs `python -m growthmart.report --date ...`: no pipeline, no warehouse."""
    published = copy_publication(data, tmp_path / "data")
    env = {**os.environ, "GROWTHMART_DATA_DIR": str(tmp_path / "data"), "GROWTHMART_REPORT_LANG": "en"}
    proc = subprocess.run(
        [sys.executable, "-m", "growthmart.report", "--date", "2026-05-20"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    pages = {str(p.relative_to(published / "reports")) for p in (published / "reports").glob("*/*.html")}
    assert pages == {"daily/2026-05-20.html", "weekly/2026-05-18.html", "monthly/2026-05.html"}
    assert (published / "reports" / "index.html").exists()
    assert not (tmp_path / "data" / "warehouse.duckdb").exists()
    panel = read(published / "reports" / "daily" / "2026-05-20.html").quality
    assert int(panel["data-checks-passed"]) > 0  # from the run record, not from the pipeline
    missing = subprocess.run(
        [sys.executable, "-m", "growthmart.report", "--date", "2030-01-01"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert missing.returncode == 1 and "no published period contains 2030-01-01" in missing.stderr


def test_a_nightly_run_rebuilds_only_its_days_pages(data, reports, monkeypatch):
    """The daily job run for one partition (as the nightly schedule starts it), restricted to the report step:
    only that day's page, its week's and month's and the index are written; a weekly report run writes its week."""
    from assets.publish import REPORTS_KEY
    from orchestration.definitions import build_definitions
    from orchestration.jobs import DAILY_PIPELINE_JOB, WEEKLY_REPORT_JOB

    monkeypatch.setenv("GROWTHMART_DATA_DIR", str(data))
    before = {p: p.stat().st_mtime_ns for p in reports.rglob("*.html")}
    job = build_definitions().resolve_job_def(DAILY_PIPELINE_JOB)
    with dg.DagsterInstance.ephemeral() as instance:
        result = job.execute_in_process(
            instance=instance, partition_key="2026-05-13", asset_selection=[REPORTS_KEY]
        )
    assert result.success
    changed = {str(p.relative_to(reports)) for p, stamp in before.items() if p.stat().st_mtime_ns != stamp}
    assert changed == {
        "daily/2026-05-13.html",
        "weekly/2026-05-11.html",
        "monthly/2026-05.html",
        "index.html",
    }

    # The weekly report job as its schedule starts it (the job's cadence tag + the schedule's report_through).
    before = {p: p.stat().st_mtime_ns for p in reports.rglob("*.html")}
    job = build_definitions().resolve_job_def(WEEKLY_REPORT_JOB)
    with dg.DagsterInstance.ephemeral() as instance:
        result = job.execute_in_process(
            instance=instance, tags={"growthmart/report_through": "2026-05-31"}, asset_selection=[REPORTS_KEY]
        )
    assert result.success
    changed = {str(p.relative_to(reports)) for p, stamp in before.items() if p.stat().st_mtime_ns != stamp}
    assert changed == {"weekly/2026-05-25.html", "index.html"}


def test_report_runs_rebuild_the_page_of_their_period():
    assert report_scope({"dagster/partition": "2026-05-13"}) == {
        "range": (date(2026, 5, 13), date(2026, 5, 13))
    }
    assert report_scope(
        {
            "dagster/asset_partition_range_start": "2026-05-01",
            "dagster/asset_partition_range_end": "2026-06-04",
        }
    ) == {"range": (date(2026, 5, 1), date(2026, 6, 4))}
    assert report_scope({"growthmart/cadence": "weekly", "growthmart/report_through": "2026-05-31"}) == {
        "period": "weekly",
        "day": date(2026, 5, 31),
    }
    assert report_scope({}) == {}


def test_the_panel_counts_the_quarantine_of_the_pages_days_and_says_when_no_record_exists(data, tmp_path):
    from growthmart.report import write_run_record

    published = copy_publication(data, tmp_path)
    con = duckdb.connect(str(published / "growthmart.duckdb"), read_only=True)
    run_id = con.execute("select any_value(run_id) from main.publication").fetchone()[0]
    con.close()
    write_run_record(
        published,
        run_id,
        checks_passed=["a / ok"],
        checks_failed=["raw/fx_rates / ge_fx_rates"],
        checks_warned=[],
        quarantine=[
            (date(2026, 6, 3), "app_orders", "amount < 0: '<value>'", 2),
            (date(2026, 6, 4), "app_orders", "amount < 0: '<value>'", 3),
            (date(2026, 6, 4), "fx_rates", "missing rate", 1),
        ],
        freshness=[("app_orders", date(2026, 6, 4), "2026-06-05T01:00:00")],
    )
    day = build_reports(published, period="daily", day=LAST_DAY, lang="en")[0]
    panel = read(day).quality
    assert (panel["data-rows-quarantined"], panel["data-checks-failed"], panel["data-checks-passed"]) == (
        "4",
        "1",
        "1",
    )
    assert "raw/fx_rates / ge_fx_rates" in day.read_text(encoding="utf-8")
    week = build_reports(published, period="weekly", day=LAST_DAY, lang="en")[0]
    assert read(week).quality["data-rows-quarantined"] == "6"  # 2026-06-01..07 holds all three days

    (published / "run_records" / f"{run_id}.json").unlink()
    day = build_reports(published, period="daily", day=LAST_DAY, lang="en")[0]
    assert read(day).quality["data-checks-passed"] == ""
    assert "no run record" in day.read_text(encoding="utf-8")


def test_a_days_alerts_open_its_page_and_the_demo_incident_is_on_its_first_day(reports, published):
    """The demo's product-quality incident (tools/demo/market.py) starts on INCIDENT_PLATFORM on its start day: that
    day's page opens with its alerts, the incident among them, most severe first; the brand section lists it."""
    from tools.demo.market import INCIDENT_PLATFORM, OWN_BRAND, incident_start_day

    start = date(2026, 5, 1) + timedelta(days=incident_start_day(35))
    page = read(reports / "daily" / f"{start}.html")
    assert page.sections[0]["id"] == "alerts"
    want = published.execute(
        "select alert_id, kind, severity from reports.rpt_alerts where alert_date = ?", [start]
    ).fetchall()
    assert int(page.sections[0]["data-alerts"]) == len(want) > 0
    shown = [(a["data-alert-id"], a["data-kind"], a["data-severity"]) for a in page.alerts]
    assert sorted(shown) == sorted(want)
    severities = [s for _, _, s in shown]
    assert severities == sorted(severities, key=["critical", "warning"].index)
    incident = [a for a in page.alerts if a["data-kind"] == "incident"]
    assert incident, shown
    (row,) = [
        i for i in page.incidents if i["data-platform"] == INCIDENT_PLATFORM and i["data-start"] == str(start)
    ]
    assert row["data-brand"] == OWN_BRAND.name
    before = read(reports / "daily" / f"{start - timedelta(days=1)}.html")
    assert not [a for a in before.alerts if a["data-kind"] == "incident"]


def test_competitor_section_shows_the_pages_week(reports, published):
    page = read(reports / "daily" / f"{LAST_DAY}.html")
    (section,) = [s for s in page.sections if s.get("id") == "competitors"]
    week = date.fromisoformat(section["data-week"])
    assert week == LAST_DAY - timedelta(days=LAST_DAY.weekday())
    brands = published.execute(
        "select count(*) from reports.rpt_competitor_weekly where week_start = ?", [week]
    ).fetchone()[0]
    assert brands == 4  # ours and the three competitors of tools/demo/market.py


def all_pages(reports: Path) -> list[Path]:
    return sorted(reports.glob("*/*.html"))


def test_top_content_has_one_bar_per_item_ranked_and_no_two_labels_alike(reports, published):
    """The issue's fault: two items of one title and platform merged into one bar. Each bar is a content id, the
    labels people read are distinct, bars are ranked by attributed signups, and the demo has such twins."""
    twins = 0
    for path in all_pages(reports):
        spec = read(path).specs.get("top_content")
        if not spec:
            continue
        bar = spec["data"][0]
        ids, values, axis = bar["y"], bar["x"], spec["layout"]["yaxis"]
        assert len(set(ids)) == len(ids) and axis["tickvals"] == ids, path
        assert len(set(axis["ticktext"])) == len(ids), (path, axis["ticktext"])
        assert values == sorted(values), (path, values)  # drawn bottom-up: the most signups on top
        items = published.execute(
            "select title, platform from reports.rpt_content_items where list_contains(?, content_id)", [ids]
        ).fetchall()
        assert len(items) == len(ids), path
        twins += len(set(items)) < len(items)
    assert twins > 0, "no page shows two items of one title and platform: the case is not exercised"


def test_activity_phases_in_their_published_order(reports, published):
    order = dict(
        published.execute(
            "select phase, min(phase_order) from reports.rpt_activity_review group by 1"
        ).fetchall()
    )
    assert [p for p, _ in sorted(order.items(), key=lambda x: x[1])] == ["warmup", "peak", "wrapup", "total"]
    shown = 0
    for path in all_pages(reports):
        rows = read(path).phases
        for (a1, p1), (a2, p2) in zip(rows, rows[1:], strict=False):
            if a1 == a2:
                assert order[p1] < order[p2], (path, a1, p1, p2)
        assert len({a for a, _ in rows}) == len(
            [a for i, (a, _) in enumerate(rows) if i == 0 or rows[i - 1][0] != a]
        ), path
        shown += len(rows)
    assert shown > 0


def test_an_ltv_not_mature_is_said_not_drawn_as_an_empty_legend_entry(reports, published):
    page = read(reports / "daily" / f"{LAST_DAY}.html")
    spec = page.specs["cac_ltv"]
    for trace in spec["data"]:
        assert any(v is not None for v in trace["y"]), trace["name"]
    names = {trace["name"] for trace in spec["data"]}
    assert "LTV 90天" not in names  # the demo's 35 days: no acquisition month is 90 days old
    (figure,) = [f for f in page.figures if "CAC 与 LTV" in f]
    assert "LTV 90天" in figure and "尚未成熟" in figure


def test_partial_periods_are_marked_or_left_out(reports, published):
    incomplete = {
        r[0].isoformat()
        for r in published.execute(
            "select week_start from reports.rpt_user_lifecycle_weekly where not is_complete"
        ).fetchall()
    }
    assert incomplete, "the demo's last week is not over: the case is not exercised"
    page = read(reports / "daily" / f"{LAST_DAY}.html")
    assert not incomplete & set(page.specs["lifecycle"]["data"][0]["x"])
    assert page.charts["lifecycle"]["data-x-period"] == "weekly"
    (figure,) = [f for f in page.figures if "用户生命周期" in f]
    assert "未完整的周未显示" in figure
    weekly = read(reports / "weekly" / "2026-06-01.html").specs["kpi_trend"]["layout"]["xaxis"]
    partial_weeks = {
        r[0].isoformat()
        for r in published.execute(
            "select week_start from reports.rpt_kpi_weekly where not is_complete"
        ).fetchall()
    }
    for key, text in zip(weekly["tickvals"], weekly["ticktext"], strict=True):
        assert text.endswith("*") == (key in partial_weeks), (key, text)


def test_the_quality_panel_folds_the_engineers_detail(reports):
    page = read(reports / "daily" / f"{LAST_DAY}.html")
    folded = [d for d in page.details if d["in_section"] == "data-quality"]
    assert len(folded) == 1 and "open" not in folded[0]
    assert page.sections[-1]["id"] == "data-quality"  # the foot of the page


def test_the_index_opens_on_the_latest_periods_then_the_archive_by_month(reports, published):
    text = (reports / "index.html").read_text(encoding="utf-8")
    index = read(reports / "index.html")
    assert [s["id"] for s in index.sections] == ["overview", "archive"]
    latest = [link for link in index.links if not link.startswith("../")][:3]
    assert latest == ["daily/2026-06-04.html", "weekly/2026-06-01.html", "monthly/2026-06.html"]
    assert text.count("<polyline") >= 6  # a sparkline per overview KPI
    months = [d["data-month"] for d in index.details]
    assert months == ["2026-06", "2026-05", "2026-04"] and not any("open" in d for d in index.details)


def test_pages_open_with_what_moved_and_why_then_the_recommendations(reports):
    for path in (f"daily/{LAST_DAY}.html", "weekly/2026-06-01.html", "monthly/2026-06.html"):
        ids = [s.get("id") for s in read(reports / path).sections]
        assert ids[:3] == ["alerts", "moved", "recommendations"], (path, ids)
    first = read(reports / "daily" / "2026-05-01.html")
    (moved,) = [s for s in first.sections if s.get("id") == "moved"]
    assert "data-previous-period-start" not in moved and not [
        c for c in first.charts if c.startswith("moved_")
    ]


def test_each_waterfall_draws_the_published_drivers_and_adds_up_to_their_change(reports, published):
    """Before, the largest contributions (the rest as one 'others' bar), now: the published cells, adding up to the
    published change (the browser test ties the same bars to the KPI tile)."""
    from growthmart.report.explain import TOP_DRIVERS

    pages = {
        "daily": f"daily/{LAST_DAY}.html",
        "weekly": "weekly/2026-06-01.html",
        "monthly": "monthly/2026-06.html",
    }
    starts = {"daily": LAST_DAY, "weekly": date(2026, 6, 1), "monthly": date(2026, 6, 1)}
    others = 0
    for kind, path in pages.items():
        page = read(reports / path)
        for metric in ("gmv", "new_users", "cac", "blended_roas"):
            rows = published.execute(
                """select value_before, value_now, value_change, contribution from reports.rpt_kpi_drivers
                   where period_type = ? and period_start = ? and metric = ?""",
                [{"daily": "day", "weekly": "week", "monthly": "month"}[kind], starts[kind], metric],
            ).fetchall()
            assert rows, (path, metric)
            trace = page.specs[f"moved_{metric}"]["data"][0]
            measure, y = trace["measure"], trace["y"]
            assert measure[0] == "absolute" and measure[-1] == "total" and set(measure[1:-1]) <= {"relative"}
            before, now, change = rows[0][:3]
            assert y[0] == pytest.approx(before, rel=1e-12) and y[-1] == pytest.approx(now, rel=1e-12)
            assert sum(y[1:-1]) == pytest.approx(change, rel=1e-9, abs=1e-9), (path, metric)
            parts = sorted((c for *_, c in rows if c), key=abs, reverse=True)
            assert len(y) - 2 == min(len(parts), TOP_DRIVERS), (path, metric)
            shown = y[1:-1] if len(parts) <= TOP_DRIVERS else y[1:-2]
            rest = list(parts)
            for value in shown:  # each bar is a published contribution, none smaller than one left out
                rest.remove(next(c for c in rest if c == pytest.approx(value, rel=1e-12)))
            assert not rest or min(map(abs, shown)) >= max(map(abs, rest)), (path, metric)
            others += trace["x"][-2] == "others"
    assert others > 0, "no waterfall has an 'others' bar: the case is not exercised"


def test_a_tiles_change_is_coloured_by_what_it_does_to_the_business(reports):
    """Green for a rise, red for a fall, except CAC: cheaper customers are good news (as its waterfall colours it)."""
    tones = Counter()
    for path in sorted((reports / "daily").glob("*.html"))[-7:]:
        for delta in read(path).deltas:
            classes = delta["class"].split()
            if "up" not in classes and "down" not in classes:  # flat, or no earlier value to compare with
                assert "good" not in classes and "bad" not in classes, (path.name, delta)
                continue
            rising = "up" in classes
            assert rising == (float(delta["value"]) > float(delta["data-before"])), (path.name, delta)
            good = rising != (delta["metric"] == "cac")
            assert ("good" if good else "bad") in classes, (path.name, delta)
            tones[delta["metric"] == "cac", good] += 1
    assert tones[True, True] and tones[True, False] and tones[False, True], tones  # every case is exercised


def test_recommendations_are_the_published_ones_of_the_period_each_once(reports, published):
    def shown(path: str) -> list[tuple]:
        return [
            (r["data-rule"], r["data-subject"], r["data-date"]) for r in read(reports / path).recommendations
        ]

    day = published.execute(
        """select rule_id, subject, cast(report_date as varchar) from reports.rpt_recommendations
           where report_date = ? order by priority, rule_id, subject""",
        [LAST_DAY],
    ).fetchall()
    assert day and shown(f"daily/{LAST_DAY}.html") == day
    month = published.execute(
        """select rule_id, subject, cast(max(report_date) as varchar), min(priority), count(*)
           from reports.rpt_recommendations where report_date between '2026-05-01' and '2026-05-31' group by 1, 2"""
    ).fetchall()
    got = shown("monthly/2026-05.html")
    assert sorted(got) == sorted(r[:3] for r in month)
    assert max(r[4] for r in month) > 1, "no subject fired on two days of May: the case is not exercised"
    priority = {r[0]: r[3] for r in month}
    assert [priority[r[0]] for r in got] == sorted(priority[r[0]] for r in got)
