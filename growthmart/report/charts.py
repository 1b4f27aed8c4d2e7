"""The Plotly chart specs of a period page, from published cells only.

What a reader can trust on every chart (README "Reports", checked by tests/report/browser.py): each bar stands for
one key (an item, a campaign, a channel), its label made distinct when two read the same; rankings are in order;
a code's colour and label come from its declaration (growthmart/report/style.py), never from its position; a
period the data does not cover whole is marked (PARTIAL_MARK) or left out with a note; a series with nothing to
draw yet (an LTV not mature) is left out with a note, never an empty legend entry.
"""

from __future__ import annotations

from datetime import date, timedelta

from growthmart.report.data import RETENTION_DAYS, Period, PublishedData, add_months, week_start
from growthmart.report.i18n import Labels
from growthmart.report.style import (
    PARTIAL_MARK,
    SERIES,
    Chart,
    CodeStyles,
    category_axis,
    distinct_texts,
    meta,
)


def _num(v):
    return None if v is None else float(v)


def _short(d: date, kind: str) -> str:
    return d.strftime("%Y-%m") if kind == "monthly" else d.strftime("%m-%d")


def _weeks(weeks: list[date]) -> str:
    return ", ".join(w.strftime("%m-%d") for w in weeks)


class ChartBuilder:
    def __init__(self, data: PublishedData, labels: Labels, styles: CodeStyles, data_end: date | None):
        self.data = data
        self.t = labels
        self.styles = styles
        self.data_end = data_end

    def _label(self, row: dict | tuple, prefix: str, code) -> str:
        """The published label column <prefix>_label_<lang> of a row, the code when it has none."""
        return row.get(f"{prefix}_label_{self.t.lang}") or (code or "")

    def windows(self, period: Period) -> dict:
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

    def all(self, period: Period) -> list[Chart]:
        """One chart per figure, in page order (the brand chart is added by the watch sections)."""
        return [
            self.kpi_trend(period),
            self.retention_heatmap(period),
            self.funnel(period),
            self.cac_ltv(period),
            self.campaign_roi(period),
            self.spend_platform(period),
            self.top_content(period),
            self.lifecycle(period),
            self.attribution(period),
        ]

    def _partial_note(self) -> str:
        return self.t("partial_note", mark=PARTIAL_MARK, end=str(self.data_end or "—"))

    def kpi_trend(self, period: Period) -> Chart:
        """KPI trend: GMV and spend bars, active users on the right axis, the last periods; a period not complete
        (rpt_kpi_*.is_complete) is marked on the axis and drawn paler."""
        t = self.t
        count = {"daily": 30, "weekly": 12, "monthly": 12}[period.kind]
        trend = self.data.kpi_trend(period, count)
        attrs = {"data-x-period": period.kind, "data-period-source": f"{period.table}.{period.key_column}"}
        title = t(f"trend_{period.kind}")
        if not trend:
            return Chart("kpi_trend", title, None, attrs)
        keys = [r["k"].isoformat() for r in trend]
        partial = [not r["is_complete"] for r in trend]
        ticks = [
            _short(r["k"], period.kind) + (PARTIAL_MARK if p else "")
            for r, p in zip(trend, partial, strict=True)
        ]
        opacity = [0.45 if p else 1.0 for p in partial]

        def bars(metric: str) -> dict:
            return {"type": "bar", "name": t(metric), "x": keys, "y": [_num(r[metric]) for r in trend],
                    "meta": meta("metric", metric), "marker": {"color": SERIES[f"metric:{metric}"], "opacity": opacity}}  # fmt: skip

        spec = {
            "data": [
                bars("gmv"),
                bars("spend"),
                {"type": "scatter", "mode": "lines+markers", "name": t(f"active_users_{period.kind}"), "x": keys,
                 "y": [_num(r["active_users"]) for r in trend], "yaxis": "y2", "meta": meta("metric", "active_users"),
                 "line": {"color": SERIES["metric:active_users"]}, "marker": {"color": SERIES["metric:active_users"]}},
            ],
            "layout": {"barmode": "group", "xaxis": category_axis(keys, ticks),
                       "yaxis": {"title": {"text": "¥"}, "tickformat": ",.0f"},
                       "yaxis2": {"overlaying": "y", "side": "right", "tickformat": ",d"}},
        }  # fmt: skip
        return Chart("kpi_trend", title, spec, attrs, self._partial_note() if any(partial) else "")

    def retention_heatmap(self, period: Period) -> Chart:
        """Retention cohort heatmap: immature cells are null (drawn blank), never 0."""
        t = self.t
        first, last = self.windows(period)["cohorts"]
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
        return Chart("retention_heatmap", f"{t('retention')} · {t.window(first, last)}", spec)

    def funnel(self, period: Period) -> Chart:
        """Funnel by channel over the window's mature cohort weeks (rpt_funnel_users.is_complete): the drop-off at
        each step, the users who reached it on hover. A cohort week still maturing would show its later steps as
        lost, so it is left out and named in the note."""
        t = self.t
        first, last = self.windows(period)["funnel"]
        weeks = self.data.funnel_weeks(first, last)
        mature = [w for w, complete in weeks if complete]
        immature = [w for w, complete in weeks if not complete]
        note = t("funnel_immature", weeks=_weeks(immature)) if immature else ""
        title = f"{t('funnel')} · {t('cohort_weeks', start=mature[0].isoformat(), end=mature[-1].isoformat()) if mature else t.window(first, last)}"
        funnel = self.data.funnel(mature) if mature else []
        if not funnel:
            return Chart("funnel", title, None, {}, note)
        names = {r[0]: r[1] if t.lang == "zh" else r[2] for r in funnel}
        channels = sorted(names)
        steps = sorted({(r[3], r[4]) for r in funnel})
        users = {(r[0], r[3]): int(r[5]) for r in funnel}
        # One row per step after the first: the share of the previous step's users lost there (drop-off), per
        # channel; the text carries the users who reached the step.
        z, text, labels, reached = [], [], [], []
        for (order, name), (_, prev_name) in zip(steps[1:], steps[:-1], strict=True):
            labels.append(f"{t('step_' + prev_name)} → {t('step_' + name)}")
            row, row_text, row_users = [], [], []
            for ch in channels:
                u, prev = users.get((ch, order), 0), users.get((ch, order - 1))
                drop = None if not prev else 1 - u / prev
                row.append(drop)
                row_text.append("" if drop is None else f"-{drop * 100:.0f}%")
                row_users.append([u, names[ch]])
            z.append(row)
            text.append(row_text)
            reached.append(row_users)
        spec = {
            "data": [{
                "type": "heatmap", "z": z, "x": channels, "customdata": reached,
                "y": labels, "text": text, "texttemplate": "%{text}", "hoverongaps": False,
                "colorscale": "Reds", "zmin": 0, "zmax": 1, "colorbar": {"tickformat": ".0%", "title": {"text": t("drop_off")}},
                "hovertemplate": "%{customdata[1]} · %{y}: " + t("drop_off") + " %{z:.1%} · %{customdata[0]:,d}<extra></extra>",
            }],
            "layout": {"yaxis": {"autorange": "reversed", "type": "category", "automargin": True},
                       "xaxis": category_axis(channels, [names[c] for c in channels]), "margin": {"l": 140, "b": 90}, "height": 380},
        }  # fmt: skip
        return Chart("funnel", title, spec, {}, note)

    def cac_ltv(self, period: Period) -> Chart:
        """CAC vs LTV by channel, payback day. An LTV no channel of the month has yet (not mature) is left out and
        said so in the note."""
        t = self.t
        month = self.data.cac_ltv_month(period.end)
        rows = self.data.cac_ltv(month) if month else []
        partial = bool(month and self.data_end and add_months(month, 1) - timedelta(days=1) > self.data_end)
        month_text = t("window_month", month=month.strftime("%Y-%m")) if month else ""
        title = f"{t('cac_ltv')} · {month_text}" + (PARTIAL_MARK if partial else "")
        if not rows:
            return Chart("cac_ltv", title, None, {}, self._partial_note() if partial else "")
        chans = [r["channel"] for r in rows]
        payback = [r["payback_days"] for r in rows]
        data = [
            {"type": "bar", "name": t("cac"), "x": chans, "y": [_num(r["cac"]) for r in rows], "meta": meta("metric", "cac"),
             "marker": {"color": SERIES["metric:cac"]},
             "text": ["" if p is None else f"{t('payback_days')} {p}" for p in payback], "textposition": "outside"},
        ]  # fmt: skip
        not_mature = []
        for metric in ("ltv_30d", "ltv_90d"):
            values = [_num(r[metric]) for r in rows]
            if all(v is None for v in values):
                not_mature.append(t(metric))
                continue
            data.append({"type": "bar", "name": t(metric), "x": chans, "y": values, "meta": meta("metric", metric),
                         "marker": {"color": SERIES[f"metric:{metric}"]}})  # fmt: skip
        spec = {
            "data": data,
            "layout": {"barmode": "group", "yaxis": {"title": {"text": "¥"}, "tickformat": ",.0f"},
                       "xaxis": category_axis(chans, [self._label(r, "channel", r["channel"]) for r in rows])},
        }  # fmt: skip
        notes = [self._partial_note()] if partial else []
        if not_mature:
            notes.append(
                t("ltv_not_mature", names="、".join(not_mature) if t.lang == "zh" else ", ".join(not_mature))
            )
        return Chart("cac_ltv", title, spec, {}, " · ".join(notes))

    def campaign_roi(self, period: Period) -> Chart:
        """Campaign ROI ranking: the five best and five worst of the window, one bar per campaign id, labelled by
        the campaign's name."""
        t = self.t
        first, last = self.windows(period)["short"]
        camps = self.data.campaign_roi(first, last)
        title = f"{t('campaign_roi')} · {t.window(first, last)}"
        if not camps:
            return Chart("campaign_roi", title, None, {"data-ranked": "desc"})
        ranked = camps if len(camps) <= 10 else camps[:5] + camps[-5:]
        ranked = ranked[::-1]  # horizontal bars draw bottom-up: best on top
        ids = [c["campaign_id"] for c in ranked]
        where = [self._label(c, "platform", c["platform"]) if c["platform"] else self._label(c, "channel", c["channel"]) for c in ranked]  # fmt: skip
        names = distinct_texts(
            [f"{c['campaign_name'] or c['campaign_id']} ({w})" for c, w in zip(ranked, where, strict=True)],
            [[c["campaign_id"]] for c in ranked],
        )
        sign = ["gain" if (c["roi"] or 0) >= 0 else "loss" for c in ranked]
        spec = {
            "data": [{
                "type": "bar", "orientation": "h", "x": [_num(c["roi"]) for c in ranked], "y": ids,
                "meta": [meta("roi", s) for s in sign], "marker": {"color": [SERIES[f"roi:{s}"] for s in sign]},
                "customdata": [[_num(c["spend"]), _num(c["revenue"]), n] for c, n in zip(ranked, names, strict=True)],
                "hovertemplate": "%{customdata[2]}: ROI %{x:.0%} · " + t("spend") + " ¥%{customdata[0]:,.0f} · ¥%{customdata[1]:,.0f}<extra></extra>",
            }],
            "layout": {"xaxis": {"tickformat": ".0%", "title": {"text": t("roi")}},
                       "yaxis": category_axis(ids, names), "margin": {"l": 200}},
        }  # fmt: skip
        return Chart("campaign_roi", title, spec, {"data-ranked": "desc"})

    def spend_platform(self, period: Period) -> Chart:
        """Spend by platform per day, stacked; each platform in its declared colour."""
        t = self.t
        first, last = (
            (period.end - timedelta(days=29), period.end)
            if period.kind == "daily"
            else (period.start, period.end)
        )
        spend = self.data.spend_by_platform(first, last)
        title = f"{t('spend_platform')} · {t.window(first, last)}"
        if not spend:
            return Chart("spend_platform", title, None)
        names = {r[1]: (r[2] if t.lang == "zh" else r[3]) or r[1] for r in spend}
        platforms = sorted(names)
        days = sorted({r[0] for r in spend})
        cell = {(r[0], r[1]): _num(r[4]) for r in spend}
        spec = {
            "data": [{"type": "bar", "name": names[p] or t("non_ad_cost"), "x": [d.isoformat() for d in days],
                      "y": [cell.get((d, p), 0) for d in days], "meta": meta("platform", p),
                      "marker": {"color": self.styles.color("platform", p)}} for p in platforms],
            "layout": {"barmode": "stack", "yaxis": {"title": {"text": "¥"}, "tickformat": ",.0f"}},
        }  # fmt: skip
        return Chart("spend_platform", title, spec)

    def top_content(self, period: Period) -> Chart:
        """Top content published in the window: one bar per content id (two items of one title and platform are
        two bars, their labels told apart by the publishing day), ranked by attributed signups."""
        t = self.t
        first, last = self.windows(period)["content"]
        content = self.data.top_content(first, last)
        title = f"{t('top_content')} · {t.window(first, last)}"
        if not content:
            return Chart("top_content", title, None, {"data-ranked": "desc"})
        items = content[::-1]  # horizontal bars draw bottom-up: the first on top
        ids = [c["content_id"] for c in items]
        names = distinct_texts(
            [f"{(c['title'] or c['content_id'])[:24]} · {self._label(c, 'platform', c['platform'])}" for c in items],
            [[c["published_date"].strftime("%m-%d") if c["published_date"] else c["content_id"], c["content_id"]] for c in items],
        )  # fmt: skip
        spec = {
            "data": [{
                "type": "bar", "orientation": "h", "x": [int(c["attributed_signups"] or 0) for c in items], "y": ids,
                "meta": [meta("content_platform", c["platform"]) for c in items],
                "marker": {"color": [self.styles.color("content_platform", c["platform"]) for c in items]},
                "customdata": [[int(c["views"] or 0), int(c["leads"] or 0), n] for c, n in zip(items, names, strict=True)],
                "hovertemplate": "%{customdata[2]}: %{x:,d} · views %{customdata[0]:,d} · leads %{customdata[1]:,d}<extra></extra>",
            }],
            "layout": {"yaxis": category_axis(ids, names), "margin": {"l": 240},
                       "xaxis": {"title": {"text": t("users")}}},
        }  # fmt: skip
        return Chart("top_content", title, spec, {"data-ranked": "desc"})

    def lifecycle(self, period: Period) -> Chart:
        """Lifecycle layers per complete week: a week not over yet (rpt_user_lifecycle_weekly.is_complete) would
        show the users not seen so far as dormant, so it is left out and named in the note."""
        t = self.t
        first, last = self.windows(period)["lifecycle"]
        life = self.data.lifecycle(first, last)
        title = f"{t('lifecycle')} · {t.window(first, last)}"
        attrs = {"data-x-period": "weekly", "data-period-source": "rpt_user_lifecycle_weekly.week_start"}
        left_out = sorted({r[0] for r in life if not r[4]})
        note = t("lifecycle_partial", weeks=_weeks(left_out)) if left_out else ""
        life = [r for r in life if r[4]]
        if not life:
            return Chart("lifecycle", title, None, attrs, note)
        states = sorted({(r[2], r[1]) for r in life})
        weeks = sorted({r[0] for r in life})
        keys = [w.isoformat() for w in weeks]
        cell = {(r[0], r[1]): int(r[3]) for r in life}
        spec = {
            "data": [{"type": "bar", "name": t(f"state_{s}"), "x": keys, "y": [cell.get((w, s), 0) for w in weeks],
                      "meta": meta("state", s), "marker": {"color": SERIES[f"state:{s}"]}} for _, s in states],
            "layout": {"barmode": "stack", "xaxis": category_axis(keys, [_short(w, "weekly") for w in weeks]),
                       "yaxis": {"tickformat": ",d", "title": {"text": t("users")}}},
        }  # fmt: skip
        return Chart("lifecycle", title, spec, attrs, note)

    def attribution(self, period: Period) -> Chart:
        """Attribution by model, the month of the page's end (marked when the month is not over)."""
        t = self.t
        month = period.end.replace(day=1)
        attr = self.data.attribution(month)
        partial = any(not r[5] for r in attr)
        title = f"{t('attribution')} · {month.strftime('%Y-%m')}" + (PARTIAL_MARK if partial else "")
        if not attr:
            return Chart("attribution", title, None)
        names = {r[0]: (r[1] if t.lang == "zh" else r[2]) or r[0] for r in attr}
        channels = sorted(names)
        models = sorted({r[3] for r in attr})
        cell = {(r[0], r[3]): _num(r[4]) for r in attr}
        spec = {
            "data": [{"type": "bar", "name": t(f"model_{m}"), "x": channels, "y": [cell.get((c, m)) for c in channels],
                      "meta": meta("attribution_model", m), "marker": {"color": self.styles.color("attribution_model", m)}}
                     for m in models],
            "layout": {"barmode": "group", "yaxis": {"title": {"text": "¥"}, "tickformat": ",.0f"},
                       "xaxis": category_axis(channels, [names[c] for c in channels])},
        }  # fmt: skip
        return Chart("attribution", title, spec, {}, self._partial_note() if partial else "")
