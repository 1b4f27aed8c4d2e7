"""HTML for one period page and the index (markup contract: REPORT_CONTRACT in the README's Reports section).

Charts are Plotly figure specs embedded as JSON and drawn by the plotly.js that ships inside the plotly Python
package (written once to reports/assets/, too big to inline: see DECISIONLOG).
"""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from html import escape

from growthmart.report.data import RETENTION_DAYS, Period, PublishedData, add_months, week_start
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
PALETTE = ["#2f6fde", "#e8743b", "#19a979", "#ed4a7b", "#945ecf", "#13a4b4", "#525df4", "#bf399e", "#6c8893"]

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
.delta{font-size:12px;color:#646a73;display:block}.delta.up b{color:#19a979}.delta.down b{color:#d83931}
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
    Plotly.newPlot(el, spec.data, layout, {displaylogo:false, responsive:true})
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


def _num(v):
    return None if v is None else float(v)


Chart = tuple[str, str, dict | None]  # (chart id, title, plotly spec or None when there is nothing to draw)


class PageBuilder:
    def __init__(self, data: PublishedData, labels: Labels, keys: dict[str, list[date]], quality: dict):
        self.data = data
        self.t = labels
        self.keys = keys
        self.quality = quality  # publication + run record, the same for every page of a build
        self.watch = WatchSections(data, labels, keys["daily"][-1] if keys["daily"] else None)

    # ------------------------------------------------------------------ tiles
    def _tile(self, metric: str, label: str, table: str, keycol: str, key: date, value, deltas) -> str:
        kind = KIND[metric]
        parts = [
            f'<div class="kpi" data-metric="{metric}" data-source="{table}.{"active_users" if metric == "mau" else metric}"'
            f' data-key="{keycol}={key.isoformat()}" data-value="{escape(raw(value))}">',
            f'<div class="name">{escape(label)}</div><div class="value">{escape(fmt_value(kind, value))}</div>',
        ]
        for text_key, before in deltas:
            text, direction = fmt_delta(kind, value, before)
            parts.append(
                f'<span class="delta {direction}" data-compare="{escape(text_key)}">'
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
            deltas = [(f"vs_previous_{period.kind}", prev.get(metric))]
            if before:
                deltas.append((same_key, before.get(metric)))
            out.append(
                self._tile(
                    metric, label, period.table, period.key_column, period.start, row.get(metric), deltas
                )
            )
        return '<div class="kpis">' + "".join(out) + "</div>"

    # ------------------------------------------------------------------ chart specs
    def _windows(self, period: Period) -> dict:
        end = period.end
        if period.kind == "daily":
            short = (end - timedelta(days=6), end)
            content = (end - timedelta(days=29), end)
            cohorts = (end - timedelta(days=13), end)
            funnel = (week_start(end) - timedelta(days=21), week_start(end))
            lifecycle = (week_start(end) - timedelta(weeks=11), week_start(end))
        else:
            short = content = (period.start, end)
            cohorts = (period.start, end) if period.kind == "monthly" else (end - timedelta(days=27), end)
            funnel = (
                (week_start(period.start), week_start(end))
                if period.kind == "monthly"
                else (period.start - timedelta(weeks=3), period.start)
            )
            lifecycle = (
                week_start(end) - timedelta(weeks=25 if period.kind == "monthly" else 11),
                week_start(end),
            )
        return {
            "short": short,
            "content": content,
            "cohorts": cohorts,
            "funnel": funnel,
            "lifecycle": lifecycle,
        }

    def chart_specs(self, period: Period) -> list[Chart]:
        """(chart id, title, plotly spec or None when there is nothing to draw), one per chart in page order."""
        return [
            self._kpi_trend_chart(period),
            self._retention_heatmap_chart(period),
            self._funnel_chart(period),
            self._cac_ltv_chart(period),
            self._campaign_roi_chart(period),
            self._spend_platform_chart(period),
            self._top_content_chart(period),
            self._lifecycle_chart(period),
            self._attribution_chart(period),
            self.watch.brand_chart(period),
        ]

    def _kpi_trend_chart(self, period: Period) -> Chart:
        """KPI trend: GMV and spend bars, active users on the right axis, the last periods."""
        t = self.t
        count = {"daily": 30, "weekly": 12, "monthly": 12}[period.kind]
        trend = self.data.kpi_trend(period, count)
        spec = None
        if trend:
            xs = [r["k"].isoformat() for r in trend]
            spec = {
                "data": [
                    {"type": "bar", "name": t("gmv"), "x": xs, "y": [_num(r["gmv"]) for r in trend], "marker": {"color": PALETTE[0]}},
                    {"type": "bar", "name": t("spend"), "x": xs, "y": [_num(r["spend"]) for r in trend], "marker": {"color": PALETTE[1]}},
                    {"type": "scatter", "mode": "lines+markers", "name": t(f"active_users_{period.kind}"), "x": xs,
                     "y": [_num(r["active_users"]) for r in trend], "yaxis": "y2", "line": {"color": PALETTE[2]}},
                ],
                "layout": {"barmode": "group", "yaxis": {"title": {"text": "¥"}, "tickformat": ",.0f"},
                           "yaxis2": {"overlaying": "y", "side": "right", "tickformat": ",d"}},
            }  # fmt: skip
        return ("kpi_trend", t(f"trend_{period.kind}"), spec)

    def _retention_heatmap_chart(self, period: Period) -> Chart:
        """Retention cohort heatmap: immature cells are null (drawn blank), never 0."""
        t = self.t
        first, last = self._windows(period)["cohorts"]
        cells = self.data.retention(first, last)
        spec = None
        if cells:
            cohorts = sorted({c[0] for c in cells})
            index = {(c[0], c[1]): c[2] for c in cells}
            z = [[_num(index.get((c, n))) for n in RETENTION_DAYS] for c in cohorts]
            text = [["" if v is None else f"{v * 100:.0f}%" for v in row] for row in z]
            spec = {
                "data": [{
                    "type": "heatmap", "z": z, "text": text, "texttemplate": "%{text}", "hoverongaps": False,
                    "x": [f"D{n}" for n in RETENTION_DAYS], "y": [c.isoformat() for c in cohorts],
                    "colorscale": "Blues", "reversescale": True, "zmin": 0, "zmax": 0.6, "colorbar": {"tickformat": ".0%"},
                    "hovertemplate": "%{y} %{x}: %{z:.1%}<extra></extra>",
                }],
                "layout": {"yaxis": {"autorange": "reversed", "type": "category", "automargin": True, "title": {"text": t("cohort")}},
                           "xaxis": {"title": {"text": t("day_n")}, "type": "category"},
                           "height": max(300, 22 * len(cohorts) + 100)},
            }  # fmt: skip
        return ("retention_heatmap", f"{t('retention')} · {self.t.window(first, last)}", spec)

    def _funnel_chart(self, period: Period) -> Chart:
        """Funnel by channel: the drop-off at each step, the users who reached it on hover."""
        t = self.t
        first, last = self._windows(period)["funnel"]
        funnel = self.data.funnel(first, last)
        spec = None
        if funnel:
            channels = sorted({r[0] for r in funnel})
            steps = sorted({(r[1], r[2]) for r in funnel})
            users = {(r[0], r[1]): int(r[3]) for r in funnel}
            # One row per step after the first: the share of the previous step's users lost there (drop-off),
            # per channel; the text carries the users who reached the step.
            z, text, labels, reached = [], [], [], []
            for (order, name), (_, prev_name) in zip(steps[1:], steps[:-1], strict=True):
                labels.append(f"{t('step_' + prev_name)} → {t('step_' + name)}")
                row, row_text, row_users = [], [], []
                for ch in channels:
                    u, prev = users.get((ch, order), 0), users.get((ch, order - 1))
                    drop = None if not prev else 1 - u / prev
                    row.append(drop)
                    row_text.append("" if drop is None else f"-{drop * 100:.0f}%")
                    row_users.append(u)
                z.append(row)
                text.append(row_text)
                reached.append(row_users)
            spec = {
                "data": [{
                    "type": "heatmap", "z": z, "x": channels, "customdata": reached,
                    "y": labels, "text": text, "texttemplate": "%{text}", "hoverongaps": False,
                    "colorscale": "Reds", "zmin": 0, "zmax": 1, "colorbar": {"tickformat": ".0%", "title": {"text": t("drop_off")}},
                    "hovertemplate": "%{x} · %{y}: " + t("drop_off") + " %{z:.1%} · %{customdata:,d}<extra></extra>",
                }],
                "layout": {"yaxis": {"autorange": "reversed", "type": "category", "automargin": True},
                           "xaxis": {"type": "category", "automargin": True}, "margin": {"l": 140, "b": 90}, "height": 380},
            }  # fmt: skip
        return (
            "funnel",
            f"{t('funnel')} · {t('window_weeks', n=((last - first).days // 7) + 1, end=last.isoformat())}",
            spec,
        )

    def _cac_ltv_chart(self, period: Period) -> Chart:
        """CAC vs LTV by channel, payback day."""
        t = self.t
        month = self.data.cac_ltv_month(period.end)
        rows = self.data.cac_ltv(month) if month else []
        spec = None
        if rows:
            chans = [r["channel"] for r in rows]
            payback = [r["payback_days"] for r in rows]
            spec = {
                "data": [
                    {"type": "bar", "name": t("cac"), "x": chans, "y": [_num(r["cac"]) for r in rows], "marker": {"color": PALETTE[1]},
                     "text": ["" if p is None else f"{t('payback_days')} {p}" for p in payback], "textposition": "outside"},
                    {"type": "bar", "name": t("ltv_30d"), "x": chans, "y": [_num(r["ltv_30d"]) for r in rows], "marker": {"color": PALETTE[0]}},
                    {"type": "bar", "name": t("ltv_90d"), "x": chans, "y": [_num(r["ltv_90d"]) for r in rows], "marker": {"color": PALETTE[2]}},
                ],
                "layout": {"barmode": "group", "yaxis": {"title": {"text": "¥"}, "tickformat": ",.0f"}},
            }  # fmt: skip
        month_text = t("window_month", month=month.strftime("%Y-%m")) if month else ""
        return ("cac_ltv", f"{t('cac_ltv')} · {month_text}", spec)

    def _campaign_roi_chart(self, period: Period) -> Chart:
        """Campaign ROI ranking: the five best and five worst of the window."""
        t = self.t
        first, last = self._windows(period)["short"]
        camps = self.data.campaign_roi(first, last)
        spec = None
        if camps:
            ranked = camps if len(camps) <= 10 else camps[:5] + camps[-5:]
            ranked = ranked[::-1]  # horizontal bars draw bottom-up: best on top
            spec = {
                "data": [{
                    "type": "bar", "orientation": "h", "x": [_num(c["roi"]) for c in ranked],
                    "y": [f"{c['campaign_id']} ({c['platform'] or c['channel']})" for c in ranked],
                    "marker": {"color": [PALETTE[2] if (c["roi"] or 0) >= 0 else "#d83931" for c in ranked]},
                    "customdata": [[_num(c["spend"]), _num(c["revenue"])] for c in ranked],
                    "hovertemplate": "%{y}: ROI %{x:.0%} · " + t("spend") + " ¥%{customdata[0]:,.0f} · ¥%{customdata[1]:,.0f}<extra></extra>",
                }],
                "layout": {"xaxis": {"tickformat": ".0%", "title": {"text": t("roi")}},
                           "yaxis": {"type": "category", "automargin": True}, "margin": {"l": 200}},
            }  # fmt: skip
        return ("campaign_roi", f"{t('campaign_roi')} · {self.t.window(first, last)}", spec)

    def _spend_platform_chart(self, period: Period) -> Chart:
        """Spend by platform per day, stacked."""
        t = self.t
        first, last = (
            (period.end - timedelta(days=29), period.end)
            if period.kind == "daily"
            else (period.start, period.end)
        )
        spend = self.data.spend_by_platform(first, last)
        spec = None
        if spend:
            platforms = sorted({r[1] for r in spend})
            days = sorted({r[0] for r in spend})
            cell = {(r[0], r[1]): _num(r[2]) for r in spend}
            spec = {
                "data": [{"type": "bar", "name": p or t("non_ad_cost"), "x": [d.isoformat() for d in days], "y": [cell.get((d, p), 0) for d in days],
                          "marker": {"color": PALETTE[i % len(PALETTE)]}} for i, p in enumerate(platforms)],
                "layout": {"barmode": "stack", "yaxis": {"title": {"text": "¥"}, "tickformat": ",.0f"}},
            }  # fmt: skip
        return ("spend_platform", f"{t('spend_platform')} · {self.t.window(first, last)}", spec)

    def _top_content_chart(self, period: Period) -> Chart:
        """Top content published in the window."""
        t = self.t
        first, last = self._windows(period)["content"]
        content = self.data.top_content(first, last)
        spec = None
        if content:
            items = content[::-1]
            spec = {
                "data": [{
                    "type": "bar", "orientation": "h", "x": [int(c["attributed_signups"] or 0) for c in items],
                    "y": [f"{(c['title'] or c['content_id'])[:24]} · {c['platform']}" for c in items],
                    "customdata": [[int(c["views"] or 0), int(c["leads"] or 0)] for c in items],
                    "hovertemplate": "%{y}: %{x:,d} · views %{customdata[0]:,d} · leads %{customdata[1]:,d}<extra></extra>",
                    "marker": {"color": PALETTE[4]},
                }],
                "layout": {"yaxis": {"type": "category", "automargin": True}, "margin": {"l": 240},
                           "xaxis": {"title": {"text": t("users")}}},
            }  # fmt: skip
        return ("top_content", f"{t('top_content')} · {self.t.window(first, last)}", spec)

    def _lifecycle_chart(self, period: Period) -> Chart:
        """Lifecycle layers per week."""
        t = self.t
        first, last = self._windows(period)["lifecycle"]
        life = self.data.lifecycle(first, last)
        spec = None
        if life:
            states = sorted({(r[2], r[1]) for r in life})
            weeks = sorted({r[0] for r in life})
            cell = {(r[0], r[1]): int(r[3]) for r in life}
            spec = {
                "data": [{"type": "bar", "name": t(f"state_{s}"), "x": [w_.isoformat() for w_ in weeks],
                          "y": [cell.get((w_, s), 0) for w_ in weeks], "marker": {"color": PALETTE[i % len(PALETTE)]}}
                         for i, (_, s) in enumerate(states)],
                "layout": {"barmode": "stack", "yaxis": {"tickformat": ",d", "title": {"text": t("users")}}},
            }  # fmt: skip
        return ("lifecycle", f"{t('lifecycle')} · {self.t.window(first, last)}", spec)

    def _attribution_chart(self, period: Period) -> Chart:
        """Attribution by model, the month of the page's end."""
        t = self.t
        month = period.end.replace(day=1)
        attr = self.data.attribution(month)
        spec = None
        if attr:
            channels = sorted({r[0] for r in attr})
            models = sorted({r[1] for r in attr})
            cell = {(r[0], r[1]): _num(r[2]) for r in attr}
            spec = {
                "data": [{"type": "bar", "name": m, "x": channels, "y": [cell.get((c, m)) for c in channels],
                          "marker": {"color": PALETTE[i % len(PALETTE)]}} for i, m in enumerate(models)],
                "layout": {"barmode": "group", "yaxis": {"title": {"text": "¥"}, "tickformat": ",.0f"}},
            }  # fmt: skip
        return ("attribution", f"{t('attribution')} · {month.strftime('%Y-%m')}", spec)

    # ------------------------------------------------------------------ tables
    def activities_table(self, period: Period) -> str:
        first, last = self._windows(period)["content"]
        rows = self.data.activities(first, last)
        t = self.t
        head = f"<h2>{escape(t('activities'))} · {escape(self.t.window(first, last))}</h2>"
        if not rows:
            return head + f'<p class="no-data">{escape(t("none_in_period"))}</p>'
        body = "".join(
            f"<tr><td>{escape(r['activity_name'] or '')}</td><td>{escape(r['phase'] or '')}</td>"
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
        first, last = self._windows(period)["content"]
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
        t = self.t
        q = self.quality
        record = q.get("record")
        published = q.get("tables", [])
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
            names = "".join(f'<li class="bad">{escape(t("failed"))}: {escape(n)}</li>' for n in failed)
            names += "".join(f'<li class="warn">{escape(t("warned"))}: {escape(n)}</li>' for n in warned)
            checks_html = (
                f"<h3>{escape(t('checks'))} <span class=note>({escape(t('check_of_run'))})</span></h3>"
                f'<p><span class="ok">{fmt_count(passed)} {escape(t("passed"))}</span> · '
                f'<span class="{"bad" if failed else ""}">{len(failed)} {escape(t("failed"))}</span> · '
                f'<span class="{"warn" if warned else ""}">{len(warned)} {escape(t("warned"))}</span></p>'
                f"<ul>{names}</ul>"
            )
            q_rows = (
                "".join(
                    f"<tr><td>{escape(s)}</td><td>{escape(r)}</td><td class=n>{fmt_count(n)}</td></tr>"
                    for (s, r), n in sorted(merged.items())
                )
                or f"<tr><td colspan=3>{escape(t('nothing'))}</td></tr>"
            )
            quarantine_html = (
                f"<h3>{escape(t('quarantined'))}: {fmt_count(n_quarantined)}</h3><p class=note>{escape(t('quarantine_note'))}</p>"
                f"<table><tr><th>{escape(t('source'))}</th><th>{escape(t('reason'))}</th><th>{escape(t('rows'))}</th></tr>{q_rows}</table>"
            )  # fmt: skip
            f_rows = "".join(
                f"<tr><td>{escape(s)}</td><td>{escape(p or '—')}</td><td>{escape((ts or '—').replace('T', ' ')[:19])}</td></tr>"
                for s, p, ts in record["freshness"]
            )
            freshness_html = (
                f"<h3>{escape(t('freshness'))}</h3><table><tr><th>{escape(t('source'))}</th>"
                f"<th>{escape(t('last_partition'))}</th><th>{escape(t('last_load'))} (UTC)</th></tr>{f_rows}</table>"
            )
        else:
            attrs = (
                'data-checks-passed="" data-checks-failed="" data-checks-warned="" data-rows-quarantined=""'
            )
            checks_html = f"<p class=note>{escape(t('no_run_record'))}</p>"
            quarantine_html = freshness_html = ""
        p_rows = "".join(
            f"<tr><td>{escape(n)}</td><td class=n>{fmt_count(r)}</td></tr>" for n, r in published
        )
        published_html = (
            f"<h3>{escape(t('published_tables'))} ({len(published)})</h3>"
            f"<table><tr><th>{escape(t('table'))}</th><th>{escape(t('rows'))}</th></tr>{p_rows}</table>"
        )
        return (
            f'<section id="data-quality" class="panel" {attrs}><h2>{escape(t("quality"))}</h2>'
            f'<div class="cols"><div>{checks_html}{quarantine_html}</div><div>{freshness_html}</div>'
            f"<div>{published_html}</div></div></section>"
        )

    # ------------------------------------------------------------------ page
    def _header(self, title: str, nav: str) -> str:
        q = self.quality
        run = escape(q.get("run_id") or "—")
        when = q.get("published_at")
        when_text = when.strftime("%Y-%m-%d %H:%M UTC") if isinstance(when, datetime) else "—"
        return (
            f"<header><h1>{escape(title)}</h1><div class=meta>{escape(self.t('published_run'))} {run} · {when_text}</div>"
            f"<nav>{nav}</nav></header>"
        )

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
        specs = self.chart_specs(period)
        figures, payload = [], {}
        for chart_id, chart_title, spec in specs:
            if spec is None:
                figures.append(
                    f'<figure><h3>{escape(chart_title)}</h3><div class="chart empty" data-chart="{chart_id}" '
                    f'data-rendered="empty"><p class="no-data">{escape(t("no_data"))}</p></div></figure>'
                )
            else:
                payload[chart_id] = spec
                figures.append(
                    f'<figure><h3>{escape(chart_title)}</h3><div class="chart" data-chart="{chart_id}"></div></figure>'
                )
        return (
            f'<!DOCTYPE html><html lang="{t.html_lang}"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1"><title>{escape(title)}</title>'
            f"<style>{CSS}</style></head><body>{self._header(title, ''.join(nav))}<main>"
            f"{self.watch.alerts(period)}"
            f"<h2>{escape(t('kpis'))}{incomplete}</h2>{self.tiles(period)}"
            f'<div class="grid" style="margin-top:14px">{"".join(figures)}</div>'
            f"{self.activities_table(period)}{self.ab_table(period)}"
            f'<div style="margin-top:20px">{self.watch.brand(period)}</div>'
            f'<div style="margin-top:20px">{self.watch.competitors(period)}</div>'
            f'<div style="margin-top:20px">{self.quality_panel(period)}</div></main>'
            f'<script type="application/json" id="chart-specs">{_json_for_script(payload)}</script>'
            f'<script src="{asset_js}"></script><script>{CHART_JS}</script></body></html>'
        )

    def index_page(self) -> str:
        t = self.t
        sections = []
        for kind in ("monthly", "weekly", "daily"):
            items = "".join(
                f'<li><a href="{Period(kind, k).relpath}">{Period(kind, k).label}</a></li>'
                for k in reversed(self.keys[kind])
            )
            sections.append(
                f"<h2>{escape(t(kind))} ({len(self.keys[kind])})</h2><ul class=pages>{items}</ul>"
            )
        nav = f'<a href="../data_docs/index.html">{escape(t("data_docs"))}</a>'
        nav += f'<a href="../dbt_docs/index.html">{escape(t("dbt_docs"))}</a>'  # `make docs` writes it
        latest = self.keys["daily"][-1] if self.keys["daily"] else None
        if latest:
            nav = f'<a href="{Period("daily", latest).relpath}">{escape(t("title_daily"))} {latest}</a>' + nav
        return (
            f'<!DOCTYPE html><html lang="{t.html_lang}"><head><meta charset="utf-8"><title>{escape(t("title_index"))}</title>'
            f"<style>{CSS}</style></head><body>{self._header(t('title_index'), nav)}<main>{''.join(sections)}</main></body></html>"
        )


def months_between(first: date, last: date) -> list[date]:
    out, m = [], first.replace(day=1)
    while m <= last:
        out.append(m)
        m = add_months(m, 1)
    return out


__all__ = ["PageBuilder", "fmt_multiple", "months_between"]
