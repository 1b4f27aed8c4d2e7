"""Labels in Chinese and English (one setting: GROWTHMART_REPORT_LANG) and numbers formatted for people."""

from __future__ import annotations

from decimal import Decimal

LANGS = ("zh", "en")
HTML_LANG = {"zh": "zh-CN", "en": "en"}

# key -> (zh, en)
_LABELS: dict[str, tuple[str, str]] = {
    "title_daily": ("日报", "Daily report"),
    "title_weekly": ("周报", "Weekly report"),
    "title_monthly": ("月报", "Monthly report"),
    "title_index": ("增长运营报表", "Growth reports"),
    "daily": ("日报", "Daily"),
    "weekly": ("周报", "Weekly"),
    "monthly": ("月报", "Monthly"),
    "index": ("报表目录", "All reports"),
    "data_docs": (
        "数据质量文档 (Great Expectations Data Docs)",
        "Data quality docs (Great Expectations Data Docs)",
    ),
    "dbt_docs": ("数据模型文档 (dbt docs，make docs 生成)", "Data model docs (dbt docs, built by make docs)"),
    "generated": ("生成于", "Generated"),
    "published_run": ("发布批次", "Published by run"),
    "incomplete_period": ("本期未结束或数据未完整加载", "this period is not over or not fully loaded"),
    "new_users": ("新增用户", "New users"),
    "active_users_daily": ("日活 DAU", "DAU"),
    "active_users_weekly": ("周活 WAU", "WAU"),
    "active_users_monthly": ("月活 MAU", "MAU"),
    "mau": ("月活 MAU (所在自然月, 截至数据末日)", "MAU (calendar month, up to data end)"),
    "gmv": ("GMV", "GMV"),
    "net_revenue": ("净收入", "Net revenue"),
    "arppu": ("客单价 ARPPU", "ARPPU"),
    "spend": ("投放花费", "Spend"),
    "cac": ("获客成本 CAC", "CAC"),
    "blended_roas": ("综合 ROAS (净收入/总花费)", "Blended ROAS (net revenue / all spend)"),
    "d1_retention": ("次日留存", "D1 retention"),
    "d7_retention": ("7日留存", "D7 retention"),
    "vs_previous_daily": ("较前一日", "vs previous day"),
    "vs_previous_weekly": ("较上周", "vs previous week"),
    "vs_previous_monthly": ("较上月", "vs previous month"),
    "vs_week_ago": ("较上周同日", "vs same day last week"),
    "vs_year_ago": ("较去年同期", "vs same period last year"),
    "no_data": ("暂无数据", "No data"),
    "kpis": ("核心指标", "Key metrics"),
    "trend_daily": ("近30天趋势 (截至当日)", "Trend, trailing 30 days up to this day"),
    "trend_weekly": ("近12周趋势", "Trend, trailing 12 weeks"),
    "trend_monthly": ("近12个月趋势", "Trend, trailing 12 months"),
    "retention": ("留存 cohort 热力图", "Retention cohort heatmap"),
    "retention_note": (
        "按注册日 cohort,全部渠道;空白 = 尚未成熟 (第 N 天还未到数据截止日),不是 0",
        "signup-day cohorts, all channels; blank = not mature yet (day N after the data end), not 0",
    ),
    "cohort": ("注册日", "Cohort"),
    "day_n": ("第 N 天", "Day N"),
    "funnel": (
        "用户漏斗:各步流失率 (按渠道)",
        "User funnel: drop-off per step by channel",
    ),
    "cac_ltv": ("CAC 与 LTV (按渠道) 及回本天数", "CAC vs LTV by channel, and payback day"),
    "payback_days": ("回本天数", "Payback day"),
    "campaign_roi": ("活动投放 ROI 排名 (最好/最差)", "Campaign ROI ranking (best / worst)"),
    "spend_platform": ("各平台花费", "Spend by platform"),
    "top_content": ("内容 Top 10 (按带来注册)", "Top 10 content (by attributed signups)"),
    "lifecycle": ("用户生命周期分层趋势", "User lifecycle layers"),
    "attribution": ("多触点归因:各渠道归因收入", "Attributed revenue by channel and model"),
    "activities": ("活动复盘", "Activity reviews"),
    "ab_tests": ("A/B 实验结论", "A/B test verdicts"),
    "window_trailing_days": ("近{n}天,截至{end}", "trailing {n} days up to {end}"),
    "window_period": ("{start} 至 {end}", "{start} to {end}"),
    "window_month": ("获客/归因月份 {month}", "acquisition / attribution month {month}"),
    "window_weeks": ("近{n}周 cohort,截至{end}", "cohort weeks, trailing {n} up to {end}"),
    "users": ("用户数", "Users"),
    "non_ad_cost": ("非广告成本", "non-ad costs"),
    "drop_off": ("流失", "drop-off"),
    "ltv_30d": ("LTV 30天", "LTV 30d"),
    "ltv_90d": ("LTV 90天", "LTV 90d"),
    "roi": ("ROI", "ROI"),
    "activity": ("活动", "Activity"),
    "phase": ("阶段", "Phase"),
    "dates": ("日期", "Dates"),
    "participants": ("参与人数", "Participants"),
    "uplift": ("GMV 提升", "GMV uplift"),
    "uplift_roi": ("增量 ROI", "Incremental ROI"),
    "experiment": ("实验", "Experiment"),
    "variant": ("版本", "Variant"),
    "lift": ("提升", "Lift"),
    "p_value": ("p 值", "p-value"),
    "verdict": ("结论", "Verdict"),
    "v_control": ("对照组", "control"),
    "v_significant_win": ("显著更好", "significantly better"),
    "v_significant_loss": ("显著更差", "significantly worse"),
    "v_not_significant": ("无显著差异", "no significant difference"),
    "v_too_small": ("样本不足", "sample too small"),
    "v_running": ("进行中", "running"),
    "none_in_period": ("本期无", "None in this period"),
    "alerts_daily": ("当日预警", "Alerts of the day"),
    "alerts_weekly": ("本周预警", "Alerts of the week"),
    "alerts_monthly": ("本月预警", "Alerts of the month"),
    "no_alerts": ("无预警", "No alerts"),
    "more_alerts": ("另有 {n} 条预警，见 reports.rpt_alerts", "{n} more alerts: reports.rpt_alerts"),
    "severity": ("级别", "Severity"),
    "severity_critical": ("严重", "Critical"),
    "severity_warning": ("警告", "Warning"),
    "alert_kind": ("类型", "Kind"),
    "alert_kind_kpi": ("指标异常", "KPI"),
    "alert_kind_pacing": ("预算节奏", "Budget pace"),
    "alert_kind_incident": ("负面舆情", "Negative spike"),
    "alert_kind_data": ("数据问题", "Data problem"),
    "alert_message": ("内容", "Alert"),
    "date": ("日期", "Date"),
    "brand": ("品牌舆情", "Brand monitoring"),
    "brand_platforms": ("本品牌各平台声量与情感", "Our brand by platform"),
    "brand_negative": ("本品牌每日负面提及 (按平台)", "Our brand's negative mentions a day, by platform"),
    "negative_mentions": ("负面提及", "Negative mentions"),
    "mentions": ("提及", "Mentions"),
    "negative_share": ("负面占比", "Negative share"),
    "net_sentiment": ("净情感值", "Net sentiment"),
    "share_of_voice": ("声量份额", "Share of voice"),
    "weighted_reach": ("加权触达", "Weighted reach"),
    "incidents": ("负面舆情事件", "Negative spikes"),
    "no_incidents": ("无负面舆情事件", "No negative spikes"),
    "brand_col": ("品牌", "Brand"),
    "platform": ("平台", "Platform"),
    "own_brand": ("本品牌", "ours"),
    "baseline": ("基线 (日中位数)", "Baseline (daily median)"),
    "robust_z": ("稳健 z 值", "Robust z"),
    "status": ("状态", "Status"),
    "status_ongoing": ("持续中", "Ongoing"),
    "status_ended": ("已结束", "Ended"),
    "top_post": ("最高触达帖子", "Top post by reach"),
    "competitors": ("竞品动态", "Competitors"),
    "week_of": ("{start} 当周", "week of {start}"),
    "avg_price": ("平均价格", "Average price"),
    "price_change": ("价格变化 (较上周)", "Price change (vs last week)"),
    "items_price_down": ("降价商品数", "Items cheaper"),
    "max_discount": ("最大折扣", "Deepest discount"),
    "promotions": ("促销文案", "Promotions"),
    "new_creatives": ("新广告素材", "New ad creatives"),
    "best_app_rank": ("应用榜最佳排名", "Best app rank"),
    "app_rank_change": ("排名变化", "Rank change"),
    "quality": ("数据质量", "Data quality"),
    "checks": ("检查", "Checks"),
    "passed": ("通过", "passed"),
    "failed": ("失败", "failed"),
    "warned": ("警告", "warned"),
    "quarantined": ("隔离行数", "Rows quarantined"),
    "quarantine_note": (
        "本期分区加载时被隔离的行 (按来源、原因)",
        "rows quarantined when this period's partitions loaded (by source and reason)",
    ),
    "source": ("数据源", "Source"),
    "reason": ("原因", "Reason"),
    "rows": ("行数", "Rows"),
    "freshness": ("数据新鲜度", "Freshness"),
    "last_partition": ("最新分区", "Last loaded partition"),
    "last_load": ("最近加载时间", "Last load time"),
    "published_tables": ("已发布的表", "Published tables"),
    "table": ("表", "Table"),
    "no_run_record": (
        "没有找到发布批次的运行记录 (该发布早于运行记录功能)",
        "no run record for the published run (published before run records existed)",
    ),
    "check_of_run": ("发布批次的检查结果", "checks of the publishing run"),
    "nothing": ("无", "none"),
    "state_new": ("新用户", "new"),
    "state_returning": ("留存", "returning"),
    "state_resurrected": ("回流", "resurrected"),
    "state_dormant": ("沉默", "dormant"),
    "state_churned": ("流失", "churned"),
    "step_visit": ("访问", "visit"),
    "step_signup": ("注册", "signup"),
    "step_activation": ("激活", "activation"),
    "step_first_paid_order": ("首单", "first paid order"),
    "step_repeat_paid_order": ("复购", "repeat order"),
    "previous_page": ("上一期", "Previous"),
    "next_page": ("下一期", "Next"),
    "phase_warmup": ("预热期", "warm-up"),
    "phase_peak": ("正式期", "peak"),
    "phase_wrapup": ("返场期", "wrap-up"),
    "phase_total": ("全程", "whole activity"),
    "model_first_touch": ("首次触点", "first touch"),
    "model_last_touch": ("末次触点", "last touch"),
    "model_linear": ("线性", "linear"),
    "model_time_decay": ("时间衰减", "time decay"),
    "model_position_based": ("位置加权", "position-based"),
    "partial_note": (
        "{mark} 未完整的周期：数据截至 {end}（或该期未完整加载），数值还会变",
        "{mark} partial period: the data ends on {end} (or the period is not fully loaded); its numbers will change",
    ),
    "lifecycle_partial": (
        "未完整的周未显示 ({weeks} 起)：周还没过完，本周尚未出现的用户会被误算为沉默",
        "weeks not over yet left out (from {weeks}): users not seen so far would count as dormant",
    ),
    "funnel_immature": (
        "尚未成熟的 cohort 周未计入 ({weeks})：后续步骤还没到时间，会被误算为流失",
        "cohort weeks not mature yet left out ({weeks}): their later steps have not had time to happen",
    ),
    "cohort_weeks": ("cohort 周 {start} 至 {end}", "cohort weeks {start} to {end}"),
    "ltv_not_mature": (
        "{names} 尚未成熟：该获客月的用户还没满这么多天，暂不显示",
        "{names} not mature yet: the month's new users have not been around that long, not shown",
    ),
    "period_partial": (
        "{mark} 本期未结束或未完整加载 (数据截至 {end})，数值还会变",
        "{mark} not over or not fully loaded yet (data up to {end}); its numbers will change",
    ),
    "published_at": ("发布于", "Published"),
    "data_end": ("数据截至", "Data up to"),
    "engineers_detail": (
        "工程明细：检查项、隔离原因、各数据源新鲜度、已发布的表",
        "Engineers' detail: checks, quarantine reasons, freshness per source, published tables",
    ),
    "latest": ("最新一期", "Latest"),
    "trend_spark": ("每日趋势 {start} 至 {end}", "Daily trend {start} to {end}"),
    "archive": ("全部报表 (按月)", "All reports by month"),
    "moved": ("变化归因：什么变了，为什么", "What moved and why"),
    "moved_vs": ("较", "vs"),
    "moved_because": ("；主要因为 ", "; mostly "),
    "moved_before_daily": ("前一日", "Day before"),
    "moved_before_weekly": ("上周", "Week before"),
    "moved_before_monthly": ("上月", "Month before"),
    "moved_now_daily": ("当日", "This day"),
    "moved_now_weekly": ("本周", "This week"),
    "moved_now_monthly": ("本月", "This month"),
    "moved_others": ("其余 {n} 项", "{n} others"),
    "moved_others_note": (
        "“其余”为其余驱动因素贡献之和",
        "'others' is the sum of the remaining drivers' contributions",
    ),
    "moved_partial": (
        "{mark} 本期或上一期未完整：变化含尚未加载的天数，还会变",
        "{mark} this period or the one before is not complete: the change will move as days load",
    ),
    "moved_note": (
        "瀑布图：上一期的值 + 各驱动因素的贡献 = 本期的值 (精确分解，定义见 docs/metrics.md 的 rpt_kpi_drivers)",
        "Waterfalls: the previous period's value + each driver's contribution = this period's value (exact "
        "decompositions, defined in docs/metrics.md, rpt_kpi_drivers)",
    ),
    "moved_no_previous": (
        "没有已发布的上一期，无法比较",
        "The period before is not published: nothing to compare with",
    ),
    "moved_none_gmv": ("无分解", "No decomposition"),
    "moved_none_new_users": (
        "两期都没有渠道访问、注册或花费：新增用户没有变化可分解",
        "No channel had visits, new users or spend in either period: no change to explain",
    ),
    "moved_none_cac": (
        "获客成本在其中一期无定义 (没有新增用户)，不做分解",
        "CAC is undefined in one of the two periods (no new users): no decomposition",
    ),
    "moved_none_blended_roas": (
        "综合 ROAS 在其中一期无定义 (没有花费)，不做分解",
        "Blended ROAS is undefined in one of the two periods (no spend): no decomposition",
    ),
    "driver_active_buyers": ("活跃买家", "Active buyers"),
    "driver_orders_per_buyer": ("人均订单数", "Orders per buyer"),
    "driver_aov": ("平均订单金额 AOV", "AOV"),
    "driver_visits": ("访问量", "Visits"),
    "driver_signup_rate": ("注册率", "Signup rate"),
    "driver_signups_without_visits": ("无访问的注册", "Signups without visits"),
    "driver_spend": ("花费", "Spend"),
    "driver_volume": ("新增用户量", "New-user volume"),
    "driver_spend_mix": ("花费结构", "Spend mix"),
    "driver_platform_roas": ("平台 ROAS", "Platform ROAS"),
    "driver_unattributed_revenue": ("未归因收入", "Unattributed revenue"),
    "recommendations": ("建议", "Recommendations"),
    "no_recommendations": ("本期没有触发的建议", "No recommendation fired in this period"),
    "more_recommendations": (
        "另有 {n} 条建议，见 reports.rpt_recommendations",
        "{n} more recommendations: reports.rpt_recommendations",
    ),
    "recommendations_latest": (
        "同一规则、同一对象在本期多次触发时，只列最近一天的判断",
        "a rule firing for one subject on several days of the period is listed once, as judged on its latest day",
    ),
    "rec_priority": ("优先级", "Priority"),
    "rec_rule": ("规则", "Rule"),
    "rec_message": ("建议", "Recommendation"),
    "rec_evidence": ("依据 (表与行)", "Evidence (table rows)"),
    "rule_budget_shift": ("预算调整", "Budget shift"),
    "rule_recall_dormant": ("召回沉睡用户", "Recall dormant users"),
    "rule_ab_winner": ("A/B 胜出", "A/B winner"),
    "rule_content_topic_leads": ("高效内容主题", "Content topic leads"),
    "rule_content_platform_leads": ("高效内容平台", "Content platform leads"),
}


class Labels:
    def __init__(self, lang: str):
        if lang not in LANGS:
            raise ValueError(f"report language must be one of {LANGS}, not {lang!r}")
        self.lang = lang
        self._i = LANGS.index(lang)

    def __call__(self, key: str, **fmt) -> str:
        pair = _LABELS.get(key)
        text = pair[self._i] if pair else key
        return text.format(**fmt) if fmt else text

    @property
    def html_lang(self) -> str:
        return HTML_LANG[self.lang]

    def window(self, first, last) -> str:
        """A chart or table's window of days: '<first> 至 <last>', or the one day."""
        return (
            self("window_period", start=first.isoformat(), end=last.isoformat())
            if last > first
            else str(first)
        )


# How each KPI is shown: money (CNY), count, ratio (a share shown as %), multiple (ROAS).
KIND = {
    "new_users": "count",
    "active_users": "count",
    "mau": "count",
    "gmv": "money",
    "net_revenue": "money",
    "arppu": "money2",
    "spend": "money",
    "cac": "money2",
    "blended_roas": "multiple",
    "d1_retention": "ratio",
    "d7_retention": "ratio",
}


def as_float(value) -> float | None:
    if value is None:
        return None
    return float(value)


def fmt_count(value) -> str:
    return "—" if value is None else f"{int(round(float(value))):,}"


def fmt_money(value, decimals: int = 0) -> str:
    if value is None:
        return "—"
    v = float(value)
    sign = "-" if v < 0 else ""
    return f"{sign}¥{abs(v):,.{decimals}f}"


def fmt_pct(value, decimals: int = 1) -> str:
    return "—" if value is None else f"{float(value) * 100:.{decimals}f}%"


def fmt_multiple(value) -> str:
    return "—" if value is None else f"{float(value):.2f}×"


def fmt_value(kind: str, value) -> str:
    if kind == "count":
        return fmt_count(value)
    if kind == "money":
        return fmt_money(value, 0)
    if kind == "money2":
        return fmt_money(value, 2)
    if kind == "ratio":
        return fmt_pct(value)
    if kind == "multiple":
        return fmt_multiple(value)
    raise ValueError(kind)


def raw(value) -> str:
    """The number as stored, for data-value (the browser test compares it with the table cell)."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    return str(value)


def fmt_delta(kind: str, current, before) -> tuple[str, str]:
    """Change from `before` to `current`: relative % for amounts, percentage points for ratios.

    Returns (text, direction) with direction in up/down/flat/'' (unknown)."""
    cur, bef = as_float(current), as_float(before)
    if cur is None or bef is None:
        return "—", ""
    if kind == "ratio":
        diff = (cur - bef) * 100
        text = f"{diff:+.1f}pp"
    else:
        if bef == 0:
            return "—", ""
        diff = (cur - bef) / abs(bef)
        text = f"{diff * 100:+.1f}%"
    direction = "up" if diff > 1e-12 else "down" if diff < -1e-12 else "flat"
    return text.replace("-", "−"), direction
