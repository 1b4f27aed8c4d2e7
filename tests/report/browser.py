"""Checks an HTML report page in headless Chromium against the page contract (README "Reports"): it loads offline
with no console error, uncaught exception or failed request, every chart draws, every KPI tile shows the number
stored in the published DuckDB, and what a manager reads is right: no two bars merged on one axis position or
reading the same label, ranked bars in order, no legend entry without data, every coloured trace naming the code it
stands for (`meta`, "<code type>:<code>") so a code's colour can be compared across charts and pages
(`colour_problems`), no partial period shown as complete, no chart toolbar over a chart, activity phases in
their published order, no raw code where the publication holds its label, the data-quality panel off the first
screen and its engineers' detail folded.

The browser is Debian's `chromium` package driven by Playwright (never a downloaded browser); `chromium_missing()`
says why a test has to be skipped when it is absent.
"""

from __future__ import annotations

import contextlib
import math
import os
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import unquote, urlparse

CHROMIUM = Path("/usr/bin/chromium")
# Schemes a page may load without leaving the machine.
LOCAL_SCHEMES = ("file:", "data:", "blob:", "about:")
IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def chromium_path() -> Path | None:
    if CHROMIUM.exists():
        return CHROMIUM
    found = shutil.which("chromium")
    return Path(found) if found else None


def chromium_missing() -> str | None:
    """None when Chromium is installed, else the reason the browser test is skipped."""
    if chromium_path() is not None:
        return None
    why = os.environ.get("GROWTHMART_CHROMIUM_MISSING") or (
        "Debian's chromium package is not installed (apt-get install chromium; .ci/run installs it)"
    )
    return f"Chromium is missing: no {CHROMIUM} and no chromium on PATH — {why}"


def cjk_font_missing() -> bool:
    """Without a CJK font Chromium draws Chinese labels as boxes: the test still runs, the screenshot is poorer."""
    try:
        out = subprocess.run(["fc-list", ":lang=zh"], capture_output=True, text=True, timeout=10).stdout
    except (OSError, subprocess.SubprocessError):
        return True
    return not out.strip()


def launch(playwright):
    """Headless Chromium from the system package; Playwright never downloads a browser here."""
    return playwright.chromium.launch(executable_path=str(chromium_path()), headless=True)


# --- what the page looks like after loading ---------------------------------------------------------------

CHARTS_SETTLED = """() => [...document.querySelectorAll('[data-chart]')]
    .every(e => e.dataset.rendered === 'true' || e.dataset.rendered === 'empty')"""

# For every chart: its state and, when drawn, whether a visible svg/canvas with a size and some ink is inside.
CHART_STATE = """() => [...document.querySelectorAll('[data-chart]')].map(el => {
  const visible = e => { const r = e.getBoundingClientRect(); const s = getComputedStyle(e);
    return r.width > 0 && r.height > 0 && s.visibility !== 'hidden' && s.display !== 'none' && +s.opacity !== 0; };
  const out = {id: el.dataset.chart, rendered: el.dataset.rendered ?? null, svg: 0, canvas: 0, inked: 0,
               text: (el.innerText || '').trim().slice(0, 200), visible: visible(el)};
  for (const svg of el.querySelectorAll('svg')) {
    if (!visible(svg)) continue;
    out.svg += 1;
    if (svg.querySelector('path, rect, circle, line, polyline, polygon, ellipse, text, image')) out.inked += 1;
  }
  for (const c of el.querySelectorAll('canvas')) {
    if (!visible(c) || c.width === 0 || c.height === 0) continue;
    out.canvas += 1;
    const blank = document.createElement('canvas'); blank.width = c.width; blank.height = c.height;
    let drawn;
    try { drawn = c.toDataURL() !== blank.toDataURL(); } catch (err) { drawn = true; /* tainted: something drew */ }
    if (drawn) out.inked += 1;
  }
  return out;
})"""

KPI_STATE = """() => [...document.querySelectorAll('.kpi')].map(el => {
  const r = el.getBoundingClientRect();
  const v = el.querySelector('[data-role=value], .kpi-value, .value');
  return {metric: el.dataset.metric ?? null, source: el.dataset.source ?? null, key: el.dataset.key ?? null,
          value: el.dataset.value ?? null, text: (el.innerText || '').trim(),
          shown: v ? (v.innerText || '').trim() : null, visible: r.width > 0 && r.height > 0,
          compares: [...el.querySelectorAll('[data-compare]')].map(c => ({compare: c.dataset.compare,
            before: c.dataset.before ?? null, beforeKey: c.dataset.beforeKey ?? null, text: (c.innerText || '').trim()}))};
})"""


# Per chart, what plotly drew: each trace's colour, the code it stands for (meta), the categories on its axis with
# the text shown for them, its values and each bar's pixel position; the chart's toolbar (modebar) and whether it
# covers the plot area, the legend, the title or a tick label.
CHART_DRAWN = """() => [...document.querySelectorAll('.chart[data-chart]')].map(el => {
  const L = el._fullLayout;
  const out = {id: el.dataset.chart, metric: el.dataset.metric ?? null, compare: el.dataset.compare ?? null,
               ranked: el.dataset.ranked ?? null, xPeriod: el.dataset.xPeriod ?? null,
               periodSource: el.dataset.periodSource ?? null, legend: !!(L && L.showlegend), traces: [], axes: {},
               modebar: null};
  if (!L || !el._fullData) return out;
  const axisKey = name => name.charAt(0) + 'axis' + name.slice(1);
  const axis = name => {
    const key = axisKey(name);
    if (!(key in out.axes)) {
      const ax = L[key] || {};
      let shown = null;
      if (ax.tickmode === 'array' && ax.tickvals) {
        shown = {};
        ax.tickvals.forEach((v, i) => { shown[String(v)] = String(ax.ticktext ? ax.ticktext[i] : v); });
      }
      out.axes[key] = {type: ax.type ?? null, shown};
    }
    return key;
  };
  el._fullData.forEach((t, i) => {
    const horizontal = t.orientation === 'h';
    const cat = horizontal ? t.yaxis : t.xaxis;
    const ax = cat ? L[axisKey(cat)] : null;
    const points = t.type === 'bar' ? ((el.calcdata && el.calcdata[i]) || []).map(p => ({
      position: p.p, size: p.s, pixel: ax && ax.l2p ? ax.l2p(p.p) : null})) : [];
    const color = (t.marker && t.marker.color) ?? (t.line && t.line.color) ?? null;
    out.traces.push({type: t.type, name: t.name ?? null, meta: t.meta ?? null, visible: t.visible === true,
      showlegend: t.showlegend === true, horizontal, color: Array.isArray(color) ? Array.from(color) : color,
      categories: Array.from((horizontal ? t.y : t.x) || [], String),
      values: Array.from((horizontal ? t.x : t.y) || [], v => (v === null || v === undefined) ? null : Number(v)),
      axis: cat ? axis(cat) : null, points,
      // a waterfall's bars as drawn: each bar's own value, the level it reaches, whether it is a sum
      steps: t.type === 'waterfall' ? ((el.calcdata && el.calcdata[i]) || []).map(p => ({
        value: Number(p.rawS), level: Number(p.s), sum: !!p.isSum})) : null,
      measure: t.measure ? Array.from(t.measure) : null});
  });
  const bar = el.querySelector('.modebar');
  if (bar) {
    const s = getComputedStyle(bar);
    const r = bar.getBoundingClientRect();
    const shown = s.display !== 'none' && s.visibility !== 'hidden' && r.width > 0 && r.height > 0;
    const hit = e => { const b = e.getBoundingClientRect();
      return b.width > 0 && b.height > 0 && r.left < b.right && b.left < r.right && r.top < b.bottom && b.top < r.bottom; };
    const covered = shown ? [...el.querySelectorAll('.nsewdrag, .legend, .gtitle, .xtick text, .ytick text, .colorbar')]
      .filter(hit).map(e => e.getAttribute('class') || e.tagName) : [];
    out.modebar = {shown, covered: [...new Set(covered)]};
  }
  return out;
})"""

# What the reader sees: the page's rendered text (closed <details> hidden) and every visible svg label; the
# activity rows in page order; where the data-quality panel starts and what it shows unfolded.
PAGE_TEXT = """() => {
  const svgText = [...document.querySelectorAll('svg text')].filter(t => {
    const r = t.getBoundingClientRect(); return r.width > 0 && r.height > 0; }).map(t => t.textContent);
  const dq = document.getElementById('data-quality');
  let quality = null;
  if (dq) {
    const r = dq.getBoundingClientRect();
    quality = {top: r.top + window.scrollY, height: r.height, text: dq.innerText,
               folded: [...dq.querySelectorAll('details')].filter(d => !d.open).length};
  }
  return {text: document.body.innerText, svg: svgText, viewport: window.innerHeight, quality,
          phases: [...document.querySelectorAll('tr[data-phase]')].map(r => [r.dataset.activity, r.dataset.phase])};
}"""

PARTIAL_MARK = "*"  # ends the axis label of a period the data does not cover whole (README "Reports")
ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
CODE_TOKEN = re.compile(r"[A-Za-z][A-Za-z0-9_]*")


@dataclass
class PageCheck:
    path: Path
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    external_requests: list[str] = field(default_factory=list)
    charts: list[dict] = field(default_factory=list)
    chart_problems: list[str] = field(default_factory=list)
    kpis: list[dict] = field(default_factory=list)
    kpi_problems: list[str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    lang: str | None = None
    drawn: list[dict] = field(default_factory=list)
    reading_problems: list[str] = field(default_factory=list)

    def problems(self) -> list[str]:
        return (
            [f"console error: {m}" for m in self.console_errors]
            + [f"uncaught exception: {m}" for m in self.page_errors]
            + [f"failed request: {m}" for m in self.failed_requests]
            + [f"request leaves file://: {m}" for m in self.external_requests]
            + self.chart_problems
            + self.kpi_problems
            + self.reading_problems
        )

    def colours(self) -> dict[str, set[tuple[str, str]]]:
        """code ("<code type>:<code>", a trace's meta) -> {(colour, chart)} over the page's charts."""
        out: dict[str, set[tuple[str, str]]] = {}
        for chart in self.drawn:
            for key, colour in trace_colours(chart):
                out.setdefault(key, set()).add((colour, f"{self.path.name}#{chart['id']}"))
        return out


def check_page(
    browser,
    path: Path,
    con=None,
    *,
    timeout_ms: int = 15_000,
    screenshot: Path | None = None,
    codes: dict[str, str] | None = None,
) -> PageCheck:
    """Load `path` from file:// and collect everything the contract forbids. `con`: a DuckDB connection to the
    published database to compare the KPI tiles, periods, phases and codes with (None skips those comparisons);
    `codes`: code -> its label, the codes a Chinese page must not show raw (default: labelled_codes(con))."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    result = PageCheck(path=path)
    context = browser.new_context(viewport={"width": 1280, "height": 900}, offline=True)
    try:
        page = context.new_page()

        def on_request(request):
            if not request.url.startswith(LOCAL_SCHEMES):
                result.external_requests.append(request.url)

        def on_route(route):  # never let anything reach the network, even if offline emulation missed it
            if route.request.url.startswith(LOCAL_SCHEMES):
                route.continue_()
            else:
                route.abort()

        page.on("console", lambda m: m.type == "error" and result.console_errors.append(m.text))
        page.on("pageerror", lambda e: result.page_errors.append(str(e)))
        page.on("request", on_request)
        page.on("requestfailed", lambda r: result.failed_requests.append(f"{r.url} ({r.failure})"))
        context.route("**/*", on_route)

        page.goto(path.resolve().as_uri(), wait_until="load", timeout=timeout_ms)
        with contextlib.suppress(PlaywrightTimeout):  # a chart that never settles is reported below, by name
            page.wait_for_function(CHARTS_SETTLED, timeout=timeout_ms)
        result.lang = page.evaluate("() => document.documentElement.lang")
        result.charts = page.evaluate(CHART_STATE)
        result.chart_problems = chart_problems(result.charts)
        result.kpis = page.evaluate(KPI_STATE)
        if con is not None:
            result.kpi_problems = kpi_problems(result.kpis, con)
        result.links = page.evaluate(
            "() => [...document.querySelectorAll('a[href]')].map(a => a.getAttribute('href'))"
        )
        result.drawn = page.evaluate(CHART_DRAWN)
        seen = page.evaluate(PAGE_TEXT)
        result.reading_problems = (
            drawn_problems(result.drawn, con)
            + waterfall_problems(result.drawn, result.kpis)
            + phase_problems(seen["phases"], con)
            + quality_panel_problems(seen)
            + raw_code_problems(seen, result.lang, codes if codes is not None else labelled_codes(con))
        )
        if screenshot is not None:
            screenshot.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(screenshot), full_page=True)
        page.wait_for_timeout(50)  # late console messages / exceptions from the charts' last frame
    finally:
        context.close()
    return result


def chart_problems(charts: list[dict]) -> list[str]:
    problems = []
    for c in charts:
        name = f"chart {c['id']!r}"
        if c["rendered"] not in ("true", "empty"):
            problems.append(f"{name} never rendered (data-rendered={c['rendered']!r})")
        elif c["rendered"] == "empty" and not c["text"]:
            problems.append(f"{name} is empty but shows no 'no data' note")
        elif not c["visible"]:
            problems.append(f"{name} is not visible")
        elif c["rendered"] == "empty":
            pass
        elif c["svg"] + c["canvas"] == 0:
            problems.append(f"{name} says rendered but has no visible svg/canvas with a size")
        elif c["inked"] == 0:
            problems.append(f"{name} says rendered but its svg/canvas is blank")
    return problems


# --- KPI tiles against the published tables --------------------------------------------------------------


def stored_value(con, source: str, key: str):
    """The published cell a tile names: reports.<table>.<column> where <keycol> = <value> (exactly one row)."""
    table, _, column = (source or "").partition(".")
    keycol, _, keyval = (key or "").partition("=")
    for ident in (table, column, keycol):
        if not IDENT.match(ident):
            raise ValueError(f"bad data-source/data-key {source!r} / {key!r}")
    rows = con.execute(
        f'select "{column}" from reports."{table}" where cast("{keycol}" as varchar) = ?', [keyval]
    ).fetchall()
    if len(rows) != 1:
        raise LookupError(f"reports.{table} has {len(rows)} rows where {keycol} = {keyval}")
    return rows[0][0]


def kpi_problems(kpis: list[dict], con) -> list[str]:
    problems = []
    for k in kpis:
        name = f"tile {k['metric']!r} ({k['source']} @ {k['key']})"
        if not k["visible"]:
            problems.append(f"{name} is not visible")
        if k["value"] is None:
            problems.append(f"{name} has no data-value")
            continue
        try:
            stored = stored_value(con, k["source"], k["key"])
        except (ValueError, LookupError) as err:
            problems.append(f"{name}: {err}")
            continue
        except Exception as err:  # noqa: BLE001 — a missing table/column is a contract violation, not a crash
            problems.append(f"{name}: {type(err).__name__}: {err}")
            continue
        if stored is None or k["value"] == "":
            if not (stored is None and k["value"] == ""):
                problems.append(f"{name}: data-value {k['value']!r} but the table holds {stored!r}")
            elif not shows_nothing(k["shown"] if k["shown"] is not None else k["text"]):
                problems.append(f"{name}: NULL in the table but the tile shows a number: {k['text']!r}")
            continue
        try:
            value = float(k["value"])
        except ValueError:
            problems.append(f"{name}: data-value {k['value']!r} is not a number")
            continue
        if not math.isclose(value, float(stored), rel_tol=1e-9, abs_tol=1e-12):
            problems.append(f"{name}: data-value {value!r} but the table holds {stored!r}")
            continue
        shown = k["shown"] if k["shown"] is not None else k["text"]
        if not displays(shown, value):
            problems.append(f"{name}: shows {shown!r}, which is not a formatting of {value!r}")
        problems += compare_problems(name, k, con)
    return problems


def compare_problems(name: str, kpi: dict, con) -> list[str]:
    """Each change a tile shows names the earlier cell it is against (data-before, data-before-key, same table
    and column): that cell is the published one."""
    problems = []
    for c in kpi.get("compares") or []:
        if c["beforeKey"] is None:
            continue
        try:
            stored = stored_value(con, kpi["source"], c["beforeKey"])
        except LookupError:
            stored = None  # no earlier period published: the tile shows no change
        except Exception as err:  # noqa: BLE001 — a contract violation, reported
            problems.append(f"{name} {c['compare']}: {type(err).__name__}: {err}")
            continue
        before = None if c["before"] in (None, "") else float(c["before"])
        if (stored is None) != (before is None) or (
            before is not None and not math.isclose(before, float(stored), rel_tol=1e-9, abs_tol=1e-12)
        ):
            problems.append(
                f"{name} {c['compare']}: data-before {c['before']!r} but the table holds {stored!r} at {c['beforeKey']}"
            )
    return problems


def waterfall_problems(drawn: list[dict], kpis: list[dict]) -> list[str]:
    """A waterfall explaining a KPI's change (data-metric, data-compare) must start at the earlier value its tile's
    change is against, its bars must add up to that change, and its total bar must be the tile's value: the drivers
    a reader sees explain exactly the change shown in the tile (and the tile shows the published cells)."""
    problems = []
    for chart in drawn:
        for tr in chart["traces"]:
            if tr["type"] != "waterfall":
                continue
            name = f"waterfall {chart['id']!r}"
            steps = tr["steps"] or []
            measure = tr["measure"] or []
            if len(steps) < 2 or measure[:1] != ["absolute"] or measure[-1:] != ["total"]:
                problems.append(f"{name}: not an absolute bar, changes and a total bar ({measure})")
                continue
            tiles = [k for k in kpis if k["metric"] == chart["metric"]]
            compare = next(
                (c for k in tiles for c in k.get("compares") or [] if c["compare"] == chart["compare"]), None
            )
            if not tiles or compare is None or not tiles[0]["value"] or not compare["before"]:
                problems.append(
                    f"{name}: no KPI tile {chart['metric']!r} with a change {chart['compare']!r} to check it against"
                )
                continue
            now, before = float(tiles[0]["value"]), float(compare["before"])
            start, total = steps[0]["value"], steps[-1]["level"]
            parts = sum(s["value"] for s in steps[1:-1])
            size = max(1.0, abs(before), abs(now))

            def close(a: float, b: float, size: float = size) -> bool:
                return math.isclose(a, b, rel_tol=0, abs_tol=1e-9 * size)

            if not close(start, before):
                problems.append(f"{name}: starts at {start!r}, but the tile's change is against {before!r}")
            if not close(parts, now - before):
                problems.append(
                    f"{name}: its bars add up to {parts!r}, but the tile's change is {now - before!r}"
                )
            if not close(total, now):
                problems.append(f"{name}: ends at {total!r}, but the tile shows {now!r}")
            if start and not displays(compare["text"].split()[-1], (total - start) / abs(start)):
                problems.append(
                    f"{name}: the tile shows the change {compare['text']!r}, not {(total - start) / abs(start):+.4%}"
                )
    return problems


# A number as people read it: optional sign and ¥, thousands separators, decimals, then %, x, or a unit (万 亿 K M).
NUMBER = re.compile(
    r"(?<![A-Za-z0-9.])(?P<sign>[-−+]?)\s?[¥￥$]?\s?(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
    r"\s?(?P<unit>%|万|亿|[kKmM](?![a-zA-Z])|[x×])?(?:元|人|个|次|单|笔)?"
    r"(?![\d\u4e00-\u9fff])"  # digits glued to a Chinese word are a label (7日留存, 近30天), not the value
)
UNITS = {"万": 1e4, "亿": 1e8, "k": 1e3, "K": 1e3, "m": 1e6, "M": 1e6}


def numbers_shown(text: str) -> list[tuple[float, float]]:
    """Each number in `text` as (value, half the last shown digit's unit) — the rounding interval it stands for.
    Digits glued to letters (D1, D7, D30 in labels) are not numbers shown."""
    out = []
    for m in NUMBER.finditer(text or ""):
        digits = m["num"].replace(",", "")
        decimals = len(digits.partition(".")[2])
        n = float(digits) * (-1 if m["sign"] in ("-", "−") else 1)
        half = 0.5 * 10 ** (-decimals)
        unit = m["unit"] or ""
        if unit == "%":
            out.append((n / 100, half / 100))
            out.append((n, half))  # a rate stored in percent points
        elif unit in UNITS:
            out.append((n * UNITS[unit], half * UNITS[unit]))
        else:
            out.append((n, half))
    return out


def displays(text: str, value: float) -> bool:
    """Whether the tile shows `value` rounded for people (¥, %, thousands separators, 万/K/M units): the first
    number after the label is the tile's value (deltas against earlier periods follow it)."""
    first = NUMBER.search(text or "")
    if first is None:
        return False
    return any(abs(value - n) <= half * (1 + 1e-9) + 1e-12 for n, half in numbers_shown(first.group(0)))


PLACEHOLDER = re.compile(r"(?:^|\s)(?:—|–|-|n/a|N/A|暂无数据|暂无|无数据)(?=\s|$)")


def shows_nothing(text: str) -> bool:
    """A NULL value is shown as a placeholder (—, n/a, 暂无), not as a number."""
    mark = PLACEHOLDER.search(text or "")
    first = NUMBER.search(text or "")
    return mark is not None and (first is None or first.start() > mark.start())


# --- what a manager reads: bars, colours, periods, phases, codes, the quality panel -------------------------


def _colour(value) -> str:
    return str(value).replace(" ", "").lower()


def trace_colours(chart: dict) -> list[tuple[str, str]]:
    """(code, colour) of every coloured trace (or bar) of a chart that names its code in `meta`."""
    out = []
    for tr in chart["traces"]:
        if tr["type"] == "heatmap" or not tr["visible"] or tr["color"] is None or tr["meta"] is None:
            continue
        metas = tr["meta"] if isinstance(tr["meta"], list) else None
        colours = tr["color"] if isinstance(tr["color"], list) else None
        if metas is None and colours is None:
            out.append((str(tr["meta"]), _colour(tr["color"])))
        elif metas is not None:
            out += [(str(m), _colour(colours[i] if colours else tr["color"])) for i, m in enumerate(metas)]
    return out


def colour_problems(checks: list[PageCheck]) -> list[str]:
    """A code drawn in two colours anywhere over these pages (a platform whose colour moved between charts, pages
    or builds)."""
    seen: dict[str, set[tuple[str, str]]] = {}
    for check in checks:
        for key, found in check.colours().items():
            seen.setdefault(key, set()).update(found)
    problems = []
    for key, found in sorted(seen.items()):
        colours = sorted({c for c, _ in found})
        if len(colours) > 1:
            where = "; ".join(
                f"{c} on {', '.join(sorted(w for cc, w in found if cc == c)[:3])}" for c in colours
            )
            problems.append(f"colour of {key!r} changes: {where}")
    return problems


def _finite(v) -> bool:
    return v is not None and math.isfinite(v)


class _Periods:
    """Whether a period on a chart's axis is complete: the chart's source table says so (is_complete of the row
    of that key), else the published days cover it (rpt_kpi_daily's first..last day)."""

    def __init__(self, con):
        self.con = con
        self.cache: dict = {}

    def span(self) -> tuple[date, date] | None:
        if "span" not in self.cache:
            try:
                row = self.con.execute(
                    "select min(report_date), max(report_date) from reports.rpt_kpi_daily"
                ).fetchone()
            except Exception:  # noqa: BLE001 — no daily KPIs published: nothing to compare with
                row = None
            self.cache["span"] = row if row and row[0] is not None else None
        return self.cache["span"]

    def partial(self, kind: str, start: date, source: str | None) -> bool:
        if source:
            table, _, column = source.partition(".")
            if IDENT.match(table or "") and IDENT.match(column or ""):
                try:
                    row = self.con.execute(
                        f'select bool_and(is_complete) from reports."{table}" where "{column}" = ?', [start]
                    ).fetchone()
                except Exception:  # noqa: BLE001 — no is_complete there: fall back on the published days
                    row = None
                if row and row[0] is not None:
                    return not row[0]
        span = self.span()
        if span is None:
            return False
        end = (
            start + timedelta(days=6)
            if kind == "weekly"
            else _month_end(start)
            if kind == "monthly"
            else start
        )
        return start < span[0] or end > span[1]


def _month_end(d: date) -> date:
    nxt = date(d.year + d.month // 12, d.month % 12 + 1, 1)
    return nxt - timedelta(days=1)


def _period_kind(declared: str | None, days: list[date]) -> str:
    if declared in ("daily", "weekly", "monthly"):
        return declared
    ordered = sorted(days)
    gaps = [(b - a).days for a, b in zip(ordered, ordered[1:], strict=False)]
    if len(ordered) > 1 and all(d.weekday() == 0 for d in ordered) and all(g % 7 == 0 for g in gaps):
        return "weekly"
    if len(ordered) > 1 and all(d.day == 1 for d in ordered) and all(g >= 28 for g in gaps):
        return "monthly"
    return "daily"


def drawn_problems(drawn: list[dict], con=None) -> list[str]:
    """What plotly drew that misleads a reader: a toolbar over the chart, merged or same-label bars, a ranking out
    of order, a legend entry without data, a coloured trace not naming its code, two codes in one colour, a
    period the data does not cover whole shown without PARTIAL_MARK."""
    problems = []
    periods = _Periods(con) if con is not None else None
    for chart in drawn:
        name = f"chart {chart['id']!r}"
        bar = chart.get("modebar")
        if bar and bar["shown"] and bar["covered"]:
            problems.append(f"{name}: the toolbar (modebar) covers {', '.join(bar['covered'])}")
        by_colour: dict[str, set[str]] = {}
        for key, colour in trace_colours(chart):
            by_colour.setdefault(colour, set()).add(key)
        problems += [
            f"{name}: {sorted(keys)} share one colour {colour}"
            for colour, keys in by_colour.items()
            if len(keys) > 1
        ]
        ranked = []
        for tr in chart["traces"]:
            trace = f"{name} trace {tr['name']!r}"
            if tr["type"] == "heatmap" or not tr["visible"]:
                continue
            if tr["color"] is not None and tr["meta"] is None:
                problems.append(f"{trace} is coloured but does not name the code it stands for (meta)")
            if chart["legend"] and tr["showlegend"] and not any(_finite(v) for v in tr["values"]):
                problems.append(f"{trace}: a legend entry with no data drawn")
            axis = chart["axes"].get(tr["axis"] or "", {})
            shown = axis.get("shown") or {}
            if tr["type"] == "bar":
                positions = [p["position"] for p in tr["points"]]
                merged = {p for p in positions if positions.count(p) > 1}
                if merged:
                    cats = sorted(
                        {c for c, p in zip(tr["categories"], positions, strict=False) if p in merged}
                    )
                    problems.append(
                        f"{trace}: bars merged, several values drawn at one position ({cats[:3]})"
                    )
                ranked += [(p["pixel"], p["size"]) for p in tr["points"] if p["pixel"] is not None]
            if axis.get("type") == "category":
                texts: dict[str, set[str]] = {}
                for c in dict.fromkeys(tr["categories"]):
                    texts.setdefault(shown.get(c, c), set()).add(c)
                same = [t for t, cs in texts.items() if len(cs) > 1]
                if same:
                    problems.append(f"{trace}: different bars read the same label {same[:3]}")
            cats = tr["categories"]
            if periods is not None and not tr["horizontal"] and cats and all(ISO_DAY.match(c) for c in cats):
                days = [date.fromisoformat(c) for c in cats]
                kind = _period_kind(chart.get("xPeriod"), days)
                for c, d in zip(cats, days, strict=True):
                    text = shown.get(c, c)
                    if periods.partial(kind, d, chart.get("periodSource")) and not text.endswith(
                        PARTIAL_MARK
                    ):
                        problems.append(
                            f"{trace}: the partial {kind} period {c} is shown as complete ({text!r})"
                        )
        if chart["ranked"] == "desc":
            sizes = [s for _, s in sorted(ranked, key=lambda r: r[0])]
            if any(b > a + 1e-9 for a, b in zip(sizes, sizes[1:], strict=False)):
                problems.append(f"{name}: ranked bars out of order ({sizes[:10]})")
    return list(dict.fromkeys(problems))


DEFAULT_PHASES = ("warmup", "peak", "wrapup", "total")


def phase_problems(rows: list[list[str]], con=None) -> list[str]:
    """Activity phases not in their published order (rpt_activity_review.phase_order), or one activity's rows
    interleaved with another's."""
    order = {p: i for i, p in enumerate(DEFAULT_PHASES)}
    if con is not None:
        with contextlib.suppress(Exception):
            order = dict(
                con.execute(
                    "select phase, min(phase_order) from reports.rpt_activity_review group by 1"
                ).fetchall()
            )
    problems, seen, last, prev_phase = [], [], None, None
    for activity, phase in rows:
        if activity != last and activity in seen:
            problems.append(f"activity {activity!r}: its phase rows are not together")
        if activity == last and order.get(phase, -1) <= order.get(prev_phase, -1):
            problems.append(f"activity {activity!r}: phase {phase!r} after {prev_phase!r}")
        if activity not in seen:
            seen.append(activity)
        last, prev_phase = activity, phase
    return problems


MAX_QUALITY_HEIGHT = 240  # px: the panel's summary line, its engineers' detail folded


def quality_panel_problems(seen: dict) -> list[str]:
    q = seen.get("quality")
    if not q:
        return []
    problems = []
    if q["top"] < seen["viewport"]:
        problems.append(f"the data-quality panel is on the first screen (starts at {q['top']:.0f}px)")
    if "UTC" in q["text"]:
        problems.append("the data-quality panel shows UTC times, not the reporting timezone")
    if not q["folded"] or q["height"] > MAX_QUALITY_HEIGHT:
        problems.append(
            f"the data-quality panel's engineers' detail is not folded ({q['height']:.0f}px tall)"
        )
    return problems


def labelled_codes(con) -> dict[str, str]:
    """code -> its label: the codes a Chinese page must not show raw. Channels and platforms with a Chinese label
    (marts.dim_code_labels), campaigns with a name (marts.dim_campaigns), and the codes the pages label
    themselves: activity phases, attribution models, lifecycle states, funnel steps."""
    if con is None:
        return {}
    out: dict[str, str] = {}
    queries = [
        "select code, label_zh from marts.dim_code_labels where label_zh is not null and label_zh <> code",
        "select campaign_id, campaign_name from marts.dim_campaigns where campaign_name <> campaign_id",
        "select distinct phase, '' from reports.rpt_activity_review",
        "select distinct attribution_model, '' from reports.rpt_attribution_channels",
        "select distinct state, '' from reports.rpt_user_lifecycle_weekly",
        "select distinct step_name, '' from reports.rpt_funnel_users",
    ]
    for sql in queries:
        with contextlib.suppress(Exception):  # a table the publication does not hold
            out.update({code: label for code, label in con.execute(sql).fetchall() if code})
    return out


def raw_code_problems(seen: dict, lang: str | None, codes: dict[str, str]) -> list[str]:
    """A code shown raw on a Chinese page where its label exists; a code beside its own label on the same line
    (a campaign's name with its id) is not raw."""
    if not (lang or "").startswith("zh") or not codes:
        return []
    problems = []
    for line in [*(seen["text"] or "").splitlines(), *seen["svg"]]:
        for token in dict.fromkeys(CODE_TOKEN.findall(line)):
            if token in codes and not (codes[token] and codes[token] in line):
                problems.append(
                    f"raw code {token!r} shown where its label {codes[token] or '(page label)'!r} exists: {line.strip()[:80]!r}"
                )
    return list(dict.fromkeys(problems))


# --- the index ----------------------------------------------------------------------------------------------


def broken_links(index: Path, hrefs: list[str]) -> list[str]:
    """Links of the index that do not resolve to an existing local file."""
    problems = []
    for href in hrefs:
        parsed = urlparse(href)
        if parsed.scheme and parsed.scheme != "file":
            problems.append(f"{href} leaves the report (scheme {parsed.scheme})")
            continue
        if not parsed.path:  # "#section"
            continue
        target = (
            Path(unquote(parsed.path)) if parsed.scheme == "file" else (index.parent / unquote(parsed.path))
        )
        if target.is_dir():
            target = target / "index.html"
        if not target.is_file():
            problems.append(f"{href} -> {target} does not exist")
    return problems
