"""The watching sections of a period page: the period's alerts (at the top), our brand's voice and its negative
spikes, and the competitors' week. Published cells only, as everywhere on the pages: nothing is computed here.

Markup contract (tests/report): `<section id="alerts" data-alerts="N">` with one `<tr data-alert-id data-kind
data-severity>` per alert shown, most severe first; `<section id="brand">` with the incidents as `<tr
data-incident-id data-brand data-platform data-start>`; `<section id="competitors" data-week>`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, timedelta
from html import escape

from growthmart.report.data import Period, PublishedData, week_start
from growthmart.report.i18n import Labels, fmt_count, fmt_money, fmt_pct
from growthmart.report.style import PARTIAL_MARK, Chart, CodeStyles, meta

MAX_ALERTS_SHOWN = 30  # a month of pacing alerts would bury the page: the rest is one line and rpt_alerts
POST_EXCERPT = 60  # characters of a top post's text


def _signed(value, decimals: int = 2) -> str:
    return "—" if value is None else f"{float(value):+.{decimals}f}".replace("-", "−")


def _decimal(value, decimals: int = 1) -> str:
    return "—" if value is None else f"{float(value):.{decimals}f}"


def _severity_cell(labels: Labels, severity: str) -> str:
    return f'<td class="{"bad" if severity == "critical" else "warn"}">{escape(labels("severity_" + severity))}</td>'


def _table(labels: Labels, columns: list[str], body: str) -> str:
    head = "".join(f"<th>{escape(labels(c))}</th>" for c in columns)
    return f"<table><tr>{head}</tr>{body}</table>"


def message_section(
    labels: Labels,
    period: Period,
    *,
    section_id: str,
    title: str,
    rows: list[dict],
    row: Callable[[dict, bool], str],
    columns: list[str],
    empty: str,
    more_key: str,
    cap: int,
    attrs: str = "",
    after: str = "",
) -> str:
    """A period's list of messages (its alerts, its recommendations) as `<section id=<section_id>
    data-<section_id>=<count>>`: the title with the period, one table row per message up to `cap` (the rest one
    line), the `date` column only on weekly and monthly pages (a daily page's are all of its day); `empty` when
    there are none."""
    when = period.label if period.kind != "weekly" else labels.window(period.start, period.end)
    head = f"<h2>{escape(title)} · {escape(when)}</h2>"
    opening = f'<section id="{section_id}" class="panel" data-{section_id}="{len(rows)}"{attrs}>{head}'
    if not rows:
        return f"{opening}{empty}</section>"
    dated = period.kind != "daily"
    shown = rows[:cap]
    body = "".join(row(r, dated) for r in shown)
    more = (
        f'<p class="note">{escape(labels(more_key, n=len(rows) - len(shown)))}</p>'
        if len(rows) > len(shown)
        else ""
    )
    table = _table(labels, [c for c in columns if dated or c != "date"], body)
    return f"{opening}{table}{more}{after}</section>"


class WatchSections:
    def __init__(self, data: PublishedData, labels: Labels, data_end: date | None, styles: CodeStyles):
        self.data = data
        self.t = labels
        self.styles = styles
        self.data_end = data_end  # the last published day: a current week or month is shown up to it

    def _window(self, period: Period) -> tuple[date, date]:
        """What the brand chart and the incidents cover: a day is too thin, so a daily page shows the trailing
        30 days up to it; weekly and monthly pages their period."""
        if period.kind == "daily":
            return period.end - timedelta(days=29), period.end
        return period.start, period.end

    # ------------------------------------------------------------------ alerts (top of the page)
    def alerts(self, period: Period) -> str:
        t = self.t
        rows = self.data.alerts(period.start, period.end)
        message = "message_zh" if t.lang == "zh" else "message_en"

        def row(r: dict, dated: bool) -> str:
            return (
                f'<tr data-alert-id="{escape(r["alert_id"])}" data-kind="{escape(r["kind"])}" '
                f'data-severity="{escape(r["severity"])}">{_severity_cell(t, r["severity"])}'
                f"<td>{escape(t('alert_kind_' + r['kind']))}</td>"
                + (f"<td>{r['alert_date']}</td>" if dated else "")
                + f"<td>{escape(r[message] or '')}</td></tr>"
            )

        return message_section(
            t, period, section_id="alerts", title=t("alerts_" + period.kind), rows=rows, row=row,
            columns=["severity", "alert_kind", "date", "alert_message"],
            empty=f'<p class="ok">{escape(t("no_alerts"))}</p>', more_key="more_alerts", cap=MAX_ALERTS_SHOWN,
            attrs=f' data-critical="{sum(r["severity"] == "critical" for r in rows)}"',
        )  # fmt: skip

    # ------------------------------------------------------------------ brand
    def _platform(self, row: dict) -> str:
        """The social platform's published label (rpt_brand_*.platform_label_<lang>), the code when it has none."""
        return row.get(f"platform_label_{self.t.lang}") or row["platform"]

    def brand_chart(self, period: Period) -> Chart:
        """Our brand's negative mentions a day, stacked by platform, each in its declared colour."""
        first, last = self._window(period)
        rows = self.data.brand_negative_by_platform(first, last)
        title = f"{self.t('brand_negative')} · {self.t.window(first, last)}"
        if not any(r["negative_mentions"] for r in rows):
            return Chart("brand_negative", title, None)
        days = sorted({r["report_date"] for r in rows})
        names = {r["platform"]: self._platform(r) for r in rows}
        cell = {(r["report_date"], r["platform"]): r["negative_mentions"] for r in rows}
        spec = {
            "data": [
                {
                    "type": "bar",
                    "name": names[p],
                    "x": [d.isoformat() for d in days],
                    "y": [cell.get((d, p), 0) for d in days],
                    "meta": meta("social_platform", p),
                    "marker": {"color": self.styles.color("social_platform", p)},
                }
                for p in sorted(names)
            ],
            "layout": {"barmode": "stack", "yaxis": {"title": {"text": self.t("negative_mentions")}}},
        }
        return Chart("brand_negative", title, spec)

    def brand(self, period: Period) -> str:
        t = self.t
        parts = [f"<h2>{escape(t('brand'))}</h2>"]
        if period.kind == "daily":
            rows = self.data.brand_platforms(period.start)
            body = "".join(
                f"<tr><td>{escape(self._platform(r))}</td><td class=n>{fmt_count(r['mentions'])}</td>"
                f"<td class=n>{fmt_count(r['negative_mentions'])}</td><td class=n>{fmt_pct(r['negative_share'])}</td>"
                f"<td class=n>{_signed(r['net_sentiment'])}</td><td class=n>{fmt_pct(r['share_of_voice'])}</td>"
                f"<td class=n>{fmt_count(r['weighted_reach'])}</td></tr>"
                for r in rows
            )
            cols = [
                "platform",
                "mentions",
                "negative_mentions",
                "negative_share",
                "net_sentiment",
                "share_of_voice",
            ]
            parts.append(
                f"<h3>{escape(t('brand_platforms'))} · {period.start}</h3>"
                + (
                    _table(t, [*cols, "weighted_reach"], body)
                    if rows
                    else f'<p class="no-data">{escape(t("no_data"))}</p>'
                )
            )
        first, last = self._window(period)
        incidents = self.data.incidents(first, last)
        title = f"{t('incidents')} · {self.t.window(first, last)}"
        parts.append(f'<h3 style="margin-top:12px">{escape(title)}</h3>')
        if not incidents:
            parts.append(f'<p class="ok">{escape(t("no_incidents"))}</p>')
        else:
            body = "".join(self._incident_row(r) for r in incidents)
            cols = [
                "brand_col",
                "platform",
                "dates",
                "negative_mentions",
                "baseline",
                "robust_z",
                "severity",
                "status",
            ]
            parts.append(_table(t, [*cols, "top_post"], body))
        return f'<section id="brand" class="panel">{"".join(parts)}</section>'

    def _incident_row(self, r: dict) -> str:
        t = self.t
        posts = json.loads(r["top_posts"]) if r["top_posts"] else []
        top = ""
        if posts:
            p = posts[0]
            text = (p.get("text") or "")[:POST_EXCERPT]
            link = escape(p.get("url") or "")
            top = f'{escape(p.get("author") or "")}: <a href="{link}">{escape(text)}</a> ({fmt_count(p.get("reach"))})'
        brand = escape(r["brand"]) + ("" if not r["is_own_brand"] else f" <b>({escape(t('own_brand'))})</b>")
        return (
            f'<tr data-incident-id="{escape(r["incident_id"])}" data-brand="{escape(r["brand"])}" '
            f'data-platform="{escape(r["platform"])}" data-start="{r["start_date"]}"><td>{brand}</td>'
            f"<td>{escape(self._platform(r))}</td><td>{r['start_date']} – {r['end_date']}</td>"
            f"<td class=n>{fmt_count(r['negative_mentions'])}</td>"
            f"<td class=n>{_decimal(r['baseline_negative_median'])}</td><td class=n>{_decimal(r['peak_robust_z'])}</td>"
            f"{_severity_cell(t, r['severity'])}"
            f"<td>{escape(t('status_' + r['status']))}</td><td>{top}</td></tr>"
        )

    # ------------------------------------------------------------------ competitors
    def competitors(self, period: Period) -> str:
        """The week of a daily or weekly page; a monthly page's last week with data (it may start in the month
        before)."""
        t = self.t
        week = week_start(min(period.end, self.data_end or period.end))
        rows = self.data.competitor_week(week)
        partial = bool(self.data_end and week + timedelta(days=6) > self.data_end)
        mark = (
            f"{PARTIAL_MARK} <span class=note>{escape(t('period_partial', mark=PARTIAL_MARK, end=str(self.data_end)))}</span>"
            if partial
            else ""
        )
        head = f"<h2>{escape(t('competitors'))} · {escape(t('week_of', start=week.isoformat()))}{mark}</h2>"
        if not rows:
            return f'<section id="competitors" class="panel" data-week="{week}">{head}<p class="no-data">{escape(t("no_data"))}</p></section>'
        body = "".join(
            f"<tr><td>{escape(r['brand'])}{' <b>(' + escape(t('own_brand')) + ')</b>' if r['is_own_brand'] else ''}</td>"
            f"<td class=n>{fmt_count(r['mentions'])}</td><td class=n>{fmt_pct(r['share_of_voice'])}</td>"
            f"<td class=n>{fmt_pct(r['negative_share'])}</td><td class=n>{fmt_money(r['avg_price_cny'], 2)}</td>"
            f"<td class=n>{fmt_pct(r['avg_price_change'])}</td><td class=n>{fmt_count(r['items_price_down'])}</td>"
            f"<td class=n>{fmt_pct(r['max_discount'], 0)}</td><td>{escape(r['promotion_texts'] or '—')}</td>"
            f"<td class=n>{fmt_count(r['new_creatives'])}</td><td class=n>{fmt_count(r['best_app_rank'])}</td>"
            f"<td class=n>{_signed(r['app_rank_change'], 1)}</td></tr>"
            for r in rows
        )
        cols = [
            "brand_col", "mentions", "share_of_voice", "negative_share", "avg_price", "price_change", "items_price_down",
            "max_discount", "promotions", "new_creatives", "best_app_rank", "app_rank_change",
        ]  # fmt: skip
        return f'<section id="competitors" class="panel" data-week="{week}">{head}{_table(t, cols, body)}</section>'
