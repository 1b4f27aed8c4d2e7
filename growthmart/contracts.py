"""Landing contracts: what each raw source looks like when it arrives, and how it is typed at load.

One `SourceContract` per raw table. The ingestion loader, the demo generator, the Great Expectations
raw suites and `docs/sources.md` are all driven from these definitions, so a column is described once.
Field names are the platform's own (Chinese CSV headers included); staging renames them.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

# Column types understood by the loader (see growthmart/ingest/sql.py for the parsing rules):
#   string    – text, trimmed; '' → NULL
#   int       – integer; thousands separators accepted only in groups of three ("1,234", not "12,5")
#   decimal   – exact decimal(18, 4) (money); thousands separators as for int; at most 4 decimals
#   double    – floating point; no thousands separators, '%', currency symbols, NaN or infinity
# A numeric value that cannot be read unambiguously is quarantined, never rewritten (see ingest/sql.py).
#   date      – YYYY-MM-DD or YYYY/MM/DD
#   timestamp – ISO-8601; an explicit offset ('Z', '+08:00') is honoured, a naive value is read as UTC;
#               stored as a naive UTC TIMESTAMP
#   json      – any JSON value, stored as its JSON text (e.g. Meta's `actions` array)
COLUMN_TYPES = ("string", "int", "decimal", "double", "date", "timestamp", "json")
NUMERIC_TYPES = ("int", "decimal", "double")

# Values that mean "no value" in real exports (Xiaohongshu/Baidu UI exports use '-' and '--').
NULL_TOKENS = ("", "-", "--", "null", "NULL", "None", "#DIV/0!")


@dataclass(frozen=True)
class Column:
    name: str  # name as it appears in the landing file (CSV header or JSON key)
    type: str
    required: bool = False  # a NULL here sends the row to quarantine
    description: str = ""
    json_path: str | None = None  # JSON sources only: path inside a record when not the name itself
    # Range of a numeric column (int, decimal, double): counts and money are >= 0 unless declared
    # otherwise; min_value=None means no lower bound. The loader quarantines a value out of range and the
    # GE raw suite checks the same bounds (`bounds`): the rule is declared here only.
    min_value: float | None = 0
    max_value: float | None = None
    strict_min: bool = False  # the value must be > min_value

    def __post_init__(self) -> None:
        if self.type not in COLUMN_TYPES:
            raise ValueError(f"column {self.name}: unknown type {self.type!r}")

    @property
    def is_numeric(self) -> bool:
        return self.type in NUMERIC_TYPES

    @property
    def bounds(self) -> dict:
        """The column's range as ExpectColumnValuesToBeBetween arguments; {} for a non-numeric column."""
        if not self.is_numeric:
            return {}
        out: dict = {}
        if self.min_value is not None:
            out["min_value"] = self.min_value
            if self.strict_min:
                out["strict_min"] = True
        if self.max_value is not None:
            out["max_value"] = self.max_value
        return out


@dataclass(frozen=True)
class AdPlatform:
    """An ad platform's place in the unified ad table, declared on its raw source's contract.

    Every list of ad platforms is derived from these declarations: the dbt union, accepted values and spend
    reconciliation test (through the generated macro `ad_platforms()`, growthmart/sources/generated.py), the GE
    suites and docs/sources.md.
    """

    key: str  # `platform` in the unified ad table, the campaign registry and the channels seed
    staging_model: str  # the dbt model mapping the raw table onto the shared ad column contract
    impressions: str  # raw column of impressions
    clicks: str  # raw column of clicks, never more than impressions
    spend_sql: str  # SQL over a raw row: the spend in whole units of its currency (e.g. fen / 100)
    currency: str = "CNY"  # ISO code of the spend, when the platform reports one currency
    currency_column: str | None = None  # raw column holding the spend's ISO code, when it varies by account
    # The names report readers see next to the key (dim_code_labels; unset, the reports show the key itself and
    # the dbt test assert_published_codes_have_labels warns)
    label_zh: str | None = None
    label_en: str | None = None
    # The platform's colour in every report chart (dim_code_labels.color; its paid channel takes it too). Unset,
    # the reports give it a colour derived from the key alone, so no other platform's colour moves.
    color: str | None = None

    @property
    def currency_sql(self) -> str:
        """SQL over a raw row: the ISO currency of `spend_sql`."""
        return f'upper(trim("{self.currency_column}"))' if self.currency_column else f"'{self.currency}'"


@dataclass(frozen=True)
class SourceContract:
    name: str  # raw table name and Dagster asset key ["raw", name]
    family: str  # ads | content | users | reference | brand | competitor
    format: str  # csv | json | jsonl
    description: str
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...]  # unique within a partition; later duplicates are quarantined
    file_glob: str = "*"
    records_path: str | None = None  # json only: JSONPath of the record array ('$.data.list')
    timezone_note: str = ""
    units_note: str = ""
    # A full snapshot landed every day (a registry export) may legitimately repeat byte for byte across
    # days; only an identical second file within the same day is then a duplicate.
    is_snapshot: bool = False
    # The column holding each row's report day, for sources whose folder day IS the report day (a daily ad
    # report, daily content stats): a row dated another day is a misfiled export and is quarantined. Sources
    # without it (events, orders, registries, costs) are not bound to their folder's day.
    report_date_column: str | None = None
    ad_platform: AdPlatform | None = None  # an ad platform's report (family "ads"): its place in the ad union
    extra: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        p = self.ad_platform
        if p is None:
            return
        named = [p.impressions, p.clicks, *([p.currency_column] if p.currency_column else [])]
        unknown = [c for c in named if c not in self.column_names]
        if self.family != "ads" or self.report_date_column is None or unknown:
            raise ValueError(
                f"source {self.name}: an ad platform needs family 'ads' (got {self.family!r}), a report_date_column "
                f"(got {self.report_date_column!r}) and its impressions, clicks and currency columns among the "
                f"contract's columns (unknown: {unknown})"
            )

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)


C = Column

# ---------------------------------------------------------------- ads
# The ad platforms, each declared once with its `ad_platform`; `make new-source NAME=<name>` adds one here.
AD_CONTRACTS: tuple[SourceContract, ...] = (
    SourceContract(
        name="ocean_engine_ad_stats",
        ad_platform=AdPlatform(
            key="ocean_engine",
            label_zh="巨量引擎",
            label_en="Ocean Engine",
            color="#525df4",
            staging_model="stg_ocean_engine__ad_stats",
            impressions="展示数",
            clicks="点击数",
            spend_sql='"消耗(元)"',  # yuan
        ),
        report_date_column="日期",
        family="ads",
        format="csv",
        file_glob="*.csv",
        description="Ocean Engine (巨量引擎, Douyin ads) daily report exported from the UI at ad (广告/promotion) grain.",
        timezone_note="日期 is the Beijing (UTC+8) calendar day.",
        units_note="Money in yuan (元) with up to 2 decimals, may carry thousands separators; 点击率 is percent and ignored.",
        primary_key=("日期", "广告ID"),
        columns=(
            C("日期", "date", True, "stat_time_day"),
            C("账户ID", "string", True, "advertiser id"),
            C("项目ID", "string", True, "cdp_project_id (campaign)"),
            C("项目名称", "string", False, "project name"),
            C("广告ID", "string", True, "cdp_promotion_id (ad)"),
            C("广告名称", "string", False, "promotion name"),
            C("展示数", "int", True, "show_cnt, impressions"),
            C("点击数", "int", True, "click_cnt, clicks"),
            C(
                "点击率(%)",
                "double",
                False,
                "ctr in percent; never loaded downstream, ratios are recomputed",
                max_value=100,
            ),
            C("消耗(元)", "decimal", True, "stat_cost, spend in yuan"),
            C("转化数", "int", False, "convert_cnt, platform-attributed conversions"),
            C("转化金额(元)", "decimal", False, "platform-attributed conversion value in yuan"),
        ),
    ),
    SourceContract(
        name="tencent_ads_daily_reports",
        ad_platform=AdPlatform(
            key="tencent_ads",
            label_zh="腾讯广告",
            label_en="Tencent Ads",
            color="#19a979",
            staging_model="stg_tencent_ads__daily_reports",
            impressions="view_count",
            clicks="valid_click_count",
            spend_sql="cost / 100.0",  # integer fen
        ),
        report_date_column="date",
        family="ads",
        format="json",
        file_glob="*.json",
        records_path="$.data.list",
        description="Tencent Ads (腾讯广告) /v3.0/daily_reports/get response at dynamic-creative grain, one file per account and day.",
        timezone_note="date is GMT+8.",
        units_note="cost and order_amount are integer fen (1/100 yuan).",
        primary_key=("date", "dynamic_creative_id"),
        columns=(
            C("date", "date", True),
            C("account_id", "string", True),
            C("campaign_id", "string", True),
            C("campaign_name", "string"),
            C("adgroup_id", "string", True),
            C("adgroup_name", "string"),
            C("dynamic_creative_id", "string", True, "ad"),
            C("view_count", "int", True, "impressions"),
            C("valid_click_count", "int", True, "clicks"),
            C("cost", "int", True, "spend in fen"),
            C("conversions_count", "int"),
            C("order_amount", "int", False, "platform-attributed order value in fen"),
        ),
    ),
    SourceContract(
        name="baidu_keyword_stats",
        ad_platform=AdPlatform(
            key="baidu",
            label_zh="百度营销",
            label_en="Baidu Ads",
            color="#2f6fde",
            staging_model="stg_baidu__keyword_stats",
            impressions="展现",
            clicks="点击",
            spend_sql='"消费"',  # yuan
        ),
        report_date_column="日期",
        family="ads",
        format="csv",
        file_glob="*.csv",
        description="Baidu search ads (百度营销) keyword report (reportType 2602783) exported as CSV with Chinese labels.",
        timezone_note="日期 is the Beijing (UTC+8) calendar day.",
        units_note="消费 in yuan. Deleted objects carry the suffix [已删除] in their names. No conversion value.",
        primary_key=("日期", "关键词ID"),
        columns=(
            C("日期", "date", True),
            C("账户名", "string", True, "account (Baidu identifies accounts by user name)"),
            C("计划ID", "string", True, "campaignId (推广计划)"),
            C("计划名", "string"),
            C("单元ID", "string", True, "adGroupId (推广单元)"),
            C("单元名", "string"),
            C("关键词ID", "string", True, "wInfoId: the keyword is the ad grain"),
            C("关键词", "string"),
            C("匹配模式", "string", False, "mixWmatchEnum"),
            C("展现", "int", True, "impressions"),
            C("点击", "int", True, "clicks"),
            C("消费", "decimal", True, "spend in yuan"),
            C("转化", "int", False, "platform-attributed conversions"),
        ),
    ),
    SourceContract(
        name="meta_ads_insights",
        ad_platform=AdPlatform(
            key="meta",
            label_zh="Meta广告",
            label_en="Meta Ads",
            color="#945ecf",
            staging_model="stg_meta_ads__insights",
            impressions="impressions",
            clicks="clicks",
            spend_sql="spend",
            currency_column="account_currency",
        ),
        report_date_column="date_start",
        family="ads",
        format="json",
        file_glob="*.json",
        records_path="$.data",
        description="Meta Marketing API /act_<id>/insights?level=ad&time_increment=1 page, every scalar a JSON string.",
        timezone_note="date_start is the ad account's calendar day in account_timezone (not re-bucketed).",
        units_note="spend is a decimal string in account_currency (usually USD); actions/action_values are lists of {action_type, value}.",
        primary_key=("date_start", "ad_id"),
        columns=(
            C("account_id", "string", True),
            C("account_currency", "string", True),
            C("account_timezone", "string", True, "timezone_name of the ad account, added by the exporter"),
            C("campaign_id", "string", True),
            C("campaign_name", "string"),
            C("adset_id", "string", True, "ad group"),
            C("adset_name", "string"),
            C("ad_id", "string", True),
            C("ad_name", "string"),
            C("date_start", "date", True),
            C("date_stop", "date", True),
            C("impressions", "int", True),
            C("clicks", "int", True),
            C("spend", "decimal", True),
            C(
                "actions",
                "json",
                False,
                "list of {action_type, value}; purchases are offsite_conversion.fb_pixel_purchase",
            ),
            C("action_values", "json", False, "list of {action_type, value} in account currency"),
        ),
    ),
    SourceContract(
        name="xiaohongshu_ads_reports",
        ad_platform=AdPlatform(
            key="xiaohongshu_ads",
            label_zh="小红书聚光",
            label_en="Xiaohongshu Spotlight",
            color="#ed4a7b",
            staging_model="stg_xiaohongshu_ads__reports",
            impressions="impression",
            clicks="click",
            spend_sql="fee",  # yuan
        ),
        report_date_column="time",
        family="ads",
        format="json",
        file_glob="*.json",
        records_path="$.data.data_list",
        description="Xiaohongshu 聚光 (Spotlight) POST /api/open/jg/data/report/offline/creativity page at creative "
        "(创意) grain, one file per advertiser and day.",
        timezone_note="time is the Beijing (UTC+8) calendar day [?].",
        units_note="fee and rgmv in yuan (元); numbers may arrive as strings with thousands separators; ctr arrives "
        'as "x.xx%" and is kept as text, never read as a number (ratios are recomputed from counts).',
        primary_key=("time", "creativity_id"),
        columns=(
            C("advertiser_id", "string", True, "the advertiser asked for; API rows do not repeat it"),
            C("time", "date", True, "report day"),
            C("campaign_id", "string", True, "计划 (campaign)"),
            C("campaign_name", "string"),
            C("unit_id", "string", True, "单元 (ad group)"),
            C("unit_name", "string"),
            C("creativity_id", "string", True, "创意: the ad grain"),
            C("fee", "decimal", True, "spend in yuan"),
            C("impression", "int", True, "impressions"),
            C("click", "int", True, "clicks"),
            C("ctr", "string", False, 'click-through rate as "x.xx%" text; never used downstream'),
            C("like", "int", False, "likes (点赞)"),
            C("comment", "int", False, "comments"),
            C("collect", "int", False, "收藏 (saves)"),
            C("share", "int", False, "shares"),
            C("follow", "int", False, "follows gained"),
            C("leads", "int", False, "留资: platform-attributed leads"),
            C("goods_order", "int", False, "platform-attributed orders"),
            C("rgmv", "decimal", False, "platform-attributed GMV in yuan"),
        ),
    ),
    SourceContract(
        name="google_ads_ad_stats",
        ad_platform=AdPlatform(
            key="google_ads",
            label_zh="谷歌广告",
            label_en="Google Ads",
            color="#e8743b",
            staging_model="stg_google_ads__ad_stats",
            impressions="metrics.impressions",
            clicks="metrics.clicks",
            spend_sql='"metrics.cost_micros" / 1000000.0',  # int64 micros of the customer's currency
            currency_column="customer.currency_code",
        ),
        report_date_column="segments.date",
        family="ads",
        format="json",
        file_glob="*.json",
        records_path="$.results",
        description="Google Ads API googleAds:search (GAQL FROM ad_group_ad, segments.date) response at ad "
        "grain, one file per customer and day; rows are nested camelCase objects (REST JSON).",
        timezone_note="segments.date is the customer's calendar day in customer.time_zone (not re-bucketed).",
        units_note="metrics.cost_micros is int64 micros (1/1,000,000) of customer.currency_code, sent as a JSON "
        "string; metrics.conversions and metrics.conversions_value are doubles (fractional with data-driven "
        "attribution); metrics.ctr (a fraction) is not loaded.",
        primary_key=("segments.date", "ad_group_ad.ad.id"),
        columns=(
            C("customer.id", "string", True, "customer (account) id", json_path="$.customer.id"),
            C(
                "customer.currency_code",
                "string",
                True,
                "ISO currency of the customer's money fields",
                json_path="$.customer.currencyCode",
            ),
            C(
                "customer.time_zone",
                "string",
                True,
                "time zone of segments.date",
                json_path="$.customer.timeZone",
            ),
            C("campaign.id", "string", True, json_path="$.campaign.id"),
            C("campaign.name", "string", json_path="$.campaign.name"),
            C("ad_group.id", "string", True, "ad group", json_path="$.adGroup.id"),
            C("ad_group.name", "string", json_path="$.adGroup.name"),
            C("ad_group_ad.ad.id", "string", True, "ad", json_path="$.adGroupAd.ad.id"),
            C("ad_group_ad.ad.name", "string", json_path="$.adGroupAd.ad.name"),
            C("segments.date", "date", True, json_path="$.segments.date"),
            C("metrics.impressions", "int", True, json_path="$.metrics.impressions"),
            C("metrics.clicks", "int", True, json_path="$.metrics.clicks"),
            C("metrics.cost_micros", "int", True, "spend in micros", json_path="$.metrics.costMicros"),
            C(
                "metrics.conversions",
                "double",
                False,
                "platform-attributed conversions (may be fractional)",
                json_path="$.metrics.conversions",
            ),
            C(
                "metrics.conversions_value",
                "double",
                False,
                "platform-attributed conversion value in the customer's currency",
                json_path="$.metrics.conversionsValue",
            ),
        ),
    ),
    # make new-source inserts new ad platforms above this line
)
AD_PLATFORMS_BY_SOURCE: dict[str, AdPlatform] = {c.name: c.ad_platform for c in AD_CONTRACTS if c.ad_platform}
AD_PLATFORM_KEYS: tuple[str, ...] = tuple(p.key for p in AD_PLATFORMS_BY_SOURCE.values())
if len(set(AD_PLATFORM_KEYS)) != len(AD_PLATFORM_KEYS):
    raise ValueError(f"ad platform keys must be unique: {AD_PLATFORM_KEYS}")
_PLATFORM_LIST = " | ".join(AD_PLATFORM_KEYS)


@dataclass(frozen=True)
class SocialPlatform:
    """A social platform the listening tool and the competitor ad tool report, with what readers see for it: its
    Chinese and English names and its chart colour (dim_code_labels, code type social_platform)."""

    key: str
    label_zh: str
    label_en: str
    color: str


# Accepted values of the brand and competitor sources, declared once: the raw GE suites
# (growthmart/quality/suites.py ACCEPTED_VALUES), the column descriptions and the demo read these; the social
# platforms' labels and colours reach the reports through the generated macro social_platforms().
SOCIAL_PLATFORM_DECLARATIONS: tuple[SocialPlatform, ...] = (
    SocialPlatform("weibo", "微博", "Weibo", "#d83931"),
    SocialPlatform("douyin", "抖音", "Douyin", "#3d4a5c"),
    SocialPlatform("xiaohongshu", "小红书", "Xiaohongshu", "#ed4a7b"),
    SocialPlatform("zhihu", "知乎", "Zhihu", "#2f6fde"),
    SocialPlatform("bilibili", "哔哩哔哩", "Bilibili", "#13a4b4"),
    SocialPlatform("wechat", "微信", "WeChat", "#19a979"),
)
SOCIAL_PLATFORMS: tuple[str, ...] = tuple(p.key for p in SOCIAL_PLATFORM_DECLARATIONS)
BRAND_TYPES: tuple[str, ...] = ("own", "competitor")  # our brand, or a tracked competitor
SHOP_PLATFORMS: tuple[str, ...] = ("tmall", "jd", "pinduoduo", "douyin_shop")
CREATIVE_FORMATS: tuple[str, ...] = ("image", "video", "carousel")
APP_STORES: tuple[str, ...] = ("app_store", "huawei", "yingyongbao")
# The owned content platforms are declared once, in the dbt seed channels.csv (its `content_platform` column, which
# dbt's labels and channel models read): the content sources' accepted `channel` values are read from it.
CHANNELS_SEED = Path(__file__).resolve().parents[1] / "dbt_project" / "seeds" / "channels.csv"


def _seed_content_platforms(seed: Path = CHANNELS_SEED) -> tuple[str, ...]:
    with seed.open(encoding="utf-8", newline="") as fh:
        return tuple(row["content_platform"] for row in csv.DictReader(fh) if row["content_platform"])


CONTENT_PLATFORMS: tuple[str, ...] = _seed_content_platforms()
_SOCIAL_LIST, _BRAND_TYPE_LIST, _SHOP_LIST, _CREATIVE_FORMAT_LIST, _APP_STORE_LIST, _CONTENT_LIST = (
    " | ".join(values)
    for values in (
        SOCIAL_PLATFORMS,
        BRAND_TYPES,
        SHOP_PLATFORMS,
        CREATIVE_FORMATS,
        APP_STORES,
        CONTENT_PLATFORMS,
    )
)

CONTRACTS: tuple[SourceContract, ...] = (
    *AD_CONTRACTS,
    # ---------------------------------------------------------------- content
    SourceContract(
        name="content_items",
        family="content",
        format="csv",
        file_glob="*.csv",
        description="Content published on owned channels that day (one row per item, as listed by the CMS export).",
        timezone_note="published_at is UTC.",
        primary_key=("content_id",),
        columns=(
            C("content_id", "string", True),
            C("channel", "string", True, _CONTENT_LIST),
            C("content_type", "string", True, "article | short_video | livestream | note"),
            C("title", "string"),
            C("author", "string"),
            C("utm_campaign", "string", False, "UTM campaign code the item links with"),
            C("published_at", "timestamp", True),
            C("duration_seconds", "int", False, "video/livestream length"),
            # Added later: older exports without it still load (NULL).
            C("topic", "string", False, "editorial topic (选题) from the content calendar"),
            # Added later (issue 11): maps the WeChat datacube's msgid onto content_id; older exports load NULL.
            C(
                "platform_item_id",
                "string",
                False,
                "the platform's own id of the item: WeChat msgid (<msg_data_id>_<index in the push>)",
            ),
        ),
    ),
    SourceContract(
        name="content_daily_stats",
        report_date_column="stat_date",
        family="content",
        format="csv",
        file_glob="*.csv",
        description="Per-item daily (not cumulative) engagement stats from the owned channels.",
        timezone_note="stat_date is the Beijing calendar day.",
        units_note="completion_rate is a fraction 0..1 (videos only); avg_watch_seconds in seconds.",
        primary_key=("stat_date", "content_id"),
        columns=(
            C("stat_date", "date", True),
            C("content_id", "string", True),
            C("channel", "string", True, _CONTENT_LIST),
            C("views", "int", True),
            C("completion_rate", "double", max_value=1),
            C("avg_watch_seconds", "double"),
            C("likes", "int"),
            C("comments", "int"),
            C("shares", "int"),
            C("favorites", "int"),
            C("follows_gained", "int"),
            C("link_clicks", "int"),
            C("leads", "int", False, "留资: contact forms submitted"),
        ),
    ),
    SourceContract(
        name="wechat_article_summary",
        report_date_column="ref_date",
        family="content",
        format="json",
        file_glob="*.json",
        records_path="$.list",
        description="WeChat official account datacube /datacube/getarticlesummary: per-article daily (not "
        "cumulative) reads, shares and favorites, one day per call.",
        timezone_note="ref_date is the Beijing calendar day; the latest day the datacube serves is yesterday.",
        units_note="Counts (*_count) and distinct users (*_user); int_page = the article page, ori_page = the "
        "original-article page. No likes, comments, follows, link clicks or leads (the CMS export keeps those).",
        primary_key=("ref_date", "msgid"),
        columns=(
            C("ref_date", "date", True),
            C("msgid", "string", True, "<msg_data_id>_<index>: the CMS content_items.platform_item_id"),
            C("title", "string"),
            C("int_page_read_user", "int", True, "readers of the article page"),
            C("int_page_read_count", "int", True, "reads of the article page (views)"),
            C("ori_page_read_user", "int"),
            C("ori_page_read_count", "int"),
            C("share_user", "int"),
            C("share_count", "int", True, "shares"),
            C("add_to_fav_user", "int"),
            C("add_to_fav_count", "int", True, "favorites"),
        ),
    ),
    # ---------------------------------------------------------------- users
    SourceContract(
        name="app_events",
        family="users",
        format="jsonl",
        file_glob="*.jsonl",
        description="Behavioural events from the app/web tracker, one JSON object per line.",
        timezone_note="event_at is UTC (ISO-8601 with Z). A day's folder holds the events received that Beijing day; late events land in a later folder.",
        primary_key=("event_id",),
        columns=(
            C("event_id", "string", True),
            C(
                "event_name",
                "string",
                True,
                "session_start | page_view | signup | add_to_cart | purchase | ...",
            ),
            C("event_at", "timestamp", True),
            C("anonymous_id", "string", True, "device/cookie id, present on every event"),
            C("user_id", "string", False, "present from signup on"),
            C("platform", "string", False, "ios | android | web | miniprogram"),
            C("utm_source", "string"),
            C("utm_medium", "string"),
            C("utm_campaign", "string"),
            C("utm_content", "string"),
        ),
    ),
    SourceContract(
        name="app_users",
        family="users",
        format="csv",
        file_glob="*.csv",
        description="User registry: users who signed up that day.",
        timezone_note="signup_at is UTC.",
        primary_key=("user_id",),
        columns=(
            C("user_id", "string", True),
            C("anonymous_id", "string", True, "device id the user signed up from; stitches earlier events"),
            C("signup_at", "timestamp", True),
            C("region", "string"),
            C("city", "string"),
            C("device", "string", False, "ios | android | web | miniprogram"),
        ),
    ),
    SourceContract(
        name="app_orders",
        family="users",
        format="csv",
        file_glob="*.csv",
        description="Orders created or updated that day (an order reappears when it is refunded or cancelled).",
        timezone_note="created_at, refunded_at and updated_at are UTC.",
        units_note="amount and refund_amount in `currency` units (CNY, USD or HKD).",
        primary_key=("order_id", "updated_at"),
        columns=(
            C("order_id", "string", True),
            C("user_id", "string", True),
            C("created_at", "timestamp", True),
            C("updated_at", "timestamp", True),
            C("status", "string", True, "paid | refunded | cancelled"),
            C("currency", "string", True),
            C("amount", "decimal", True),
            C("refund_amount", "decimal"),
            C("refunded_at", "timestamp"),
            C("coupon_code", "string"),
        ),
    ),
    # ---------------------------------------------------------------- reference
    SourceContract(
        name="campaigns",
        family="reference",
        format="csv",
        file_glob="*.csv",
        is_snapshot=True,
        description="Campaign registry snapshot: internal campaign ↔ platform campaign id and UTM code.",
        units_note="budget in budget_currency.",
        primary_key=("campaign_id",),
        columns=(
            C("campaign_id", "string", True, "internal id"),
            C("campaign_name", "string", True),
            C("campaign_type", "string", True, "paid_ads | content | activity | kol"),
            C("channel", "string", True, "must be a channel of the channel map seed"),
            C("platform", "string", False, f"{_PLATFORM_LIST}, for paid_ads"),
            C("platform_campaign_id", "string", False, "the platform's campaign id, for paid_ads"),
            C("utm_campaign", "string", False, "utm_campaign value its links carry"),
            C("budget", "decimal"),
            C("budget_currency", "string"),
            C("start_date", "date", True),
            C("end_date", "date"),
        ),
    ),
    SourceContract(
        name="activities",
        family="reference",
        format="csv",
        file_glob="*.csv",
        is_snapshot=True,
        description="Activity (活动) registry snapshot: each activity's campaign, coupon and phase dates.",
        timezone_note="Dates are Beijing (UTC+8) calendar days; end_date is the activity's last day (inclusive).",
        units_note=(
            "Phases: warm-up [warmup_start, peak_start), peak [peak_start, wrapup_start), wrap-up "
            "[wrapup_start, end_date]; a NULL start means the phase is absent."
        ),
        primary_key=("activity_id",),
        columns=(
            C("activity_id", "string", True),
            C("activity_name", "string", True),
            C(
                "activity_type",
                "string",
                True,
                "festival_sale | recall | member_day | invite | new_user_gift | check_in | lottery | group_buy | other",
            ),
            C(
                "campaign_id",
                "string",
                True,
                "campaign registry id whose UTM links, costs and coupon it uses",
            ),
            C("warmup_start", "date", False, "first day of the warm-up (预热期); NULL = no warm-up"),
            C("peak_start", "date", False, "first day of the peak (爆发期); NULL = no peak phase"),
            C("wrapup_start", "date", False, "first day of the wrap-up (收尾期); NULL = no wrap-up"),
            C("end_date", "date", True, "last day of the activity"),
            C("coupon_code", "string", False, "coupon code of the activity, as orders carry it"),
            C(
                "baseline_days",
                "int",
                False,
                "days before the activity used as its baseline; NULL = 14",
                min_value=1,
            ),
        ),
    ),
    SourceContract(
        name="non_ad_costs",
        family="reference",
        format="csv",
        file_glob="*.csv",
        description="Costs that are not ad spend: KOL fees, activity incentives, coupon subsidies, content production "
        "and paid boosts of owned posts.",
        primary_key=("cost_id",),
        columns=(
            C("cost_id", "string", True),
            C("cost_date", "date", True),
            C("campaign_id", "string", True),
            C(
                "cost_type",
                "string",
                True,
                "kol_fee | activity_incentive | coupon_subsidy | production | content_boost "
                "(paid promotion of an owned post: Douyin DOU+, Xiaohongshu 薯条/聚光 note boosts)",
            ),
            C("amount", "decimal", True),
            C("currency", "string", True),
            C("description", "string"),
            # Added later: older exports without it still load (NULL).
            C(
                "content_id",
                "string",
                False,
                "owned content item the cost is for (production, content_boost)",
            ),
        ),
    ),
    SourceContract(
        name="fx_rates",
        report_date_column="rate_date",
        family="reference",
        format="csv",
        file_glob="*.csv",
        description="Daily FX rates to CNY (e.g. central parity), one row per currency.",
        units_note="rate_to_cny = CNY per 1 unit of currency.",
        primary_key=("rate_date", "currency"),
        columns=(
            C("rate_date", "date", True),
            C("currency", "string", True),
            C("rate_to_cny", "double", True, strict_min=True),
        ),
    ),
    SourceContract(
        name="experiments",
        family="reference",
        format="csv",
        file_glob="*.csv",
        is_snapshot=True,
        description="A/B-test registry snapshot: creative and landing-page tests, one row per variant.",
        timezone_note="start_date and end_date are Beijing calendar days, both inclusive.",
        primary_key=("experiment_id", "variant_id"),
        columns=(
            C("experiment_id", "string", True),
            C("experiment_name", "string", True),
            C("experiment_type", "string", True, "creative | landing_page"),
            C("variant_id", "string", True, "unique within the experiment"),
            C("variant_name", "string"),
            C("is_control", "string", True, "true | false; exactly one control per experiment"),
            C(
                "platform",
                "string",
                False,
                f"ad platform of a creative test: {_PLATFORM_LIST}",
            ),
            C(
                "variant_key",
                "string",
                True,
                "utm_content the variant's links carry: the platform ad id (creative) or the landing page's value",
            ),
            C("primary_metric", "string", True, "cvr | ctr: the metric the test is decided on"),
            C("start_date", "date", True),
            C("end_date", "date", True, "planned last day; the report reads up to the data's end"),
            C("min_sample_per_variant", "int", False, "trials per variant wanted before the result is read"),
        ),
    ),
    # ---------------------------------------------------------------- brand (social listening)
    SourceContract(
        name="brand_mentions",
        family="brand",
        format="jsonl",
        file_glob="*.jsonl",
        description="Social-listening export (舆情监测): posts, videos, answers and articles on the social platforms "
        "that match a tracked brand's keywords, ours or a competitor's, one JSON object per line. A day's folder "
        "holds what the tool delivered that Beijing day: new mentions, and earlier ones again with their counts "
        "updated (same mention_id and text); staging keeps each mention's latest delivery.",
        timezone_note="created_at is UTC (ISO-8601 with Z or an offset). Not bound to its folder's day: a "
        "re-delivered mention keeps its created_at.",
        units_note="likes, comments and reposts are the counts when collected (cumulative, not per day), NULL where "
        "the platform does not show one (WeChat articles have no reposts); author_followers when collected. "
        "matched_keywords is a JSON list of the tracked keywords the text matched. A post that matches two "
        "tracked brands arrives once per brand, each with its own mention_id.",
        primary_key=("mention_id",),
        columns=(
            C(
                "mention_id",
                "string",
                True,
                "the listening tool's id of the mention, the same in every delivery",
            ),
            C("platform", "string", True, _SOCIAL_LIST),
            C("url", "string", False, "link to the post on its platform"),
            C("author", "string", False, "author's display name (nickname, account or 公众号 name)"),
            C("author_followers", "int", False, "the author's followers when collected"),
            C(
                "text",
                "string",
                True,
                "the post's text (title and body; a video's caption) as published: Chinese, emoji, #hashtags#, "
                "@mentions, URLs, quotes and line breaks kept",
            ),
            C("likes", "int", False, "likes (点赞) when collected"),
            C("comments", "int", False, "comments (评论) when collected"),
            C("reposts", "int", False, "reposts / shares (转发, 分享) when collected"),
            C("created_at", "timestamp", True, "when the post was published"),
            C(
                "matched_keywords",
                "json",
                False,
                'JSON list of the tracked keywords the text matched, e.g. ["GM优选"]',
            ),
            C(
                "brand",
                "string",
                True,
                "the tracked brand the match is about, as named in the listening tool",
            ),
            C("brand_type", "string", True, f"{_BRAND_TYPE_LIST}: our brand or a tracked competitor"),
        ),
    ),
    # ---------------------------------------------------------------- competitor watch
    SourceContract(
        name="competitor_prices",
        family="competitor",
        format="csv",
        file_glob="*.csv",
        description="Price monitoring export: competitors' tracked items on the shopping platforms, one row per "
        "item and observation (price shown, list price and the promotion text on the item page).",
        timezone_note="observed_at is UTC; a day's folder holds the observations made that Beijing day.",
        units_note="price and list_price in yuan (元), as shown on the page (price > 0); list_price is the "
        "crossed-out 划线价 when the page shows one, never below price.",
        primary_key=("shop_platform", "item_id", "observed_at"),
        columns=(
            C("observed_at", "timestamp", True, "when the page was read"),
            C("competitor", "string", True, "the competitor, as named in the tracking list"),
            C("shop_platform", "string", True, _SHOP_LIST),
            C("item_id", "string", True, "the shop platform's item (SKU) id"),
            C("item_name", "string", False, "item title as listed"),
            C("category", "string", False, "our category the item is compared in"),
            C("price", "decimal", True, "price shown (到手价 before coupons), yuan", strict_min=True),
            C("list_price", "decimal", False, "crossed-out list price (划线价), yuan", strict_min=True),
            C(
                "promotion_text",
                "string",
                False,
                "promotion shown on the item page, e.g. 满300减50, 限时直降",
            ),
        ),
    ),
    SourceContract(
        name="competitor_creatives",
        family="competitor",
        format="csv",
        file_glob="*.csv",
        description="Ad-intelligence export: competitor ad creatives seen on the social platforms that day, with "
        "when each was first and last seen so far.",
        timezone_note="first_seen and last_seen are Beijing calendar days.",
        units_note="A creative still running reappears every day with a later last_seen; staging keeps its latest "
        "row.",
        primary_key=("platform", "creative_id"),
        columns=(
            C("creative_id", "string", True, "the ad-intelligence tool's id of the creative"),
            C("competitor", "string", True, "the advertiser, as named in the tracking list"),
            C("platform", "string", True, f"where the ad ran: {_SOCIAL_LIST}"),
            C("creative_format", "string", True, _CREATIVE_FORMAT_LIST),
            C("title", "string", False, "the ad's headline"),
            C("text", "string", False, "the ad copy"),
            C("landing_url", "string", False, "where the ad links"),
            C("first_seen", "date", True, "first day the tool saw the creative"),
            C("last_seen", "date", True, "latest day the tool saw the creative, never before first_seen"),
        ),
    ),
    SourceContract(
        name="app_store_ranks",
        report_date_column="rank_date",
        family="competitor",
        format="csv",
        file_glob="*.csv",
        description="App-store chart ranks per day: our app and the tracked competitors' apps in each store's "
        "category chart (one row per app, store, chart and day).",
        timezone_note="rank_date is the Beijing calendar day the chart was read.",
        units_note="rank is the position in the chart, 1 = top.",
        primary_key=("rank_date", "store", "category", "brand"),
        columns=(
            C("rank_date", "date", True),
            C("store", "string", True, _APP_STORE_LIST),
            C("category", "string", True, "the store's chart, e.g. 购物 (free)"),
            C("app_name", "string", False, "the app's name in the store"),
            C("brand", "string", True, "the tracked brand the app belongs to"),
            C("brand_type", "string", True, f"{_BRAND_TYPE_LIST}: our app or a tracked competitor's"),
            C("rank", "int", True, "position in the chart, 1 = top", min_value=1),
        ),
    ),
)

CONTRACTS_BY_NAME = {c.name: c for c in CONTRACTS}


def get_contract(name: str) -> SourceContract:
    try:
        return CONTRACTS_BY_NAME[name]
    except KeyError:
        raise KeyError(f"unknown source {name!r}; known: {sorted(CONTRACTS_BY_NAME)}") from None
