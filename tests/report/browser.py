"""Checks an HTML report page in headless Chromium against the page contract (docs: /work/helpers/REPORT_CONTRACT.md,
README "Reports"): it loads offline with no console error, uncaught exception or failed request, every chart draws,
and every KPI tile shows the number stored in the published DuckDB.

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
          shown: v ? (v.innerText || '').trim() : null, visible: r.width > 0 && r.height > 0};
})"""


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

    def problems(self) -> list[str]:
        return (
            [f"console error: {m}" for m in self.console_errors]
            + [f"uncaught exception: {m}" for m in self.page_errors]
            + [f"failed request: {m}" for m in self.failed_requests]
            + [f"request leaves file://: {m}" for m in self.external_requests]
            + self.chart_problems
            + self.kpi_problems
        )


def check_page(
    browser, path: Path, con=None, *, timeout_ms: int = 15_000, screenshot: Path | None = None
) -> PageCheck:
    """Load `path` from file:// and collect everything the contract forbids. `con`: a DuckDB connection to the
    published database to compare the KPI tiles with (None skips that comparison)."""
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
