"""Behavioural constants of the demo business: how each channel and ad platform performs.

Channel names and UTM pairs follow dbt_project/seeds/channel_map.csv and channels.csv (a test checks it).
"""

from __future__ import annotations

from dataclasses import dataclass

DEVICES = ("ios", "android", "web", "miniprogram")


@dataclass(frozen=True)
class ChannelProfile:
    """How visitors of a channel behave; `share` and `signup_rate` calibrate traffic to the signup target."""

    channel: str
    share: float  # share of signups the channel brings (renormalised over channels live that day)
    signup_rate: float  # probability that one visit ends in a signup
    retention: float  # multiplier on the daily-active probability after signup
    value: float  # multiplier on the purchase probability and basket size
    devices: tuple[float, float, float, float]  # ios, android, web, miniprogram


CHANNELS: tuple[ChannelProfile, ...] = (
    ChannelProfile("douyin_ads", 0.17, 0.030, 0.80, 0.80, (0.35, 0.60, 0.03, 0.02)),
    ChannelProfile("tencent_ads", 0.12, 0.050, 0.95, 0.95, (0.30, 0.45, 0.05, 0.20)),
    ChannelProfile("baidu_search", 0.12, 0.100, 1.10, 1.30, (0.25, 0.30, 0.45, 0.00)),
    ChannelProfile("meta_ads", 0.03, 0.040, 0.90, 1.15, (0.60, 0.25, 0.15, 0.00)),
    ChannelProfile("wechat_oa", 0.06, 0.070, 1.10, 1.05, (0.20, 0.20, 0.05, 0.55)),
    ChannelProfile("xiaohongshu", 0.06, 0.060, 1.00, 1.10, (0.55, 0.40, 0.05, 0.00)),
    ChannelProfile("douyin_content", 0.05, 0.035, 0.85, 0.85, (0.35, 0.60, 0.05, 0.00)),
    ChannelProfile("bilibili", 0.03, 0.050, 1.00, 0.90, (0.40, 0.50, 0.10, 0.00)),
    ChannelProfile("kol", 0.05, 0.060, 0.90, 1.00, (0.50, 0.45, 0.05, 0.00)),
    ChannelProfile("activity", 0.08, 0.150, 0.95, 0.90, (0.30, 0.40, 0.00, 0.30)),
    ChannelProfile("organic", 0.23, 0.080, 1.20, 1.10, (0.30, 0.40, 0.20, 0.10)),
)
CHANNEL_INDEX = {c.channel: i for i, c in enumerate(CHANNELS)}

# (utm_source, utm_medium) per channel, as in the channel map seed. Meta also uses instagram/cpc.
CHANNEL_UTM = {
    "douyin_ads": ("douyin", "cpc"),
    "tencent_ads": ("tencent", "cpc"),
    "baidu_search": ("baidu", "cpc"),
    "meta_ads": ("facebook", "cpc"),
    "xiaohongshu_ads": ("xiaohongshu", "cpc"),  # paid 聚光; the owned account is xiaohongshu/social
    "wechat_oa": ("wechat", "social"),
    "xiaohongshu": ("xiaohongshu", "social"),
    "douyin_content": ("douyin", "social"),
    "bilibili": ("bilibili", "social"),
}
KOL_UTM = {"xiaohongshu": ("xiaohongshu", "kol"), "douyin": ("douyin", "kol")}
INVITE_UTM = ("invite", "referral")
APP_ACTIVITY_UTM = ("app", "activity")


@dataclass(frozen=True)
class PlatformProfile:
    """An ad platform: its channel, prices, and how much it over-claims conversions."""

    platform: str  # campaigns.platform value
    channel: str
    name_zh: str
    prefix: str  # utm_campaign prefix
    currency: str
    ctr: tuple[float, float]  # range of per-ad click-through rates (fraction)
    cpc: tuple[float, float]  # range of per-ad cost per click, account currency
    land_rate: float  # share of clicks that become a tracked session_start
    overclaim: float  # platform-reported conversions ≈ (1 + overclaim) × last-touch orders


PLATFORMS: tuple[PlatformProfile, ...] = (
    PlatformProfile(
        "ocean_engine", "douyin_ads", "抖音信息流", "dy", "CNY", (0.012, 0.035), (0.9, 1.6), 0.55, 0.35
    ),
    PlatformProfile(
        "tencent_ads", "tencent_ads", "腾讯广告", "tx", "CNY", (0.008, 0.020), (1.5, 2.6), 0.65, 0.25
    ),
    PlatformProfile("baidu", "baidu_search", "百度搜索", "bd", "CNY", (0.025, 0.050), (4.0, 7.5), 0.85, 0.15),
    PlatformProfile("meta", "meta_ads", "Meta", "fb", "USD", (0.006, 0.015), (0.6, 1.2), 0.60, 0.40),
)
PLATFORM_INDEX = {p.platform: i for i, p in enumerate(PLATFORMS)}
# Xiaohongshu 聚光 is simulated apart, from its own random stream (tools/demo/xiaohongshu.py): not in
# PLATFORMS, whose campaigns, ads and traffic come from the main stream.
XIAOHONGSHU_ADS = PlatformProfile(
    "xiaohongshu_ads", "xiaohongshu_ads", "小红书聚光", "xhsad", "CNY", (0.010, 0.030), (0.8, 1.5), 0.0, 0.0
)

CONTENT_LINK_RATE = 0.7  # share of content link clicks that become a tracked session_start
RETURN_RATE = 0.22  # share of prospect visits made by an earlier, not yet converted visitor
RETURN_SIGNUP_BOOST = 1.5  # returning visitors convert more readily

REGIONS = (
    ("广东", "广州", 8),
    ("广东", "深圳", 9),
    ("上海", "上海", 9),
    ("北京", "北京", 8),
    ("浙江", "杭州", 7),
    ("江苏", "南京", 4),
    ("江苏", "苏州", 4),
    ("四川", "成都", 6),
    ("湖北", "武汉", 5),
    ("湖南", "长沙", 4),
    ("重庆", "重庆", 4),
    ("陕西", "西安", 3),
    ("福建", "厦门", 3),
    ("山东", "青岛", 3),
    ("河南", "郑州", 3),
    ("天津", "天津", 2),
    ("香港", "香港", 1),
)
OVERSEAS = (
    ("美国", "洛杉矶"),
    ("美国", "纽约"),
    ("加拿大", "温哥华"),
    ("新加坡", "新加坡"),
    ("澳大利亚", "悉尼"),
)

# Beijing-time hour of day → relative traffic (lunch and evening peaks, quiet nights).
HOURLY = (
    0.35,
    0.20,
    0.12,
    0.08,
    0.06,
    0.08,
    0.20,
    0.45,
    0.75,
    0.85,
    0.90,
    0.95,
    1.15,
    1.10,
    0.90,
    0.85,
    0.85,
    0.90,
    1.00,
    1.20,
    1.45,
    1.55,
    1.35,
    0.85,
)
