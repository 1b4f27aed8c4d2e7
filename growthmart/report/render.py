"""HTML for one period page and the index (markup contract: REPORT_CONTRACT in the README's Reports section).

Charts are Plotly figure specs (growthmart/report/charts.py) embedded as JSON and drawn by the plotly.js that
ships inside the plotly Python package (written once to reports/assets/, too big to inline: see DECISIONLOG).
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from html import escape
from zoneinfo import ZoneInfo

from growthmart.report.charts import ChartBuilder
from growthmart.report.data import Period, PublishedData, add_months, month_start
from growthmart.report.explain import ExplainSections, delta_tone
from growthmart.report.i18n import (
    KIND,
    Labels,
    fmt_count,
    fmt_delta,
    fmt_money,
    fmt_multiple,
    fmt_pct,
    fmt_value,
    raw,
)
from growthmart.report.style import PARTIAL_MARK, Chart, CodeStyles
from growthmart.report.watch import WatchSections

TILES = (
    "new_users",
    "active_users",
    "mau",
    "gmv",
    "net_revenue",
    "arppu",
    "spend",
    "cac",
    "blended_roas",
    "d1_retention",
    "d7_retention",
)
# The index's overview: the latest day's, week's and month's headline numbers and these KPIs' daily sparklines.
OVERVIEW = ("gmv", "net_revenue", "active_users", "new_users", "spend", "blended_roas")
SPARK_DAYS = 60

CSS = """
body{font-family:-apple-system,"PingFang SC","Microsoft YaHei","Noto Sans CJK SC",Segoe UI,Helvetica,Arial,sans-serif;
margin:0;background:#f5f6f8;color:#1f2329}
header{background:#1f3b73;color:#fff;padding:16px 24px}header h1{margin:0;font-size:22px}
header .meta{font-size:12px;opacity:.85;margin-top:4px}header a{color:#cfe0ff}
nav{font-size:13px;margin-top:8px}nav a{margin-right:14px}
main{padding:16px 24px;max-width:1280px;margin:auto}
h2{font-size:17px;margin:22px 0 10px}h3{font-size:14px;margin:0 0 6px;font-weight:600}
.kpis{display:grid;grid-template-columns:repeat(auto-fill,minmax(190px,1fr));gap:10px}
.kpi{background:#fff;border-radius:6px;padding:10px 12px;box-shadow:0 1px 2px rgba(0,0,0,.08)}
.kpi .name{font-size:12px;color:#646a73}.kpi .value{font-size:22px;font-weight:600;margin:4px 0}
.delta{font-size:12px;color:#646a73;display:block}.delta.good b{color:#19a979}.delta.bad b{color:#d83931}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(560px,1fr));gap:14px}
figure{margin:0;background:#fff;border-radius:6px;padding:10px;box-shadow:0 1px 2px rgba(0,0,0,.08)}
.chart{min-height:320px}.chart.empty{min-height:60px}
.no-data{color:#8f959e;font-size:14px;padding:20px 0;text-align:center}
table{border-collapse:collapse;background:#fff;font-size:13px;width:100%}
th,td{border-bottom:1px solid #e5e6eb;padding:5px 8px;text-align:left}td.n{text-align:right}
section.panel{background:#fff;border-radius:6px;padding:12px 14px;box-shadow:0 1px 2px rgba(0,0,0,.08)}
.bad{color:#d83931;font-weight:600}.warn{color:#b26a00}.ok{color:#19a979;font-weight:600}
.cols{display:grid;grid-template-columns:repeat(auto-fit,minmax(380px,1fr));gap:14px}
.note{font-size:12px;color:#646a73}
ul.pages{columns:4;font-size:14px}
details summary{cursor:pointer;font-size:14px;padding:4px 0}details.engineers{margin-top:8px}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(300px,1fr));gap:12px}
a.card{display:block;background:#fff;border-radius:6px;padding:12px 14px;box-shadow:0 1px 2px rgba(0,0,0,.08);color:inherit;text-decoration:none}
a.card:hover{box-shadow:0 2px 6px rgba(0,0,0,.18)}a.card dl{display:grid;grid-template-columns:auto auto;gap:2px 12px;margin:6px 0 0;font-size:13px}
a.card dd{margin:0;text-align:right;font-weight:600}
.sparks{display:grid;grid-template-columns:repeat(auto-fill,minmax(200px,1fr));gap:10px}
.spark{background:#fff;border-radius:6px;padding:8px 10px;box-shadow:0 1px 2px rgba(0,0,0,.08);font-size:12px;color:#646a73}
.spark b{display:block;font-size:16px;color:#1f2329}
#moved,#recommendations{margin-top:14px}ul.moved{margin:0 0 10px;padding-left:18px;font-size:14px;line-height:1.7}
"""

# Draws every chart spec; marks each chart from Plotly's render promise (what the browser test waits for).
CHART_JS = """
(function(){
  var specs = JSON.parse(document.getElementById('chart-specs').textContent);
  document.querySelectorAll('.chart[data-chart]').forEach(function(el){
    var spec = specs[el.getAttribute('data-chart')];
    if (!spec) { return; }
    var layout = Object.assign({margin:{l:60,r:20,t:10,b:60}, height:340, font:{size:11},
                                legend:{orientation:'h', y:-0.2}}, spec.layout || {});
    // no toolbar (modebar): it would sit over the chart's corner
    Plotly.newPlot(el, spec.data, layout, {displayModeBar:false, responsive:true})
      .then(function(){ el.setAttribute('data-rendered', 'true'); })
      .catch(function(err){ el.setAttribute('data-rendered', 'error'); console.error(err); });
  });
})();
"""


def _json_for_script(obj) -> str:
    """JSON safe inside <script>: no '</' can close the element early."""
    return json.dumps(obj, ensure_ascii=False, default=str).replace("</", "<\\/")


def _p(v) -> str:
    return "—" if v is None else f"{v:.3f}"


def _local(value, tz: str) -> str:
    """A UTC time (naive, or an ISO string as the run record keeps it) in the reporting timezone, to the minute."""
    if value is None or value == "":
        return "—"
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if not isinstance(value, datetime):
        return str(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(ZoneInfo(tz)).strftime("%Y-%m-%d %H:%M")


def _spark(values: list[float | None], width: int = 180, height: int = 36) -> str:
    """An inline SVG sparkline of the values (None breaks the line); the same numbers give the same bytes."""
    known = [v for v in values if v is not None]
    if len(known) < 2:
        return ""
    low, high = min(known), max(known)
    span = (high - low) or 1.0
    step = width / max(len(values) - 1, 1)
    lines, current = [], []
    for i, v in enumerate(values):
        if v is None:
            if current:
                lines.append(current)
            current = []
            continue
        current.append(f"{i * step:.1f},{height - 2 - (v - low) / span * (height - 4):.1f}")
    if current:
        lines.append(current)
    paths = "".join(
        f'<polyline fill="none" stroke="#2f6fde" stroke-width="1.5" points="{" ".join(pts)}"/>'
        for pts in lines
    )
    return f'<svg width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img">{paths}</svg>'


class PageBuilder:
    def __init__(self, data: PublishedData, labels: Labels, keys: dict[str, list[date]], quality: dict):
        self.data = data
        self.t = labels
        self.keys = keys
        self.quality = (
            quality  # publication + run record + reporting timezone, the same for every page of a build
        )
        self.data_end = keys["daily"][-1] if keys["daily"] else None
        self.styles = CodeStyles(data.code_styles(), labels.lang)
        self.charts = ChartBuilder(data, labels, self.styles, self.data_end)
        self.watch = WatchSections(data, labels, self.data_end, self.styles)
        self.explain = ExplainSections(data, labels)

    # ------------------------------------------------------------------ tiles
    def _tile(self, metric: str, label: str, table: str, keycol: str, key: date, value, deltas) -> str:
        kind = KIND[metric]
        parts = [
            f'<div class="kpi" data-metric="{metric}" data-source="{table}.{"active_users" if metric == "mau" else metric}"'
            f' data-key="{keycol}={key.isoformat()}" data-value="{escape(raw(value))}">',
            f'<div class="name">{escape(label)}</div><div class="value">{escape(fmt_value(kind, value))}</div>',
        ]
        for text_key, before, before_key in deltas:
            # the earlier cell the change is against (same table and column): what a waterfall starts from
            text, direction = fmt_delta(kind, value, before)
            parts.append(
                f'<span class="delta {direction} {delta_tone(metric, direction)}" data-compare="{escape(text_key)}" data-before="{escape(raw(before))}"'
                f' data-before-key="{keycol}={before_key.isoformat()}">'
                f"{escape(self.t(text_key))} <b>{escape(text)}</b></span>"
            )
        parts.append("</div>")
        return "".join(parts)

    def tiles(self, period: Period) -> str:
        row = self.data.kpi_row(period) or {}
        prev = self.data.kpi_row(period.previous()) or {}
        same, same_key = period.same_period_before()
        before = self.data.kpi_row(same) or {}
        out = []
        for metric in TILES:
            if metric == "mau":
                if period.kind != "daily":
                    continue
                mau = self.data.mau_row(period.start) or {}
                out.append(
                    self._tile(
                        "mau",
                        self.t("mau"),
                        "rpt_kpi_monthly",
                        "month_start",
                        period.start.replace(day=1),
                        mau.get("active_users"),
                        [],
                    )
                )
                continue
            label = self.t(f"active_users_{period.kind}") if metric == "active_users" else self.t(metric)
            deltas = [(f"vs_previous_{period.kind}", prev.get(metric), period.previous().start)]
            if before:
                deltas.append((same_key, before.get(metric), same.start))
            out.append(
                self._tile(
                    metric, label, period.table, period.key_column, period.start, row.get(metric), deltas
                )
            )
        return '<div class="kpis">' + "".join(out) + "</div>"

    # ------------------------------------------------------------------ tables
    def activities_table(self, period: Period) -> str:
        """Each activity's phases in their published order (warmup, peak, wrapup, then the whole activity)."""
        first, last = self.charts.windows(period)["content"]
        rows = self.data.activities(first, last)
        t = self.t
        head = f"<h2>{escape(t('activities'))} · {escape(self.t.window(first, last))}</h2>"
        if not rows:
            return head + f'<p class="no-data">{escape(t("none_in_period"))}</p>'
        body = "".join(
            f'<tr data-activity="{escape(r["activity_id"])}" data-phase="{escape(r["phase"])}">'
            f"<td>{escape(r['activity_name'] or '')}</td><td>{escape(t('phase_' + r['phase']))}</td>"
            f"<td>{r['phase_start']} – {r['phase_end']}</td><td class=n>{fmt_count(r['participants'])}</td>"
            f"<td class=n>{fmt_money(r['gmv_cny'])}</td><td class=n>{fmt_pct(r['gmv_uplift'])}</td>"
            f"<td class=n>{fmt_pct(r['roi'], 0)}</td><td class=n>{fmt_pct(r['uplift_roi'], 0)}</td></tr>"
            for r in rows
        )
        cols = ["activity", "phase", "dates", "participants", "gmv", "uplift", "roi", "uplift_roi"]
        return (
            head
            + "<table><tr>"
            + "".join(f"<th>{escape(t(c))}</th>" for c in cols)
            + "</tr>"
            + body
            + "</table>"
        )

    def ab_table(self, period: Period) -> str:
        first, last = self.charts.windows(period)["content"]
        rows = self.data.ab_tests(first, last)
        t = self.t
        head = f"<h2>{escape(t('ab_tests'))} · {escape(self.t.window(first, last))}</h2>"
        if not rows:
            return head + f'<p class="no-data">{escape(t("none_in_period"))}</p>'

        def verdict(r) -> str:
            if r["is_control"]:
                return t("v_control")
            if r["is_sample_too_small"]:
                return t("v_too_small")
            if r["is_significant"]:
                return t("v_significant_win") if (r["lift"] or 0) > 0 else t("v_significant_loss")
            return t("v_not_significant") if r["is_complete"] else t("v_running")

        body = "".join(
            f"<tr><td>{escape(r['experiment_name'] or '')}</td><td>{escape(r['variant_name'] or '')}</td>"
            f"<td>{r['start_date']} – {r['end_date']}</td><td class=n>{fmt_pct(r['lift'])}</td>"
            f"<td class=n>{_p(r['p_value'])}</td>"
            f"<td>{escape(verdict(r))}</td></tr>"
            for r in rows
        )
        cols = ["experiment", "variant", "dates", "lift", "p_value", "verdict"]
        return (
            head
            + "<table><tr>"
            + "".join(f"<th>{escape(t(c))}</th>" for c in cols)
            + "</tr>"
            + body
            + "</table>"
        )

    # ------------------------------------------------------------------ quality panel
    def quality_panel(self, period: Period) -> str:
        """One line a manager reads (checks, quarantined rows, data end, publication time in the reporting
        timezone); the engineers' detail (check names, quarantine reasons, freshness per source, the published
        tables, the run id) folded in <details>. At the foot of the page, never on the first screen."""
        t = self.t
        q = self.quality
        tz = q.get("timezone") or "UTC"
        record = q.get("record")
        published = q.get("tables", [])
        published_text = f"{escape(t('published_at'))} {_local(q.get('published_at'), tz)} ({escape(tz)})"
        end_text = f"{escape(t('data_end'))} {self.data_end or '—'}"
        detail = [f"<p>{escape(t('published_run'))} {escape(q.get('run_id') or '—')}</p>"]
        if record:
            checks = record["checks"]
            passed, failed, warned = checks["passed"], checks["failed"], checks["warned"]
            quarantine = [
                r
                for r in record["quarantine"]
                if r[0] and period.start.isoformat() <= r[0] <= period.end.isoformat()
            ]
            merged: dict[tuple, int] = {}
            for _, source, reason, n in quarantine:
                merged[(source, reason)] = merged.get((source, reason), 0) + n
            n_quarantined = sum(merged.values())
            attrs = (
                f'data-checks-passed="{passed}" data-checks-failed="{len(failed)}" '
                f'data-checks-warned="{len(warned)}" data-rows-quarantined="{n_quarantined}"'
            )
            summary = (
                f'<span class="ok">{fmt_count(passed)} {escape(t("passed"))}</span> · '
                f'<span class="{"bad" if failed else ""}">{len(failed)} {escape(t("failed"))}</span> · '
                f'<span class="{"warn" if warned else ""}">{len(warned)} {escape(t("warned"))}</span> · '
                f"{escape(t('quarantined'))} {fmt_count(n_quarantined)}"
            )
            names = "".join(f'<li class="bad">{escape(t("failed"))}: {escape(n)}</li>' for n in failed)
            names += "".join(f'<li class="warn">{escape(t("warned"))}: {escape(n)}</li>' for n in warned)
            q_rows = (
                "".join(
                    f"<tr><td>{escape(s)}</td><td>{escape(r)}</td><td class=n>{fmt_count(n)}</td></tr>"
                    for (s, r), n in sorted(merged.items())
                )
                or f"<tr><td colspan=3>{escape(t('nothing'))}</td></tr>"
            )
            f_rows = "".join(
                f"<tr><td>{escape(s)}</td><td>{escape(p or '—')}</td><td>{_local(ts, tz)}</td></tr>"
                for s, p, ts in record["freshness"]
            )
            detail += [
                f"<h3>{escape(t('checks'))} <span class=note>({escape(t('check_of_run'))})</span></h3><ul>{names}</ul>",
                f"<h3>{escape(t('quarantined'))}: {fmt_count(n_quarantined)}</h3><p class=note>{escape(t('quarantine_note'))}</p>"
                f"<table><tr><th>{escape(t('source'))}</th><th>{escape(t('reason'))}</th><th>{escape(t('rows'))}</th></tr>{q_rows}</table>",
                f"<h3>{escape(t('freshness'))}</h3><table><tr><th>{escape(t('source'))}</th>"
                f"<th>{escape(t('last_partition'))}</th><th>{escape(t('last_load'))} ({escape(tz)})</th></tr>{f_rows}</table>",
            ]  # fmt: skip
        else:
            attrs = (
                'data-checks-passed="" data-checks-failed="" data-checks-warned="" data-rows-quarantined=""'
            )
            summary = escape(t("no_run_record"))
        p_rows = "".join(
            f"<tr><td>{escape(n)}</td><td class=n>{fmt_count(r)}</td></tr>" for n, r in published
        )
        detail.append(
            f"<h3>{escape(t('published_tables'))} ({len(published)})</h3>"
            f"<table><tr><th>{escape(t('table'))}</th><th>{escape(t('rows'))}</th></tr>{p_rows}</table>"
        )
        return (
            f'<section id="data-quality" class="panel" {attrs}><h2>{escape(t("quality"))}</h2>'
            f"<p>{escape(t('checks'))}: {summary} · {end_text} · {published_text}</p>"
            f'<details class="engineers"><summary>{escape(t("engineers_detail"))}</summary>'
            f'<div class="cols">{"".join(f"<div>{d}</div>" for d in detail)}</div></details></section>'
        )

    # ------------------------------------------------------------------ page
    def _header(self, title: str, nav: str) -> str:
        q = self.quality
        tz = q.get("timezone") or "UTC"
        return (
            f"<header><h1>{escape(title)}</h1><div class=meta>{escape(self.t('data_end'))} {self.data_end or '—'} · "
            f"{escape(self.t('published_at'))} {_local(q.get('published_at'), tz)} ({escape(tz)})</div>"
            f"<nav>{nav}</nav></header>"
        )

    def _figure(self, chart: Chart, payload: dict) -> str:
        attrs = "".join(f' {k}="{escape(v)}"' for k, v in sorted(chart.attrs.items()))
        note = f'<p class="note">{escape(chart.note)}</p>' if chart.note else ""
        if chart.spec is None:
            return (
                f'<figure><h3>{escape(chart.title)}</h3><div class="chart empty" data-chart="{chart.id}"{attrs} '
                f'data-rendered="empty"><p class="no-data">{escape(self.t("no_data"))}</p></div>{note}</figure>'
            )
        payload[chart.id] = chart.spec
        return f'<figure><h3>{escape(chart.title)}</h3><div class="chart" data-chart="{chart.id}"{attrs}></div>{note}</figure>'

    def period_page(self, period: Period, asset_js: str) -> str:
        t = self.t
        keys = self.keys[period.kind]
        i = keys.index(period.start)
        nav = [f'<a href="../index.html">{escape(t("index"))}</a>']
        if i > 0:
            nav.append(
                f'<a href="{Period(period.kind, keys[i - 1]).label}.html">← {escape(t("previous_page"))}</a>'
            )
        if i + 1 < len(keys):
            nav.append(
                f'<a href="{Period(period.kind, keys[i + 1]).label}.html">{escape(t("next_page"))} →</a>'
            )
        nav.append(f'<a href="../../data_docs/index.html">{escape(t("data_docs"))}</a>')
        row = self.data.kpi_row(period) or {}
        title = f"{t('title_' + period.kind)} {period.label}"
        if period.kind == "weekly":
            title += f" – {period.end.isoformat()}"
        incomplete = (
            ""
            if row.get("is_complete", True)
            else f" <span class=note>({escape(t('incomplete_period'))})</span>"
        )
        payload: dict = {}
        moved = self.explain.moved(period, lambda chart: self._figure(chart, payload))
        charts = [*self.charts.all(period), self.watch.brand_chart(period)]
        figures = "".join(self._figure(c, payload) for c in charts)
        return (
            f'<!DOCTYPE html><html lang="{t.html_lang}"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1"><title>{escape(title)}</title>'
            f"<style>{CSS}</style></head><body>{self._header(title, ''.join(nav))}<main>"
            f"{self.watch.alerts(period)}{moved}{self.explain.recommendations(period)}"
            f"<h2>{escape(t('kpis'))}{incomplete}</h2>{self.tiles(period)}"
            f'<div class="grid" style="margin-top:14px">{figures}</div>'
            f"{self.activities_table(period)}{self.ab_table(period)}"
            f'<div style="margin-top:20px">{self.watch.brand(period)}</div>'
            f'<div style="margin-top:20px">{self.watch.competitors(period)}</div>'
            f'<div style="margin-top:20px">{self.quality_panel(period)}</div></main>'
            f'<script type="application/json" id="chart-specs">{_json_for_script(payload)}</script>'
            f'<script src="{asset_js}"></script><script>{CHART_JS}</script></body></html>'
        )

    # ------------------------------------------------------------------ index
    def _card(self, kind: str, key: date) -> str:
        """The latest page of a kind: its headline numbers, marked when the period is not complete."""
        t = self.t
        period = Period(kind, key)
        row = self.data.kpi_row(period) or {}
        partial = not row.get("is_complete", True)
        title = f"{t('title_' + kind)} {period.label}" + (PARTIAL_MARK if partial else "")
        items = "".join(
            f"<dt>{escape(t(f'active_users_{kind}') if m == 'active_users' else t(m))}</dt>"
            f"<dd>{escape(fmt_value(KIND[m], row.get(m)))}</dd>"
            for m in OVERVIEW
        )
        note = f'<p class="note">{escape(t("period_partial", mark=PARTIAL_MARK, end=str(self.data_end)))}</p>'
        note = note if partial else ""
        return (
            f'<a class="card" href="{period.relpath}" data-period="{kind}" data-complete="{str(not partial).lower()}">'
            f"<h3>{escape(title)}</h3><dl>{items}</dl>{note}</a>"
        )

    def _overview(self) -> str:
        t = self.t
        latest = {kind: self.keys[kind][-1] for kind in ("daily", "weekly", "monthly") if self.keys[kind]}
        if not latest:
            return f'<section id="overview"><p class="no-data">{escape(t("no_data"))}</p></section>'
        cards = "".join(self._card(kind, key) for kind, key in latest.items())
        sparks = ""
        if "daily" in latest:
            trend = self.data.kpi_trend(Period("daily", latest["daily"]), SPARK_DAYS)
            sparks = "".join(
                f'<div class="spark" data-metric="{m}">{escape(t("active_users_daily") if m == "active_users" else t(m))}'
                f"<b>{escape(fmt_value(KIND[m], trend[-1][m]))}</b>"
                f"{_spark([None if r[m] is None else float(r[m]) for r in trend])}</div>"
                for m in OVERVIEW
            )
            first = trend[0]["k"] if trend else latest["daily"]
            sparks = (
                f"<h2>{escape(t('trend_spark', start=str(first), end=str(latest['daily'])))}</h2>"
                f'<div class="sparks">{sparks}</div>'
            )
        return f'<section id="overview"><h2>{escape(t("latest"))}</h2><div class="cards">{cards}</div>{sparks}</section>'

    def _archive(self) -> str:
        """Every page, grouped by the month of its start, newest first, each month folded."""
        t = self.t
        months = sorted({month_start(k) for kind in ("daily", "weekly", "monthly") for k in self.keys[kind]})
        groups = []
        for m in reversed(months):
            parts = []
            counts = []
            for kind in ("monthly", "weekly", "daily"):
                ks = [k for k in self.keys[kind] if month_start(k) == m]
                if not ks:
                    continue
                counts.append(f"{t(kind)} {len(ks)}")
                links = "".join(
                    f'<li><a href="{Period(kind, k).relpath}">{Period(kind, k).label}</a></li>'
                    for k in reversed(ks)
                )
                parts.append(f"<h3>{escape(t(kind))}</h3><ul class=pages>{links}</ul>")
            groups.append(
                f'<details data-month="{m.strftime("%Y-%m")}"><summary>{m.strftime("%Y-%m")} · '
                f"{escape(' · '.join(counts))}</summary>{''.join(parts)}</details>"
            )
        return f'<section id="archive"><h2>{escape(t("archive"))}</h2>{"".join(groups)}</section>'

    def index_page(self) -> str:
        t = self.t
        nav = f'<a href="../data_docs/index.html">{escape(t("data_docs"))}</a>'
        nav += f'<a href="../dbt_docs/index.html">{escape(t("dbt_docs"))}</a>'  # `make docs` writes it
        return (
            f'<!DOCTYPE html><html lang="{t.html_lang}"><head><meta charset="utf-8"><title>{escape(t("title_index"))}</title>'
            f"<style>{CSS}</style></head><body>{self._header(t('title_index'), nav)}<main>{self._overview()}"
            f"{self._archive()}</main></body></html>"
        )


def months_between(first: date, last: date) -> list[date]:
    out, m = [], first.replace(day=1)
    while m <= last:
        out.append(m)
        m = add_months(m, 1)
    return out


__all__ = ["PageBuilder", "fmt_multiple", "months_between"]
