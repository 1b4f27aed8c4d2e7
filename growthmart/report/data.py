"""Small aggregates for one report page, read from the PUBLISHED DuckDB (read-only; never the warehouse).

Every query here returns at most a few hundred rows: per-user tables are aggregated in SQL.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import duckdb

PERIODS = ("daily", "weekly", "monthly")
KEY_COLUMN = {"daily": "report_date", "weekly": "week_start", "monthly": "month_start"}
KPI_TABLE = {"daily": "rpt_kpi_daily", "weekly": "rpt_kpi_weekly", "monthly": "rpt_kpi_monthly"}
PERIOD_TYPE = {"daily": "day", "weekly": "week", "monthly": "month"}  # rpt_kpi_drivers.period_type of a page
KPI_COLUMNS = ("new_users", "active_users", "gmv", "net_revenue", "arppu", "spend", "cac", "blended_roas")
KPI_COLUMNS += ("d1_retention", "d7_retention", "is_complete")
RETENTION_DAYS = (0, 1, 2, 3, 7, 14, 30)


def month_start(d: date) -> date:
    return d.replace(day=1)


def add_months(d: date, months: int) -> date:
    y, m = divmod(d.month - 1 + months, 12)
    return date(d.year + y, m + 1, 1)


def week_start(d: date) -> date:
    return d - timedelta(days=d.weekday())


@dataclass(frozen=True)
class Period:
    kind: str  # daily | weekly | monthly
    start: date

    @classmethod
    def containing(cls, kind: str, d: date) -> Period:
        if kind == "daily":
            return cls(kind, d)
        if kind == "weekly":
            return cls(kind, week_start(d))
        return cls(kind, month_start(d))

    @property
    def end(self) -> date:
        if self.kind == "daily":
            return self.start
        if self.kind == "weekly":
            return self.start + timedelta(days=6)
        return add_months(self.start, 1) - timedelta(days=1)

    @property
    def key_column(self) -> str:
        return KEY_COLUMN[self.kind]

    @property
    def table(self) -> str:
        return KPI_TABLE[self.kind]

    @property
    def label(self) -> str:
        return self.start.strftime("%Y-%m") if self.kind == "monthly" else self.start.isoformat()

    @property
    def relpath(self) -> str:
        return f"{self.kind}/{self.label}.html"

    def previous(self) -> Period:
        if self.kind == "daily":
            return Period(self.kind, self.start - timedelta(days=1))
        if self.kind == "weekly":
            return Period(self.kind, self.start - timedelta(days=7))
        return Period(self.kind, add_months(self.start, -1))

    def same_period_before(self) -> tuple[Period, str]:
        """The same day a week before (daily) or the same week / month a year before, and its label key."""
        if self.kind == "daily":
            return Period(self.kind, self.start - timedelta(days=7)), "vs_week_ago"
        if self.kind == "weekly":
            return Period(self.kind, self.start - timedelta(days=364)), "vs_year_ago"
        return Period(self.kind, add_months(self.start, -12)), "vs_year_ago"


class PublishedData:
    """One read-only connection to the published DuckDB, shared by every page of a build."""

    def __init__(self, db_path):
        self.con = duckdb.connect(str(db_path), read_only=True)

    def close(self) -> None:
        self.con.close()

    def rows(self, sql: str, params: list | None = None) -> list[tuple]:
        return self.con.execute(sql, params or []).fetchall()

    def dicts(self, sql: str, params: list | None = None) -> list[dict]:
        cur = self.con.execute(sql, params or [])
        names = [d[0] for d in cur.description]
        return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]

    def has_table(self, schema: str, name: str) -> bool:
        return bool(
            self.rows(
                "select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
                [schema, name],
            )[0][0]
        )

    # ------------------------------------------------------------------ periods and KPI tiles
    def period_keys(self, kind: str) -> list[date]:
        return [
            r[0] for r in self.rows(f"select {KEY_COLUMN[kind]} from reports.{KPI_TABLE[kind]} order by 1")
        ]

    def kpi_row(self, period: Period) -> dict | None:
        cols = ", ".join(KPI_COLUMNS)
        found = self.dicts(
            f"select {cols} from reports.{period.table} where {period.key_column} = ?", [period.start]
        )
        return found[0] if found else None

    def mau_row(self, d: date) -> dict | None:
        found = self.dicts(
            "select month_start, active_users from reports.rpt_kpi_monthly where month_start = ?",
            [month_start(d)],
        )
        return found[0] if found else None

    def kpi_trend(self, period: Period, count: int) -> list[dict]:
        return self.dicts(
            f"""select {period.key_column} as k, gmv, net_revenue, spend, active_users, new_users, blended_roas,
                       is_complete
                from reports.{period.table} where {period.key_column} <= ?
                order by 1 desc limit ?""",
            [period.start, count],
        )[::-1]

    def code_styles(self) -> list[tuple]:
        """(code_type, code, label_zh, label_en, color) of every published code (marts.dim_code_labels)."""
        if not self.has_table("marts", "dim_code_labels"):
            return []
        return self.rows("select code_type, code, label_zh, label_en, color from marts.dim_code_labels")

    # ------------------------------------------------------------------ charts
    def retention(self, first: date, last: date) -> list[tuple]:
        """(cohort_date, day_n, rate) over all channels; rate NULL where the cell is not mature (is_complete false)
        or the cohort is empty."""
        days = ", ".join(str(d) for d in RETENTION_DAYS)
        return self.rows(
            f"""select cohort_date, day_n,
                       case when bool_and(is_complete) and sum(cohort_size) > 0
                            then sum(retained_users) / sum(cohort_size) end as rate,
                       sum(cohort_size) as size
                from reports.rpt_retention_cohorts
                where cohort_date between ? and ? and day_n in ({days})
                group by 1, 2 order by 1, 2""",
            [first, last],
        )

    def funnel_weeks(self, first: date, last: date) -> list[tuple]:
        """(cohort_week, is_complete) of the funnel's cohort weeks first..last: a week is complete when every step
        of every cohort user has had its time to happen (rpt_funnel_users)."""
        return self.rows(
            """select cohort_week, bool_and(is_complete) from reports.rpt_funnel_users
               where cohort_week between ? and ? group by 1 order by 1""",
            [first, last],
        )

    def funnel(self, weeks: list[date]) -> list[tuple]:
        return self.rows(
            """select channel, any_value(channel_label_zh), any_value(channel_label_en), step_order, step_name,
                      sum(users) as users
               from reports.rpt_funnel_users where list_contains(?, cohort_week)
               group by channel, step_order, step_name order by channel, step_order""",
            [weeks],
        )

    def cac_ltv_month(self, last: date) -> date | None:
        """The latest acquisition month up to `last` whose 30-day LTV is known (else the latest): a month too
        recent for any LTV would show CAC alone."""
        found = self.rows(
            """select coalesce(max(acquisition_month) filter (where ltv_30d is not null), max(acquisition_month))
               from reports.rpt_cac_ltv_monthly where acquisition_month <= ?""",
            [last],
        )
        return found[0][0] if found else None

    def cac_ltv(self, month: date) -> list[dict]:
        return self.dicts(
            """select channel, channel_label_zh, channel_label_en, spend, new_users, cac, ltv_30d, ltv_90d,
                      payback_days
               from reports.rpt_cac_ltv_monthly where acquisition_month = ? and new_users > 0
               order by spend desc, channel""",
            [month],
        )

    def campaign_roi(self, first: date, last: date) -> list[dict]:
        return self.dicts(
            """select campaign_id, any_value(campaign_name) as campaign_name, any_value(platform) as platform,
                      any_value(channel) as channel, any_value(platform_label_zh) as platform_label_zh,
                      any_value(platform_label_en) as platform_label_en, any_value(channel_label_zh) as channel_label_zh,
                      any_value(channel_label_en) as channel_label_en,
                      sum(spend) as spend, sum(attributed_revenue) as revenue,
                      (sum(attributed_revenue) - sum(spend)) / sum(spend) as roi
               from reports.rpt_campaign_roi_daily where report_date between ? and ?
               group by 1 having sum(spend) > 0 order by roi desc, campaign_id""",
            [first, last],
        )

    def spend_by_platform(self, first: date, last: date) -> list[tuple]:
        return self.rows(
            """select report_date, coalesce(platform, '') as platform, any_value(platform_label_zh),
                      any_value(platform_label_en), sum(spend)
               from reports.rpt_campaign_roi_daily where report_date between ? and ?
               group by report_date, platform order by 1, 2""",
            [first, last],
        )

    def top_content(self, first: date, last: date, limit: int = 10) -> list[dict]:
        return self.dicts(
            """select content_id, platform, platform_label_zh, platform_label_en, title, published_date, views, leads,
                      attributed_signups, attributed_revenue
               from reports.rpt_content_items where published_date between ? and ?
               order by attributed_signups desc nulls last, leads desc nulls last, views desc nulls last,
                        content_id
               limit ?""",
            [first, last, limit],
        )

    def lifecycle(self, first: date, last: date) -> list[tuple]:
        return self.rows(
            """select week_start, state, min(state_order) as state_order, sum(users), bool_and(is_complete)
               from reports.rpt_user_lifecycle_weekly where week_start between ? and ?
               group by 1, 2 order by 1, 3""",
            [first, last],
        )

    def attribution(self, month: date) -> list[tuple]:
        return self.rows(
            """select channel, channel_label_zh, channel_label_en, attribution_model, attributed_revenue,
                      is_complete_month
               from reports.rpt_attribution_channels where attribution_month = ?
               order by 1, 2""",
            [month],
        )

    def activities(self, first: date, last: date) -> list[dict]:
        """The activity phases overlapping first..last: activity by activity (the earliest first), each in its
        published phase order (warmup, peak, wrapup, then the total)."""
        return self.dicts(
            """select activity_id, activity_name, phase, phase_order, phase_start, phase_end, participants, gmv_cny,
                      gmv_uplift, roi, uplift_roi, is_complete
               from reports.rpt_activity_review where phase_start <= ? and phase_end >= ?
               order by min(phase_start) over (partition by activity_id), activity_name, activity_id, phase_order""",
            [last, first],
        )

    def ab_tests(self, first: date, last: date) -> list[dict]:
        return self.dicts(
            """select experiment_name, variant_name, is_control, lift, p_value, is_significant,
                      is_sample_too_small, is_complete, start_date, end_date
               from reports.rpt_ab_tests where start_date <= ? and end_date >= ?
               order by start_date, experiment_name, is_control desc, variant_name""",
            [last, first],
        )

    # ------------------------------------------------------------------ what moved and why, what to do
    def drivers(self, period: Period) -> list[dict]:
        """rpt_kpi_drivers of the page's period against the one before (day over day, week over week, month over
        month): every driver row of every metric, with the labels of its channel or platform; none when the
        publication has no rpt_kpi_drivers."""
        if not self.has_table("reports", "rpt_kpi_drivers"):
            return []
        return self.dicts(
            """select metric, driver, channel, platform, channel_label_zh, channel_label_en, platform_label_zh,
                      platform_label_en, value_before, value_now, value_change, contribution, is_complete,
                      previous_period_start
               from reports.rpt_kpi_drivers where period_type = ? and period_start = ?
               order by metric, driver, channel nulls first, platform nulls first""",
            [PERIOD_TYPE[period.kind], period.start],
        )

    def recommendations(self, first: date, last: date) -> list[dict]:
        """rpt_recommendations of the days first..last, each (rule, subject) once, as of its latest day there (a
        campaign judged every day of a week is one recommendation on the weekly page), in the order readers get
        them: priority, then the newest, rule and subject; none when the publication has no rpt_recommendations."""
        if not self.has_table("reports", "rpt_recommendations"):
            return []
        return self.dicts(
            """select report_date, rule_id, subject, priority, message_zh, message_en, evidence_keys
               from reports.rpt_recommendations where report_date between ? and ?
               qualify row_number() over (partition by rule_id, subject order by report_date desc) = 1
               order by priority, report_date desc, rule_id, subject""",
            [first, last],
        )

    # ------------------------------------------------------------------ alerts, brand and competitors
    def alerts(self, first: date, last: date) -> list[dict]:
        """rpt_alerts of the days first..last, most severe first, then the newest, the kind (growthmart/alerts
        KINDS order), metric and subject; none when the publication has no rpt_alerts."""
        if not self.has_table("reports", "rpt_alerts"):
            return []
        from growthmart.alerts.model import KINDS, SEVERITIES

        return self.dicts(
            """select alert_id, kind, metric, subject, severity, alert_date, message_zh, message_en
               from reports.rpt_alerts where alert_date between ? and ?
               order by list_position(?, severity), alert_date desc, list_position(?, kind), metric, subject""",
            [first, last, list(SEVERITIES), list(KINDS)],
        )

    def brand_platforms(self, day: date) -> list[dict]:
        """Our brand's published cells of `day`, one row per platform."""
        return self.dicts(
            """select platform, platform_label_zh, platform_label_en, mentions, negative_mentions, weighted_reach,
                      negative_share, net_sentiment, share_of_voice
               from reports.rpt_brand_sentiment_daily where report_date = ? and is_own_brand
               order by mentions desc, platform""",
            [day],
        )

    def brand_negative_by_platform(self, first: date, last: date) -> list[dict]:
        """Our brand's negative mentions a day and platform (with its labels), first..last."""
        return self.dicts(
            """select report_date, platform, platform_label_zh, platform_label_en, negative_mentions
               from reports.rpt_brand_sentiment_daily
               where is_own_brand and report_date between ? and ? order by 1, 2""",
            [first, last],
        )

    def incidents(self, first: date, last: date) -> list[dict]:
        """Negative spikes (rpt_brand_incidents) overlapping first..last: ours first, then the newest."""
        return self.dicts(
            """select incident_id, brand, is_own_brand, platform, platform_label_zh, platform_label_en, start_date,
                      end_date, negative_mentions,
                      baseline_negative_median, peak_robust_z, severity, status, top_posts
               from reports.rpt_brand_incidents where start_date <= ? and end_date >= ?
               order by is_own_brand desc, start_date desc, peak_robust_z desc, brand, platform""",
            [last, first],
        )

    def competitor_week(self, week: date) -> list[dict]:
        """rpt_competitor_weekly of the week starting `week`: ours first, then by share of voice."""
        return self.dicts(
            """select brand, is_own_brand, mentions, share_of_voice, negative_share, avg_price_cny,
                      avg_price_change, items_price_down, max_discount, promotion_texts, new_creatives,
                      best_app_rank, app_rank_change
               from reports.rpt_competitor_weekly where week_start = ?
               order by is_own_brand desc, share_of_voice desc nulls last, brand""",
            [week],
        )

    # ------------------------------------------------------------------ what was published
    def publication(self) -> tuple[str | None, object, list[tuple]]:
        if not self.has_table("main", "publication"):
            return None, None, []
        rows = self.rows(
            "select run_id, published_at, table_name, row_count from main.publication order by 3"
        )
        if not rows:
            return None, None, []
        return rows[0][0], rows[0][1], [(r[2], r[3]) for r in rows]
