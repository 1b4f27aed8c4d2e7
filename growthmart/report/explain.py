"""The two sections a period page opens with after its alerts: what moved and why (rpt_kpi_drivers: one waterfall
per explained KPI, from the previous period's value through the top drivers' contributions to this period's value)
and what the team could do (rpt_recommendations). Published cells only: contributions are drawn as published,
never recomputed, so a waterfall's bars add up to the change its KPI tile shows (tests/report/browser.py checks
that in Chromium).

Markup contract (tests/report): `<section id="moved" data-period-type data-previous-period-start>` with one chart
`<div class="chart" data-chart="moved_<metric>" data-metric data-compare>` per explained metric, drawn as one plotly
`waterfall` trace (an `absolute` bar, `relative` bars, a `total` bar); `<section id="recommendations"
data-recommendations="N">` with one `<tr data-rule data-subject data-date>` per recommendation shown, in the
order readers get them (priority first).
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape

from growthmart.report.data import PERIOD_TYPE, Period, PublishedData
from growthmart.report.i18n import KIND, Labels, fmt_delta, fmt_value
from growthmart.report.style import PARTIAL_MARK, Chart, category_axis, distinct_texts
from growthmart.report.watch import message_section

METRICS = ("gmv", "new_users", "cac", "blended_roas")  # rpt_kpi_drivers.metric, in page order
TOP_DRIVERS = 6  # bars between before and now; the rest is one "others" bar, so the bars still add up
TOP_IN_WORDS = 3  # drivers named in the one-line summary of each metric
MAX_RECOMMENDATIONS_SHOWN = 20  # a month of daily budget judgements would bury the page: the rest is one line
# A rise is good for these KPIs and bad for CAC: the waterfall colours a contribution by what it does to the business.
LOWER_IS_BETTER = {"cac"}


def delta_tone(metric: str, direction: str) -> str:
    """The colour class of a change ("good", "bad" or "" when flat or unknown): what it does to the business, as its
    waterfall shows it; a tile, a line in words and a waterfall of one metric never disagree."""
    if direction not in ("up", "down"):
        return ""
    return "good" if (direction == "up") != (metric in LOWER_IS_BETTER) else "bad"


GOOD, BAD, TOTAL = "#19a979", "#d83931", "#2f6fde"
# Decimals of a signed contribution: Shapley parts of a count are fractions of a user.
SIGNED_DECIMALS = {"count": 1, "money": 0, "money2": 2, "multiple": 3}


def fmt_signed(kind: str, value: float) -> str:
    """A contribution with its sign, in the metric's unit: +¥1,234, −3.5, +¥0.42, −0.012×."""
    v = float(value)
    sign = "+" if v > 0 else "−" if v < 0 else "±"
    digits = f"{abs(v):,.{SIGNED_DECIMALS[kind]}f}"
    if kind in ("money", "money2"):
        return f"{sign}¥{digits}"
    return f"{sign}{digits}" + ("×" if kind == "multiple" else "")


class ExplainSections:
    def __init__(self, data: PublishedData, labels: Labels):
        self.data = data
        self.t = labels

    def _named(self, prefix: str, code: str) -> str:
        """The page's label of a driver or rule; a code the pages have no label for yet shows itself."""
        key = f"{prefix}_{code}"
        text = self.t(key)
        return code if text == key else text

    # ------------------------------------------------------------------ what moved and why
    def _driver_label(self, row: dict) -> str:
        """The driver's name, with its channel's or platform's published label when it is one's."""
        name = self._named("driver", row["driver"])
        for segment in ("channel", "platform"):
            if row[segment] is not None:
                return f"{name} · {row.get(f'{segment}_label_{self.t.lang}') or row[segment]}"
        return name

    def _bars(self, rows: list[dict]) -> list[tuple[str, str, float]]:
        """(key, label, contribution) of the bars between before and now: the largest contributions first, the
        rest summed into one bar; drivers that contributed nothing are left out (they draw nothing)."""
        moved = sorted(
            (r for r in rows if r["contribution"]),
            key=lambda r: (-abs(r["contribution"]), r["driver"], r["channel"] or "", r["platform"] or ""),
        )
        keys = [":".join([r["driver"], r["channel"] or r["platform"] or ""]) for r in moved]
        labels = distinct_texts([self._driver_label(r) for r in moved], [[k] for k in keys])
        bars = [(k, label, r["contribution"]) for k, label, r in zip(keys, labels, moved, strict=True)]
        if len(bars) <= TOP_DRIVERS:
            return bars
        rest = bars[TOP_DRIVERS - 1 :]
        others = ("others", self.t("moved_others", n=len(rest)), sum(b[2] for b in rest))
        return [*bars[: TOP_DRIVERS - 1], others]

    def _period_text(self, period: Period, start) -> str:
        return Period(period.kind, start).label if period.kind != "weekly" else self.t("week_of", start=start)

    def _waterfall(self, period: Period, metric: str, rows: list[dict]) -> Chart:
        t = self.t
        kind = KIND[metric]
        attrs = {"data-metric": metric, "data-compare": f"vs_previous_{period.kind}"}
        chart_id = f"moved_{metric}"
        if not rows:
            return Chart(chart_id, t(metric), None, attrs, t(f"moved_none_{metric}"))
        first = rows[0]
        before, now = float(first["value_before"]), float(first["value_now"])
        delta, _ = fmt_delta(kind, now, before)
        partial = not all(r["is_complete"] for r in rows)
        title = f"{t(metric)}: {fmt_value(kind, before)} → {fmt_value(kind, now)} ({delta})" + (
            PARTIAL_MARK if partial else ""
        )
        bars = self._bars(rows)
        keys = ["before", *(b[0] for b in bars), "now"]
        texts = [
            f"{t('moved_before_' + period.kind)} {self._period_text(period, first['previous_period_start'])}",
            *(b[1] for b in bars),
            f"{t('moved_now_' + period.kind)} {self._period_text(period, period.start)}",
        ]
        values = [before, *(float(b[2]) for b in bars), now]
        shown = [fmt_value(kind, before), *(fmt_signed(kind, b[2]) for b in bars), fmt_value(kind, now)]
        colour = {"good": GOOD, "bad": BAD}
        up, down = colour[delta_tone(metric, "up")], colour[delta_tone(metric, "down")]
        path, level = [before, now], before
        for _, _, part in bars:
            level += float(part)
            path.append(level)
        low, high = min(path), max(path)
        pad = (high - low) * 0.35 or abs(high) * 0.1 or 1.0
        bottom = max(low - pad, 0.0) if low >= 0 else low - pad
        spec = {
            "data": [{
                "type": "waterfall", "x": keys, "y": values, "measure": ["absolute", *["relative"] * len(bars), "total"],
                "text": shown, "textposition": "outside", "cliponaxis": False, "customdata": texts,
                "increasing": {"marker": {"color": up}}, "decreasing": {"marker": {"color": down}},
                "totals": {"marker": {"color": TOTAL}}, "connector": {"line": {"color": "#c9cdd4", "width": 1}},
                "hovertemplate": "%{customdata}: %{text}<extra></extra>",
            }],
            "layout": {"showlegend": False, "xaxis": category_axis(keys, texts),
                       "yaxis": {"range": [bottom, high + pad], "tickformat": ",.2f" if kind != "money" else ",.0f"},
                       "margin": {"b": 110}, "height": 360},
        }  # fmt: skip
        notes = [t("moved_others_note")] if bars and bars[-1][0] == "others" else []
        if partial:
            notes.append(t("moved_partial", mark=PARTIAL_MARK))
        return Chart(chart_id, title, spec, attrs, " · ".join(notes))

    def _in_words(self, metric: str, rows: list[dict]) -> str:
        """One line: the metric's change and the drivers that moved it most."""
        kind = KIND[metric]
        first = rows[0]
        delta, direction = fmt_delta(kind, first["value_now"], first["value_before"])
        top = [b for b in self._bars(rows) if b[0] != "others"][:TOP_IN_WORDS]
        why = (
            "、".join(f"{escape(label)} {fmt_signed(kind, part)}" for _, label, part in top)
            if self.t.lang == "zh"
            else ", ".join(f"{escape(label)} {fmt_signed(kind, part)}" for _, label, part in top)
        )
        change = fmt_signed(kind, first["value_change"])
        return (
            f'<li data-metric="{metric}"><b>{escape(self.t(metric))}</b> '
            f'<span class="delta {direction} {delta_tone(metric, direction)}" style="display:inline"><b>{change} ({delta})</b></span>'
            + (f"{escape(self.t('moved_because'))}{why}" if top else "")
            + "</li>"
        )

    def moved(self, period: Period, figure: Callable[[Chart], str]) -> str:
        """The section: a line per metric in words, then its waterfall (drawn by `figure`, the page's figure
        markup). A period without the one before it published says so and draws nothing."""
        t = self.t
        rows = self.data.drivers(period)
        by_metric = {m: [r for r in rows if r["metric"] == m] for m in METRICS}
        head = f"<h2>{escape(t('moved'))}</h2>"
        if not rows:
            return (
                f'<section id="moved" class="panel" data-period-type="{PERIOD_TYPE[period.kind]}">{head}'
                f'<p class="no-data">{escape(t("moved_no_previous"))}</p></section>'
            )
        previous = rows[0]["previous_period_start"]
        head = (
            f"<h2>{escape(t('moved'))} · {escape(self._period_text(period, period.start))} "
            f"{escape(t('moved_vs'))} {escape(self._period_text(period, previous))}</h2>"
        )
        words = "".join(self._in_words(m, r) for m, r in by_metric.items() if r)
        figures = "".join(figure(self._waterfall(period, m, r)) for m, r in by_metric.items())
        return (
            f'<section id="moved" class="panel" data-period-type="{PERIOD_TYPE[period.kind]}" '
            f'data-previous-period-start="{previous}">{head}<ul class="moved">{words}</ul>'
            f'<div class="grid">{figures}</div><p class="note">{escape(t("moved_note"))}</p></section>'
        )

    # ------------------------------------------------------------------ recommendations
    def recommendations(self, period: Period) -> str:
        t = self.t
        rows = self.data.recommendations(period.start, period.end)
        message = "message_zh" if t.lang == "zh" else "message_en"

        def row(r: dict, dated: bool) -> str:
            return (
                f'<tr data-rule="{escape(r["rule_id"])}" data-subject="{escape(r["subject"])}" '
                f'data-date="{r["report_date"]}"><td class=n>{r["priority"]}</td>'
                f"<td>{escape(self._named('rule', r['rule_id']))}</td>"
                + (f"<td>{r['report_date']}</td>" if dated else "")
                + f'<td>{escape(r[message] or "")}</td><td class="note">{escape(r["evidence_keys"] or "")}</td></tr>'
            )

        latest = period.kind != "daily"  # a subject judged on several days of the period is listed once
        return message_section(
            t, period, section_id="recommendations", title=t("recommendations"), rows=rows, row=row,
            columns=["rec_priority", "rec_rule", "date", "rec_message", "rec_evidence"],
            empty=f'<p class="note">{escape(t("no_recommendations"))}</p>', more_key="more_recommendations",
            cap=MAX_RECOMMENDATIONS_SHOWN,
            after=f'<p class="note">{escape(t("recommendations_latest"))}</p>' if latest else "",
        )  # fmt: skip
