"""The demo's market: our brand and the tracked competitors (fictional names), the product-quality incident and
the competitor's price cut, placed relative to the window so every demo has them.

Tests and later reports refer to these names: on the default demo (2026-05-01, 200 days) the incident starts on
`DEFAULT_INCIDENT_DATE` on `INCIDENT_PLATFORM`, and `PRICE_CUT_COMPETITOR` cuts its prices during our recall
activity (tools/demo/campaigns.py `recall_plan`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from tools.demo.campaigns import recall_plan


@dataclass(frozen=True)
class Brand:
    name: str  # as the listening tool, the price monitor and the app stores name it
    keywords: tuple[str, ...]  # tracked keywords (the first is the brand name)
    handle: str  # its official account, for @mentions
    app_name: str
    mentions_per_day: float  # mean mentions a day on all platforms together
    sentiment: tuple[float, float, float]  # positive, neutral, negative shares on an ordinary day
    app_rank: float  # typical chart position of its app
    is_own: bool = False


OWN_BRAND = Brand(
    "GM优选",
    ("GM优选", "GM APP", "growthmart"),
    "GM优选官方",
    "GM优选-好物精选商城",
    70,
    (0.45, 0.38, 0.17),
    28,
    True,
)
COMPETITORS = (
    Brand(
        "栗栗好物",
        ("栗栗好物", "栗栗APP"),
        "栗栗好物官方号",
        "栗栗好物-品质生活商城",
        45,
        (0.42, 0.40, 0.18),
        9,
    ),
    Brand(
        "青檬集",
        ("青檬集", "青檬APP"),
        "青檬集Official",
        "青檬集-年轻人的好物集市",
        35,
        (0.48, 0.36, 0.16),
        17,
    ),
    Brand("云朵优品", ("云朵优品",), "云朵优品旗舰店", "云朵优品-精选好货", 25, (0.38, 0.40, 0.22), 45),
)
BRANDS = (OWN_BRAND, *COMPETITORS)

# How each platform's share of a brand's mentions is split (sums to 1).
PLATFORM_SHARE = {
    "weibo": 0.27,
    "douyin": 0.22,
    "xiaohongshu": 0.24,
    "zhihu": 0.09,
    "bilibili": 0.10,
    "wechat": 0.08,
}

# ---------------------------------------------------------------- the product-quality incident
# A coating flaking off our own-brand children's bottle: negative posts start on Xiaohongshu at 10:00 Beijing on
# the start day and reach the other platforms over the following days (days after the start day).
INCIDENT_PLATFORM = "xiaohongshu"
INCIDENT_START_HOUR = 10  # Beijing hour of the first post
INCIDENT_SPREAD = {"xiaohongshu": 0, "weibo": 1, "douyin": 1, "zhihu": 2, "bilibili": 3, "wechat": 3}
# Extra mentions a day at a platform's peak (its second day), decaying by INCIDENT_DECAY a day after it.
INCIDENT_PEAK = {"xiaohongshu": 45, "weibo": 55, "douyin": 35, "zhihu": 12, "bilibili": 10, "wechat": 5}
INCIDENT_DECAY = 0.55
INCIDENT_TONES = (0.08, 0.17, 0.75)  # positive, neutral, negative shares of the incident's posts
DEFAULT_INCIDENT_DATE = dt.date(2026, 8, 29)  # incident_start_day(200) on the default demo from 2026-05-01


def incident_start_day(days: int) -> int | None:
    """Day index the incident starts in a window of `days` days: 60 % into it, at least 14 days in and 7 days
    before the end where the window allows, the end first (14 days: day 7; 21 days: day 14; 200 days: day 120);
    None when the window is too short (7 days or fewer)."""
    start = min(days - 7, max(14, int(days * 0.6)))
    return start if start >= 1 else None


def incident_extra(days: int, platform: str, day: int) -> float:
    """Mean extra (incident) mentions of our brand on `platform` on day index `day` (0 outside the wave)."""
    start = incident_start_day(days)
    if start is None:
        return 0.0
    k = day - start - INCIDENT_SPREAD[platform]
    if k < 0:
        return 0.0
    shape = 0.45 if k == 0 else INCIDENT_DECAY ** (k - 1)
    return INCIDENT_PEAK[platform] * shape if shape > 0.02 else 0.0


# ---------------------------------------------------------------- the competitor's price cut
# During our recall activity (present in every demo window), the first competitor cuts every tracked item's
# price from the activity's second day to its last.
PRICE_CUT_COMPETITOR = COMPETITORS[0].name
PRICE_CUT_DEPTH = 0.25  # 25 % off the list price
PRICE_CUT_TEXT = "限时直降25%"


def price_cut_days(days: int) -> range:
    """Day indices of the price cut: our recall activity's second day to its last (within the window)."""
    plan = recall_plan(days)
    return range(max(plan.first + 1, 0), plan.last + 1)
