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

from growthmart.contracts import (
    AD_PLATFORM_KEYS,
    AD_PLATFORMS_BY_SOURCE,
    APP_STORES,
    BRAND_TYPES,
    CONTENT_PLATFORMS,
    CREATIVE_FORMATS,
    SHOP_PLATFORMS,
    SOCIAL_PLATFORMS,
    SourceContract,
)
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
CONTENT_TYPES = ("article", "short_video", "livestream", "note")
CAMPAIGN_TYPES = ("paid_ads", "content", "activity", "kol")
NON_AD_COST_TYPES = ("kol_fee", "activity_incentive", "coupon_subsidy", "production", "content_boost")
# Multi-touch attribution models (dbt macro attribution_models()), the attribution_model values of
# rpt_attribution_channels.
ATTRIBUTION_MODELS = ("last_touch", "first_touch", "linear", "position_based", "time_decay")
ACCEPTED_VALUES: dict[tuple[str, str], tuple[str, ...]] = {
    ("app_orders", "status"): ORDER_STATUSES,
    ("content_items", "channel"): CONTENT_PLATFORMS,
    ("content_items", "content_type"): CONTENT_TYPES,
    ("content_daily_stats", "channel"): CONTENT_PLATFORMS,
    ("campaigns", "campaign_type"): CAMPAIGN_TYPES,
    ("campaigns", "platform"): AD_PLATFORM_KEYS,
    ("non_ad_costs", "cost_type"): NON_AD_COST_TYPES,
    ("experiments", "experiment_type"): ("creative", "landing_page"),
    ("experiments", "is_control"): ("true", "false"),
    ("experiments", "platform"): AD_PLATFORM_KEYS,
    ("experiments", "primary_metric"): ("cvr", "ctr"),
    # brand and competitor watch: value lists declared in growthmart/contracts.py
    ("brand_mentions", "platform"): SOCIAL_PLATFORMS,
    ("brand_mentions", "brand_type"): BRAND_TYPES,
    ("competitor_prices", "shop_platform"): SHOP_PLATFORMS,
    ("competitor_creatives", "platform"): SOCIAL_PLATFORMS,
    ("competitor_creatives", "creative_format"): CREATIVE_FORMATS,
    ("app_store_ranks", "store"): APP_STORES,
    ("app_store_ranks", "brand_type"): BRAND_TYPES,
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
    "competitor_prices": (("list_price", "price"),),
    "competitor_creatives": (("last_seen", "first_seen"),),
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

# The published reports, each with a GX suite `reports.<report>` (their models are dbt's reports schema; a test
# holds this list equal to it). Their columns and types are dbt's model contracts (`contract: enforced`), their
# keys, not-null columns and accepted values dbt tests: neither is repeated here.
REPORTS = (
    "rpt_retention_cohorts", "rpt_funnel_users", "rpt_funnel_ads", "rpt_cac_ltv_monthly", "rpt_campaign_roi_daily",
    "rpt_campaign_roi", "rpt_kpi_daily", "rpt_kpi_weekly", "rpt_kpi_monthly", "rpt_attribution_channels",
    "rpt_user_lifecycle_weekly", "rpt_user_segments", "rpt_content_daily", "rpt_content_items",
    "rpt_ab_tests", "rpt_activity_review", "rpt_alerts", "rpt_brand_sentiment_daily", "rpt_brand_incidents",
    "rpt_competitor_weekly", "rpt_recommendations", "rpt_kpi_drivers",
)  # fmt: skip

# The raw sources a report's rows come from, for reports fed by a source a team may not use at all (no A/B tests,
# no activities, no content channels): such a report may be empty, but only while every one of these sources is
# empty too. Every other report must have rows: it is fed by the app's users and events and by the ads.
REPORT_INPUTS: dict[str, tuple[str, ...]] = {
    "rpt_ab_tests": ("experiments",),
    "rpt_activity_review": ("activities",),
    "rpt_content_daily": ("content_items", "content_daily_stats"),
    "rpt_content_items": ("content_items", "content_daily_stats"),
    "rpt_brand_sentiment_daily": ("brand_mentions",),  # a team without a social-listening export
    # a team that watches no competitor and listens to no platform
    "rpt_competitor_weekly": (
        "brand_mentions",
        "competitor_prices",
        "competitor_creatives",
        "app_store_ranks",
    ),
}
# Reports comparing each period with the one before: empty while fewer than two days are loaded (marts.dim_dates):
# the first day has none before it; from the second on every day has its GMV drivers.
COMPARISON_REPORTS = ("rpt_kpi_drivers",)
# Reports of exceptions: empty on a day without any (no KPI off its range, no campaign off its budget pace, no
# negative-sentiment spike, no recommendation rule firing).
EXCEPTION_REPORTS = ("rpt_alerts", "rpt_brand_incidents", "rpt_recommendations")
# Per-user reports (O(users) rows): their suite runs as SQL in DuckDB (pushdown.run over the whole table), never
# read into pandas; the other reports are small aggregates GX validates whole.
SQL_PUSHDOWN_REPORTS = ("rpt_user_segments",)
LIFECYCLE_STATES = ("new", "returning", "resurrected", "dormant", "churned")
VALUE_TIERS = ("high_value", "loyal", "potential", "at_risk", "hibernating", "new", "never_purchased")

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
    "production_cost", "boost_cost", "content_cost", "cost_per_lead", "views", "completed_views", "likes",
    "comments", "shares", "favorites",
    # engagement_rate = engagements / views is not bounded by 1: one viewer may like, comment, share and favorite,
    # and a day's interactions include earlier days' viewers.
    "engagement_rate",
}  # fmt: skip
_NON_NEGATIVE |= {
    "observed_days", "participants", "conversions", "coupon_orders", "coupon_cost_cny", "prize_cost_cny",
    "incentive_cost_cny", "gmv_cny", "avg_daily_gmv_cny", "baseline_avg_daily_gmv_cny", "attributed_gmv_cny",
}  # fmt: skip
# brand sentiment and incidents (peak_negative_mentions and spike_days have their lower bounds in dbt's row checks)
_NON_NEGATIVE |= {
    "mentions", "positive_mentions", "neutral_mentions", "negative_mentions", "unscored_mentions", "weighted_reach",
    "negative_reach", "baseline_negative_median", "baseline_mad",
}  # fmt: skip
# competitor watch
_NON_NEGATIVE |= {
    "items_tracked", "avg_price_cny", "items_price_down", "items_price_up", "promotions", "new_creatives",
    "active_creatives",
}  # fmt: skip


def _a_ge_b(larger: str, smaller: str) -> Expect:
    return Expect.of(
        "ExpectColumnPairValuesAToBeGreaterThanB",
        column_A=larger,
        column_B=smaller,
        or_equal=True,
        ignore_row_if="either_value_is_missing",
    )


def _null_when(column: str, condition: str) -> Expect:
    return Expect.of(
        "ExpectColumnValuesToBeNull", column=column, row_condition=condition, condition_parser="pandas"
    )


# Extra rules per report, beyond the non-negative columns: what dbt's tests of the report do not state (NULL,
# never 0 or infinity, where a ratio has no denominator; lower bounds other than 0).
_REPORT_RULES: dict[str, list[Expect]] = {
    # Incomplete cohorts have NULL rates, never 0 (complete day-0 retention = 1 is dbt's
    # assert_complete_day0_retention_is_one).
    "rpt_retention_cohorts": [_null_when("retention_rate", "is_complete == False")],
    # Items without leads or without cost have NULL cost_per_lead, never 0.
    "rpt_content_daily": [
        Expect.of("ExpectColumnValuesToBeBetween", column="cost_per_lead", min_value=0, strict_min=True)
    ],
    "rpt_content_items": [
        Expect.of("ExpectColumnValuesToBeBetween", column="cost_per_lead", min_value=0, strict_min=True)
    ],
    # Channels without spend (or without new users) have NULL cac, never 0.
    "rpt_cac_ltv_monthly": [
        Expect.of("ExpectColumnValuesToBeBetween", column="cac", min_value=0, strict_min=True),
        Expect.of("ExpectColumnValuesToBeBetween", column="paying_cac", min_value=0, strict_min=True),
    ],
    "rpt_user_lifecycle_weekly": [_a_ge_b("signed_up_users", "users")],
    "rpt_activity_review": [
        Expect.of("ExpectColumnValuesToBeBetween", column="days", min_value=1),
        Expect.of("ExpectColumnValuesToBeBetween", column="gmv_uplift", min_value=-1),
    ],
    # Alerts: every watched KPI and spend is non-negative, and so is the expected range, low end first.
    "rpt_alerts": [
        Expect.of("ExpectColumnValuesToBeBetween", column="observed", min_value=0),
        Expect.of("ExpectColumnValuesToBeBetween", column="expected_low", min_value=0),
        _a_ge_b("expected_high", "expected_low"),
    ],
    # Competitor watch: a price falls at most 100 %; chart positions start at 1; a brand without listings read in
    # the week has no price level and no discount (NULL, never 0).
    "rpt_competitor_weekly": [
        Expect.of("ExpectColumnValuesToBeBetween", column="avg_price_change", min_value=-1),
        Expect.of("ExpectColumnValuesToBeBetween", column="best_app_rank", min_value=1),
        Expect.of("ExpectColumnValuesToBeBetween", column="avg_app_rank", min_value=1),
        _null_when("avg_price_cny", "items_tracked == 0"),
        _null_when("max_discount", "items_tracked == 0"),
    ],
    # A/B tests: a relative lift of a non-negative rate is never below -100 %.
    "rpt_ab_tests": [Expect.of("ExpectColumnValuesToBeBetween", column="lift", min_value=-1)],
    # Recommendations: priorities count from 1 (seed recommendation_rules), the order readers see them in; every
    # recommendation names the published table its rows come from ("<table>: <keys> <days>").
    "rpt_recommendations": [
        Expect.of("ExpectColumnValuesToBeBetween", column="priority", min_value=1),
        Expect.of("ExpectColumnValuesToMatchRegex", column="evidence_keys", regex=r"^(?:rpt|fct|dim)_\w+: "),
    ],
    # KPI drivers: the KPIs explained (GMV, new users, CAC, blended ROAS) are never negative in either period; the
    # contributions' sum is dbt's assert_kpi_drivers_sum_to_change.
    "rpt_kpi_drivers": [
        Expect.of("ExpectColumnValuesToBeBetween", column=c, min_value=0)
        for c in ("value_before", "value_now")
    ],
}
# KPI reports: blended ROAS is NULL exactly when there is no spend (0, not NULL, with spend and no revenue).
for _kpi in ("rpt_kpi_daily", "rpt_kpi_weekly", "rpt_kpi_monthly"):
    _REPORT_RULES[_kpi] = [
        _null_when("blended_roas", "spend == 0"),
        Expect.of(
            "ExpectColumnValuesToNotBeNull",
            column="blended_roas",
            row_condition="spend > 0",
            condition_parser="pandas",
        ),
    ]


def report_suite_name(report: str) -> str:
    return f"reports.{report}"


def report_expectations(report: str, columns: Iterable[str], may_be_empty: bool = False) -> list[Expect]:
    """The GX rules of one report table with these `columns` (its published columns: dbt's enforced contract
    guarantees them, so they are read from the table, not listed here). An empty report is a broken build unless
    `may_be_empty` (its REPORT_INPUTS are all empty). A rule a dbt test of the report already states (keys, not
    null, accepted values, rates in [0, 1], column pairs) is left to dbt: tests/quality/test_one_home_per_rule.py."""
    columns = set(columns)
    out = [] if may_be_empty else [Expect.of("ExpectTableRowCountToBeBetween", min_value=1)]
    out += _ranges(sorted(columns & _NON_NEGATIVE), min_value=0)
    if "roi" in columns:  # (revenue - spend) / spend >= -1 when revenue >= 0
        out += _ranges(["roi"], min_value=-1)
    pairs = {"retained_users": "cohort_size", "net_revenue": "gmv"}
    pairs |= {"retention_rate": "unbounded_retention_rate"}
    out += [_a_ge_b(larger, smaller) for smaller, larger in pairs.items() if smaller in columns]
    out += _REPORT_RULES.get(report, [])
    return out


def _ranges(columns: Iterable[str], **bounds: float) -> list[Expect]:
    return [Expect.of("ExpectColumnValuesToBeBetween", column=c, **bounds) for c in columns]
