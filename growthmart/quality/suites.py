"""Great Expectations suites as code, named `<layer>.<model>`.

Raw suites are derived from the landing contracts (growthmart/contracts.py), so a new source gets its
suite by declaring its contract. Each raw table is validated in two steps:
  1. `raw.<source>` column contract, on a frame of the table's columns and DuckDB types: exactly the
     contract's columns plus the loader's lineage columns, each with the type the loader gives it;
  2. `raw.<source>` data, on the partitions a run loaded: required columns not null, counts and money
     >= 0, clicks <= impressions, accepted values, rates in range, the key unique per partition.
Report suites hold the public contract of the published `rpt_*` tables (issue 2): key columns not null,
rates in [0, 1], non-negative money and counts. Keys' uniqueness and relationships are dbt tests.
"""

from __future__ import annotations

from collections.abc import Iterable

from growthmart.contracts import AD_PLATFORM_KEYS, AD_PLATFORMS_BY_SOURCE, SourceContract
from growthmart.quality.gx_runner import Expect
from growthmart.quality.settings import QualitySettings

# DuckDB type the loader gives each contract type (stated in the ingestion contract).
RAW_DUCKDB_TYPES = {
    "string": "VARCHAR",
    "int": "BIGINT",
    "decimal": "DECIMAL(18,4)",
    "double": "DOUBLE",
    "date": "DATE",
    "timestamp": "TIMESTAMP",
    "json": "VARCHAR",
}
# Lineage columns the loader adds to every raw table (growthmart/ingest/sql.py).
LINEAGE_COLUMNS = {
    "_source_file": "VARCHAR",
    "_row_number": "BIGINT",
    "_partition_date": "DATE",
    "_loaded_at": "TIMESTAMP",  # naive UTC
}

# Accepted values, as documented in the contracts' column descriptions.
ORDER_STATUSES = ("paid", "refunded", "cancelled")
CONTENT_CHANNELS = ("wechat_oa", "douyin", "xiaohongshu", "bilibili")
CONTENT_TYPES = ("article", "short_video", "livestream", "note")
CAMPAIGN_TYPES = ("paid_ads", "content", "activity", "kol")
NON_AD_COST_TYPES = ("kol_fee", "activity_incentive", "coupon_subsidy", "production", "content_boost")
# Multi-touch attribution models (dbt macro attribution_models()), the attribution_model values of
# rpt_attribution_channels.
ATTRIBUTION_MODELS = ("last_touch", "first_touch", "linear", "position_based", "time_decay")
ACCEPTED_VALUES: dict[tuple[str, str], tuple[str, ...]] = {
    ("app_orders", "status"): ORDER_STATUSES,
    ("content_items", "channel"): CONTENT_CHANNELS,
    ("content_items", "content_type"): CONTENT_TYPES,
    ("content_daily_stats", "channel"): CONTENT_CHANNELS,
    ("campaigns", "campaign_type"): CAMPAIGN_TYPES,
    ("campaigns", "platform"): AD_PLATFORM_KEYS,
    ("non_ad_costs", "cost_type"): NON_AD_COST_TYPES,
    ("experiments", "experiment_type"): ("creative", "landing_page"),
    ("experiments", "is_control"): ("true", "false"),
    ("experiments", "platform"): AD_PLATFORM_KEYS,
    ("experiments", "primary_metric"): ("cvr", "ctr"),
}
# The activity registry (活动): types and phase order (warm-up < peak < wrap-up <= end; NULL = phase absent).
ACTIVITY_TYPES = (
    "festival_sale", "recall", "member_day", "invite", "new_user_gift", "check_in", "lottery", "group_buy", "other",
)  # fmt: skip
ACCEPTED_VALUES[("activities", "activity_type")] = ACTIVITY_TYPES
# Columns holding an ISO currency code, checked against QualitySettings.accepted_currencies.
CURRENCY_COLUMNS = {
    ("app_orders", "currency"),
    ("non_ad_costs", "currency"),
    ("fx_rates", "currency"),
    ("campaigns", "budget_currency"),
    *((source, p.currency_column) for source, p in AD_PLATFORMS_BY_SOURCE.items() if p.currency_column),
}
# (larger, smaller) pairs per source, beyond clicks <= impressions, which every ad platform gets from its
# declaration (`ad_pairs`).
ORDERED_PAIRS: dict[str, tuple[tuple[str, str], ...]] = {
    "meta_ads_insights": (("date_stop", "date_start"),),
    "app_orders": (("amount", "refund_amount"),),
    "campaigns": (("end_date", "start_date"),),
    "activities": (
        ("peak_start", "warmup_start"),
        ("wrapup_start", "peak_start"),
        ("wrapup_start", "warmup_start"),
        ("end_date", "wrapup_start"),
        ("end_date", "peak_start"),
        ("end_date", "warmup_start"),
    ),
    "experiments": (("end_date", "start_date"),),
}


def raw_suite_name(contract: SourceContract) -> str:
    return f"raw.{contract.name}"


def raw_expected_types(contract: SourceContract) -> dict[str, str]:
    """Column → DuckDB type of the raw table: the contract's columns, then the lineage columns."""
    return {c.name: RAW_DUCKDB_TYPES[c.type] for c in contract.columns} | LINEAGE_COLUMNS


def column_contract_expectations() -> list[Expect]:
    """On a frame of (actual, expected) "<column> <TYPE>" strings: one row per column on either side."""
    return [
        Expect.of(
            "ExpectColumnPairValuesToBeEqual", column_A="actual", column_B="expected", ignore_row_if="neither"
        )
    ]


def raw_expectations(contract: SourceContract, settings: QualitySettings) -> list[Expect]:
    """Data expectations for a slice of loaded partitions of `raw.<contract.name>`."""
    name = contract.name
    out = [Expect.of("ExpectColumnValuesToNotBeNull", column=c) for c in ("_partition_date", "_loaded_at")]
    for col in contract.columns:
        if col.required:
            out.append(Expect.of("ExpectColumnValuesToNotBeNull", column=col.name))
        if col.bounds:  # declared in the contract; the loader quarantines values out of it
            out.append(Expect.of("ExpectColumnValuesToBeBetween", column=col.name, **col.bounds))
        if col.type == "json":
            out.append(Expect.of("ExpectColumnValuesToBeJsonParseable", column=col.name))
        if (name, col.name) in ACCEPTED_VALUES:
            values = list(ACCEPTED_VALUES[(name, col.name)])
            out.append(Expect.of("ExpectColumnValuesToBeInSet", column=col.name, value_set=values))
        if (name, col.name) in CURRENCY_COLUMNS:
            currencies = list(settings.accepted_currencies)
            out.append(Expect.of("ExpectColumnValuesToBeInSet", column=col.name, value_set=currencies))
    ad = contract.ad_platform
    for larger, smaller in (*([(ad.impressions, ad.clicks)] if ad else []), *ORDERED_PAIRS.get(name, ())):
        out.append(_a_ge_b(larger, smaller))
    # The loader quarantines later duplicates of the key within a partition; a slice may hold several.
    out.append(
        Expect.of("ExpectCompoundColumnsToBeUnique", column_list=[*contract.primary_key, "_partition_date"])
    )
    return out


# ---------------------------------------------------------------- reports

_ROI_COLUMNS = (
    "platform", "channel", "spend", "impressions", "clicks", "ctr", "cpc", "cpm", "platform_conversions",
    "attributed_signups", "attributed_orders", "attributed_revenue", "cvr", "cpa", "roas", "roi",
)  # fmt: skip
_CONTENT_COLUMNS = (
    "platform", "views", "completion_views", "completion_rate", "engagements", "engagement_rate",
    "follows_gained", "link_clicks", "leads", "attributed_visits", "attributed_signups", "attributed_orders",
    "attributed_revenue", "production_cost", "boost_cost", "content_cost", "cost_per_lead",
)  # fmt: skip
_KPI_COLUMNS = (
    "new_users", "active_users", "paying_users", "orders", "gmv", "net_revenue", "aov", "arppu", "spend",
    "cac", "blended_roas", "d1_retention", "d7_retention", "d30_retention",
)  # fmt: skip

_LIFECYCLE_COLUMNS = (
    "users", "users_from_new", "users_from_returning", "users_from_resurrected", "users_from_dormant",
    "users_from_churned", "signed_up_users", "users_share", "is_complete",
)  # fmt: skip
_SEGMENTS_COLUMNS = (
    "channel", "lifecycle_state", "value_tier", "tier_label_zh", "rfm_cell", "suggested_action_zh",
    "suggested_action_en", "recency_days", "frequency", "monetary_cny", "r_score", "f_score", "m_score",
    "signup_date", "last_active_date",
)  # fmt: skip

# Published columns of each report (the public contract in issue 2), keys first.
REPORT_KEYS: dict[str, tuple[str, ...]] = {
    "rpt_retention_cohorts": ("cohort_date", "channel", "day_n"),
    "rpt_funnel_users": ("cohort_week", "channel", "step_order", "step_name"),
    "rpt_funnel_ads": ("report_date", "platform", "campaign_id"),
    "rpt_cac_ltv_monthly": ("acquisition_month", "channel"),
    "rpt_campaign_roi_daily": ("report_date", "campaign_id"),
    "rpt_campaign_roi": ("campaign_id",),
    "rpt_kpi_daily": ("report_date",),
    "rpt_kpi_weekly": ("week_start",),
    "rpt_kpi_monthly": ("month_start",),
    "rpt_attribution_channels": ("attribution_month", "channel", "attribution_model"),
    "rpt_user_lifecycle_weekly": ("week_start", "channel", "state"),
    "rpt_user_segments": ("user_id",),
    "rpt_content_daily": ("report_date", "content_id"),
    "rpt_content_items": ("content_id",),
    "rpt_ab_tests": ("experiment_id", "variant_id"),
}
REPORT_COLUMNS: dict[str, tuple[str, ...]] = {
    "rpt_retention_cohorts": (
        "cohort_size",
        "retained_users",
        "retention_rate",
        "unbounded_retention_rate",
        "is_complete",
    ),
    "rpt_funnel_users": ("users", "conversion_from_previous", "conversion_from_first", "is_complete"),
    "rpt_funnel_ads": ("impressions", "clicks", "visits", "signups", "first_orders"),
    "rpt_cac_ltv_monthly": (
        "spend",
        "new_users",
        "new_paying_users",
        "cac",
        "paying_cac",
        "ltv_7d",
        "ltv_30d",
        "ltv_90d",
        "ltv_90d_to_cac",
        "payback_days",
    ),
    "rpt_campaign_roi_daily": _ROI_COLUMNS,
    "rpt_campaign_roi": _ROI_COLUMNS,
    "rpt_kpi_daily": _KPI_COLUMNS,
    "rpt_kpi_weekly": _KPI_COLUMNS,
    "rpt_kpi_monthly": _KPI_COLUMNS,
    "rpt_attribution_channels": (
        "attributed_conversions",
        "attributed_revenue",
        "attributed_signups",
        "spend",
        "roas",
        "share_of_conversions",
        "is_complete_month",
    ),
    "rpt_user_lifecycle_weekly": _LIFECYCLE_COLUMNS,
    "rpt_user_segments": _SEGMENTS_COLUMNS,
    "rpt_content_daily": _CONTENT_COLUMNS,
    "rpt_content_items": (*_CONTENT_COLUMNS, "rank_in_platform_week", "items_in_platform_week"),
    "rpt_ab_tests": (
        "impressions",
        "clicks",
        "conversions",
        "ctr",
        "cvr",
        "lift",
        "p_value",
        "ci_lower",
        "ci_upper",
        "is_control",
        "is_significant",
        "is_sample_too_small",
    ),  # fmt: skip
}  # fmt: skip
# Activity review (活动复盘), by activity and phase.
REPORT_KEYS["rpt_activity_review"] = ("activity_id", "phase")
REPORT_COLUMNS["rpt_activity_review"] = (
    "activity_name", "activity_type", "campaign_id", "phase_start", "phase_end", "days", "observed_days",
    "participants", "new_users", "conversions", "coupon_orders", "coupon_cost_cny", "prize_cost_cny",
    "incentive_cost_cny", "gmv_cny", "avg_daily_gmv_cny", "baseline_avg_daily_gmv_cny", "gmv_uplift",
    "incremental_gmv_cny", "attributed_gmv_cny", "attributed_net_revenue_cny", "roi", "uplift_roi",
    "is_complete", "baseline_complete",
)  # fmt: skip
REPORTS = tuple(REPORT_KEYS)
# The raw sources a report's rows come from, for reports fed by a source a team may not use at all (no A/B tests,
# no activities, no content channels): such a report may be empty, but only while every one of these sources is
# empty too. Every other report must have rows: it is fed by the app's users and events and by the ads.
REPORT_INPUTS: dict[str, tuple[str, ...]] = {
    "rpt_ab_tests": ("experiments",),
    "rpt_activity_review": ("activities",),
    "rpt_content_daily": ("content_items", "content_daily_stats"),
    "rpt_content_items": ("content_items", "content_daily_stats"),
}
# Per-user reports (O(users) rows): their suite runs as SQL in DuckDB (pushdown.run over the whole table), never
# read into pandas; the other reports are small aggregates GX validates whole.
SQL_PUSHDOWN_REPORTS = ("rpt_user_segments",)
LIFECYCLE_STATES = ("new", "returning", "resurrected", "dormant", "churned")
VALUE_TIERS = ("high_value", "loyal", "potential", "at_risk", "hibernating", "new", "never_purchased")

_RATES = {
    "retention_rate", "unbounded_retention_rate", "conversion_from_previous", "conversion_from_first",
    "ctr", "d1_retention", "d7_retention", "d30_retention", "users_share",
    "share_of_conversions", "completion_rate", "engagement_rate",
}  # fmt: skip
_NON_NEGATIVE = {
    "day_n", "cohort_size", "retained_users", "users", "impressions", "clicks", "visits", "signups",
    "first_orders", "spend", "new_users", "new_paying_users", "ltv_7d", "ltv_30d", "ltv_90d",
    "ltv_90d_to_cac", "payback_days", "cpc", "cpm", "platform_conversions", "attributed_signups",
    "attributed_orders", "attributed_revenue", "cpa", "roas", "blended_roas", "active_users", "paying_users", "orders",
    # cvr = attributed orders / clicks is not bounded by 1: last-touch orders come from visits of the last
    # 7 days (and repeat orders), not only from that day's clicks.
    "cvr",
    "gmv", "net_revenue", "aov", "arppu",
    "attributed_conversions",
    "users_from_new", "users_from_returning", "users_from_resurrected", "users_from_dormant", "users_from_churned",
    "signed_up_users", "recency_days", "frequency", "monetary_cny",
    "completion_views", "engagements", "follows_gained", "link_clicks", "leads", "attributed_visits",
    "production_cost", "boost_cost", "content_cost", "cost_per_lead",
}  # fmt: skip
_NON_NEGATIVE |= {
    "observed_days", "participants", "conversions", "coupon_orders", "coupon_cost_cny", "prize_cost_cny",
    "incentive_cost_cny", "gmv_cny", "avg_daily_gmv_cny", "baseline_avg_daily_gmv_cny", "attributed_gmv_cny",
}  # fmt: skip


# Extra rules per report, beyond keys, rates and non-negative columns.
def _content_pair(larger: str, smaller: str) -> Expect:
    """larger >= smaller where both are present (as _a_ge_b, which is defined after the rules)."""
    return Expect.of(
        "ExpectColumnPairValuesAToBeGreaterThanB",
        column_A=larger,
        column_B=smaller,
        or_equal=True,
        ignore_row_if="either_value_is_missing",
    )


_REPORT_RULES: dict[str, list[Expect]] = {
    "rpt_retention_cohorts": [
        Expect.of("ExpectColumnValuesToBeInSet", column="day_n", value_set=[*range(31), 60, 90]),
        Expect.of("ExpectColumnValuesToNotBeNull", column="is_complete"),
        # Incomplete cohorts have NULL rates, never 0; complete day-0 retention is 1 (signup is activity).
        Expect.of(
            "ExpectColumnValuesToBeNull",
            column="retention_rate",
            row_condition="is_complete == False",
            condition_parser="pandas",
        ),
        Expect.of(
            "ExpectColumnValuesToBeBetween",
            column="retention_rate",
            min_value=1,
            max_value=1,
            row_condition="day_n == 0 and is_complete == True and cohort_size > 0",
            condition_parser="pandas",
        ),
    ],
    "rpt_funnel_users": [
        Expect.of("ExpectColumnValuesToBeBetween", column="step_order", min_value=1, max_value=5),
        Expect.of("ExpectColumnValuesToNotBeNull", column="is_complete"),
    ],
    "rpt_content_daily": [
        # Items without leads or without cost have NULL cost_per_lead, never 0.
        Expect.of("ExpectColumnValuesToBeBetween", column="cost_per_lead", min_value=0, strict_min=True),
        _content_pair("views", "completion_views"),
    ],
    "rpt_content_items": [
        Expect.of("ExpectColumnValuesToBeBetween", column="cost_per_lead", min_value=0, strict_min=True),
        _content_pair("views", "completion_views"),
        # Ranks run from 1 to the size of the item's platform-week group.
        Expect.of("ExpectColumnValuesToBeBetween", column="rank_in_platform_week", min_value=1),
        _content_pair("items_in_platform_week", "rank_in_platform_week"),
    ],
    "rpt_cac_ltv_monthly": [
        # Channels without spend (or without new users) have NULL cac, never 0.
        Expect.of("ExpectColumnValuesToBeBetween", column="cac", min_value=0, strict_min=True),
        Expect.of("ExpectColumnValuesToBeBetween", column="paying_cac", min_value=0, strict_min=True),
    ],
    "rpt_attribution_channels": [
        Expect.of(
            "ExpectColumnValuesToBeInSet", column="attribution_model", value_set=list(ATTRIBUTION_MODELS)
        ),
        Expect.of("ExpectColumnValuesToNotBeNull", column="is_complete_month"),
        # Channels without spend have spend 0 and ROAS NULL (never 0 or infinity).
        Expect.of(
            "ExpectColumnValuesToBeNull", column="roas", row_condition="spend == 0", condition_parser="pandas"
        ),
    ],
    "rpt_user_lifecycle_weekly": [
        Expect.of("ExpectColumnValuesToBeInSet", column="state", value_set=list(LIFECYCLE_STATES)),
        Expect.of("ExpectColumnValuesToNotBeNull", column="is_complete"),
        Expect.of(
            "ExpectColumnPairValuesAToBeGreaterThanB",
            column_A="signed_up_users",
            column_B="users",
            or_equal=True,
            ignore_row_if="either_value_is_missing",
        ),
    ],
    # Pushed down to SQL (SQL_PUSHDOWN_REPORTS): only expectations pushdown.py translates. One row per user is
    # the check segments_cover_users (and dbt's unique test); GX's compound uniqueness needs two columns.
    "rpt_user_segments": [
        Expect.of("ExpectColumnValuesToNotBeNull", column="value_tier"),
        Expect.of("ExpectColumnValuesToBeInSet", column="value_tier", value_set=list(VALUE_TIERS)),
        Expect.of("ExpectColumnValuesToBeInSet", column="lifecycle_state", value_set=list(LIFECYCLE_STATES)),
        *(
            Expect.of("ExpectColumnValuesToBeBetween", column=c, min_value=1, max_value=5)
            for c in ("r_score", "f_score", "m_score")
        ),
    ],
}


def _a_ge_b(larger: str, smaller: str) -> Expect:
    return Expect.of(
        "ExpectColumnPairValuesAToBeGreaterThanB",
        column_A=larger,
        column_B=smaller,
        or_equal=True,
        ignore_row_if="either_value_is_missing",
    )


_REPORT_RULES["rpt_activity_review"] = [
    Expect.of("ExpectColumnValuesToBeInSet", column="phase", value_set=["warmup", "peak", "wrapup", "total"]),
    Expect.of("ExpectColumnValuesToBeBetween", column="days", min_value=1),
    Expect.of("ExpectColumnValuesToBeBetween", column="gmv_uplift", min_value=-1),
    Expect.of("ExpectColumnValuesToNotBeNull", column="is_complete"),
    Expect.of("ExpectColumnValuesToNotBeNull", column="baseline_complete"),
    # No incentive cost: ROI is NULL, never 0 or infinite.
    Expect.of(
        "ExpectColumnValuesToBeBetween",
        column="incentive_cost_cny",
        min_value=0,
        strict_min=True,
        row_condition="roi == roi",
        condition_parser="pandas",
    ),
    _a_ge_b("days", "observed_days"),
    _a_ge_b("conversions", "coupon_orders"),
    _a_ge_b("attributed_gmv_cny", "attributed_net_revenue_cny"),
]
# KPI reports: blended ROAS is NULL exactly when there is no spend (0, not NULL, with spend and no revenue).
for _kpi in ("rpt_kpi_daily", "rpt_kpi_weekly", "rpt_kpi_monthly"):
    _REPORT_RULES[_kpi] = [
        Expect.of(
            "ExpectColumnValuesToBeNull",
            column="blended_roas",
            row_condition="spend == 0",
            condition_parser="pandas",
        ),
        Expect.of(
            "ExpectColumnValuesToNotBeNull",
            column="blended_roas",
            row_condition="spend > 0",
            condition_parser="pandas",
        ),
    ]
# A/B tests (after _a_ge_b, which two of its rules use).
_REPORT_RULES["rpt_ab_tests"] = [
    Expect.of("ExpectColumnValuesToBeBetween", column="p_value", min_value=0, max_value=1),
    Expect.of("ExpectColumnValuesToBeBetween", column="conversions", min_value=0),
    # a relative lift of a non-negative rate is never below -100 %
    Expect.of("ExpectColumnValuesToBeBetween", column="lift", min_value=-1),
    Expect.of("ExpectColumnValuesToNotBeNull", column="is_control"),
    Expect.of("ExpectColumnValuesToNotBeNull", column="is_sample_too_small"),
    _a_ge_b("impressions", "clicks"),
    _a_ge_b("ci_upper", "ci_lower"),
    # the control is what the others are compared with: no lift, p-value or interval of its own
    *(
        Expect.of(
            "ExpectColumnValuesToBeNull",
            column=c,
            row_condition="is_control == True",
            condition_parser="pandas",
        )
        for c in ("lift", "p_value", "ci_lower", "ci_upper", "is_significant")
    ),
]


def report_suite_name(report: str) -> str:
    return f"reports.{report}"


def report_required_columns(report: str) -> list[str]:
    return [*REPORT_KEYS[report], *REPORT_COLUMNS[report]]


def report_columns_expectations(report: str) -> list[Expect]:
    """The published columns exist (more are allowed: reports may add columns freely)."""
    columns = report_required_columns(report)
    return [Expect.of("ExpectTableColumnsToMatchSet", column_set=columns, exact_match=False)]


def report_expectations(report: str, may_be_empty: bool = False) -> list[Expect]:
    """Ranges and keys of one report table; assumes its published columns exist. An empty report is a broken
    build unless `may_be_empty` (its REPORT_INPUTS are all empty: `report_may_be_empty`)."""
    columns = REPORT_COLUMNS[report]
    out = [] if may_be_empty else [Expect.of("ExpectTableRowCountToBeBetween", min_value=1)]
    out += [Expect.of("ExpectColumnValuesToNotBeNull", column=k) for k in REPORT_KEYS[report]]
    out += _ranges([c for c in columns if c in _RATES], min_value=0, max_value=1)
    out += _ranges([c for c in columns if c in _NON_NEGATIVE], min_value=0)
    if "roi" in columns:  # (revenue - spend) / spend >= -1 when revenue >= 0
        out += _ranges(["roi"], min_value=-1)
    pairs = {"retained_users": "cohort_size", "new_paying_users": "new_users", "net_revenue": "gmv"}
    pairs |= {"retention_rate": "unbounded_retention_rate"}
    out += [_a_ge_b(larger, smaller) for smaller, larger in pairs.items() if smaller in columns]
    out += _REPORT_RULES.get(report, [])
    return out


def _ranges(columns: Iterable[str], **bounds: float) -> list[Expect]:
    return [Expect.of("ExpectColumnValuesToBeBetween", column=c, **bounds) for c in columns]
