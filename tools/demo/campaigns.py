"""The demo's campaign registry: paid, content, KOL and activity campaigns with their UTM codes."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import numpy as np

from tools.demo.calendar import Calendar, Festival
from tools.demo.profiles import APP_ACTIVITY_UTM, CHANNEL_UTM, INVITE_UTM, KOL_UTM, PLATFORMS

ALWAYS_ON = {  # name, utm slug, first active day (None = before the window)
    "ocean_engine": (("拉新常投", "acq", None), ("种草转化", "seed", None)),
    "tencent_ads": (("朋友圈拉新", "moments_acq", None), ("优量汇转化", "union_conv", 3)),
    "baidu": (("品牌词", "brand", None), ("通用词", "generic", None), ("竞品词测试", "competitor", None)),
    "meta": (("Prospecting_AlwaysOn", "prospecting", None), ("Retargeting_AlwaysOn", "retargeting", 7)),
}
BURSTS = {"ocean_engine": 2, "tencent_ads": 2, "baidu": 1, "meta": 1}
ACCOUNTS = {"ocean_engine": 2, "tencent_ads": 2, "baidu": 1, "meta": 1}
CONTENT_SERIES = (
    ("wechat_oa", "公众号-每周干货", "wx_weekly"),
    ("xiaohongshu", "小红书-好物种草笔记", "xhs_notes"),
    ("douyin_content", "抖音号-日常短视频", "dyc_daily"),
    ("bilibili", "B站-深度测评", "bili_review"),
)
KOL_SHORT = {"xiaohongshu": "xhs", "douyin": "dy"}
FESTIVAL_COUPONS = {
    "520": ("LOVE520_", 30),
    "618": ("MID618_", 50),
    "qixi": ("QIXI_", 30),
    "1111": ("D11_", 50),
    "1212": ("D12_", 30),
}  # code prefix, discount yuan
# The 老用户召回 (recall) activity: dormant users get a push with a comeback coupon during its window.
RECALL_UTM = "recall_comeback"
RECALL_COUPON = ("COMEBACK15", 15.0, 59.0)  # code, discount in yuan, minimum spend
FESTIVAL_PEAK_DAYS = (
    3  # a festival activity's peak (爆发期): the last days up to and including the festival day
)


@dataclass
class Campaign:
    campaign_id: str
    name: str
    type: str  # paid_ads | content | activity | kol
    channel: str
    utm_source: str
    utm_medium: str
    utm_campaign: str
    first: int  # first active day index (negative: started before the window)
    last: int | None  # last active day index; None = open-ended
    platform: str | None = None
    platform_campaign_id: str | None = None
    account: str | None = None
    currency: str = "CNY"
    boost: float = 1.0  # traffic weight relative to an always-on campaign of the same channel
    festival: str | None = None
    deleted: bool = False  # Baidu: the campaign is deleted on its last day
    coupon: tuple[str, float, float] | None = None  # code, discount in yuan, minimum spend
    budget: float = 0.0  # total budget of a campaign with an end date, set from the simulated costs
    daily_budget: float = 0.0  # open-ended campaigns are funded per day; their approved total accrues

    def budget_on(self, day: int) -> float:
        """Approved budget as the registry shows it on `day` (open-ended: daily budget × days so far)."""
        return self.budget if self.last is not None else self.daily_budget * (day - self.first + 1)

    def active(self, days: int) -> np.ndarray:
        idx = np.arange(days)
        return (idx >= self.first) & (idx <= (self.last if self.last is not None else days))


@dataclass(frozen=True)
class KolPost:
    campaign: int  # index into the campaign list
    kol_id: str
    day: int
    reach: float


class IdMaker:
    """Platform-looking numeric ids: a base plus random increments, so they are unique and stable."""

    SPECS = {
        "ocean_account": (1_760_000_000_000_000, 10**9),
        "ocean_campaign": (7_310_000_000_000_000_000, 10**12),
        "ocean_ad": (7_320_000_000_000_000_000, 10**12),
        "tencent_account": (25_600_000, 10**5),
        "tencent_campaign": (40_000_000, 10**5),
        "tencent_adgroup": (1_900_000_000, 10**6),
        "tencent_creative": (5_200_000_000, 10**6),
        "baidu_campaign": (300_000_000, 10**5),
        "baidu_unit": (7_100_000_000, 10**6),
        "baidu_keyword": (310_000_000_000, 10**7),
        "meta_account": (1_032_000_000_000_000, 10**9),
        "meta_campaign": (120_210_000_000_000_000, 10**10),
        "meta_adset": (120_211_000_000_000_000, 10**10),
        "meta_ad": (120_212_000_000_000_000, 10**10),
        "xiaohongshu_account": (4_500_000, 10**4),
        "xiaohongshu_campaign": (110_000_000, 10**5),
        "xiaohongshu_unit": (260_000_000, 10**5),
        "xiaohongshu_creativity": (780_000_000, 10**5),
    }

    def __init__(self, rng: np.random.Generator):
        self.rng = rng
        self.last = {k: base for k, (base, _) in self.SPECS.items()}

    def next(self, kind: str) -> str:
        self.last[kind] += int(self.rng.integers(1, self.SPECS[kind][1]))
        return str(self.last[kind])


def _festival_picks(festivals: list[Festival], offset: int, n: int) -> list[Festival]:
    if not festivals:
        return []
    picks = [festivals[(offset + j) % len(festivals)] for j in range(n)]
    return list(dict.fromkeys(picks))  # keep order, drop repeats


def build_campaigns(rng: np.random.Generator, cal: Calendar, ids: IdMaker) -> tuple[list, list]:
    """All campaigns (registry order = id order) and the KOL posts of the KOL campaigns."""
    days = cal.days
    out: list[Campaign] = []

    def add(**kw) -> Campaign:
        c = Campaign(campaign_id=f"cmp_{len(out) + 1:03d}", **kw)
        out.append(c)
        return c

    for p_i, p in enumerate(PLATFORMS):
        src, med = CHANNEL_UTM[p.channel]
        if p.platform == "baidu":  # Baidu identifies accounts by user name
            accounts = ["growthmart_bd01"]
        else:
            accounts = [ids.next(f"{p.platform.split('_')[0]}_account") for _ in range(ACCOUNTS[p.platform])]
        specs = []
        for name, slug, first in ALWAYS_ON[p.platform]:
            last = max(1, days // 3) if slug == "competitor" else None
            start = -45 if first is None else min(first, days - 1)
            specs.append((name, slug, start, last, 1.0, None))
        fests = _festival_picks(cal.festivals, p_i, BURSTS[p.platform])
        for f in fests:
            label = f"GM_{f.key}_Sale_{f.year}" if p.platform == "meta" else f"{f.name}冲量"
            specs.append((label, f"{f.key}_{f.year}", f.peak - 14, f.last, 1.6, f.key))
        if not fests:
            a = days // 3
            specs.append(
                ("暑期拉新冲量" if p.platform != "meta" else "GM_Burst", "burst", a, a + 10, 1.6, None)
            )
        for k, (name, slug, first, last, boost, fest) in enumerate(specs):
            pname = name if p.platform == "meta" else f"{p.name_zh}-{name}"
            add(
                name=pname,
                type="paid_ads",
                channel=p.channel,
                utm_source=src,
                utm_medium=med,
                utm_campaign=f"{p.prefix}_{slug}",
                first=first,
                last=last,
                platform=p.platform,
                platform_campaign_id=ids.next(f"{p.platform.split('_')[0]}_campaign"),
                account=accounts[k % len(accounts)],
                currency=p.currency,
                boost=boost,
                festival=fest,
                deleted=slug == "competitor",
            )

    for channel, name, utm in CONTENT_SERIES:
        add(
            name=name,
            type="content",
            channel=channel,
            utm_source=CHANNEL_UTM[channel][0],
            utm_medium="social",
            utm_campaign=utm,
            first=-60,
            last=None,
        )
    for f in cal.festivals:
        if f.key not in ("618", "1111"):
            continue
        for channel, label, prefix in (("xiaohongshu", "小红书", "xhs"), ("douyin_content", "抖音", "dyc")):
            add(
                name=f"{f.name}内容专题-{label}",
                type="content",
                channel=channel,
                utm_source=CHANNEL_UTM[channel][0],
                utm_medium="social",
                utm_campaign=f"{prefix}_{f.key}_{f.year}",
                first=f.first,
                last=f.last,
                festival=f.key,
                boost=1.5,
            )

    posts: list[KolPost] = []
    length = max(7, days // 6)
    for n, r in enumerate((0.05, 0.40, 0.72), start=1):
        plat = "xiaohongshu" if n % 2 else "douyin"
        first = int(days * r)
        label = "小红书KOL种草" if plat == "xiaohongshu" else "抖音达人种草"
        add(
            name=f"{label}第{n}波",
            type="kol",
            channel="kol",
            utm_source=KOL_UTM[plat][0],
            utm_medium=KOL_UTM[plat][1],
            utm_campaign=f"kol_{KOL_SHORT[plat]}_w{n}",
            first=first,
            last=first + length - 1,
        )
        k = int(rng.integers(2, 5))
        post_days = np.sort(rng.integers(0, max(1, length - 3), size=k)) + first
        kol_ids = rng.choice(np.arange(1000, 10000), size=k, replace=False)
        reach = rng.lognormal(0.0, 0.5, size=k)
        for d, kid, w in zip(post_days.tolist(), kol_ids.tolist(), reach.tolist(), strict=True):
            posts.append(KolPost(len(out) - 1, f"{KOL_SHORT[plat]}_kol_{kid}", d, w))

    add(
        name="邀请有礼",
        type="activity",
        channel="activity",
        utm_source=INVITE_UTM[0],
        utm_medium=INVITE_UTM[1],
        utm_campaign="invite_friends",
        first=-90,
        last=None,
    )
    add(
        name="新人首单礼",
        type="activity",
        channel="activity",
        utm_source=APP_ACTIVITY_UTM[0],
        utm_medium=APP_ACTIVITY_UTM[1],
        utm_campaign="new_user_gift",
        first=-90,
        last=None,
        coupon=("NEW20", 20.0, 49.0),
    )
    add(
        name="每周会员日",
        type="activity",
        channel="activity",
        utm_source=APP_ACTIVITY_UTM[0],
        utm_medium=APP_ACTIVITY_UTM[1],
        utm_campaign="member_day",
        first=-30,
        last=None,
    )
    for f in cal.festivals:
        prefix, disc = FESTIVAL_COUPONS[f.key]
        add(
            name=f"{f.name}主会场",
            type="activity",
            channel="activity",
            utm_source=APP_ACTIVITY_UTM[0],
            utm_medium=APP_ACTIVITY_UTM[1],
            utm_campaign=f"act_{f.key}_{f.year}",
            first=f.first,
            last=f.last,
            festival=f.key,
            coupon=(f"{prefix}{disc}OFF", float(disc), 199.0 if disc < 50 else 299.0),
        )
    plan = recall_plan(days)
    add(
        name="老用户召回",
        type="activity",
        channel="activity",
        utm_source=APP_ACTIVITY_UTM[0],
        utm_medium=APP_ACTIVITY_UTM[1],
        utm_campaign=RECALL_UTM,
        first=plan.first,
        last=plan.last,
        coupon=RECALL_COUPON,
    )  # last in the registry: the earlier campaigns keep their ids
    return out, posts


@dataclass(frozen=True)
class RecallPlan:
    """Where the recall activity sits, relative to the length of the window (so every demo has one)."""

    dormant_days: int  # a user inactive this many days is pushed
    first: int  # first day (peak phase: pushes go out from the first day, there is no warm-up)
    wrapup: int  # first day of the wrap-up phase
    last: int


def recall_plan(days: int) -> RecallPlan:
    """21 days: inactive ≥ 7 days, days 14–18 (wrap-up from 17); 200 days: inactive ≥ 14 days, days 76–88
    (summer, between 618 and 七夕), wrap-up from 84. Late enough that users had time to fall dormant."""
    dormant = min(14, max(5, days // 3))
    length = min(13, max(5, days // 15))
    first = min(max(2 * dormant, int(days * 0.38)), days - length)
    return RecallPlan(dormant, first, first + math.ceil(length * 0.6), first + length - 1)


@dataclass(frozen=True)
class Activity:
    """A row of the activity registry (day indices; None = the phase is absent)."""

    activity_id: str
    name: str
    type: str  # festival_sale | recall | member_day | invite | new_user_gift | ...
    campaign: int  # index into the campaign list
    warmup: int | None
    peak: int | None
    wrapup: int | None
    end: int
    coupon: str | None
    baseline_days: int | None
    listed: int  # first snapshot day listing it


def build_activities(cal: Calendar, campaigns: list[Campaign]) -> list[Activity]:
    """The activity registry: every festival's main venue (主会场) and the recall activity.

    Festival phases come from the festival calendar: warm-up from its first day, peak the last
    FESTIVAL_PEAK_DAYS days up to the festival day, wrap-up the tail after it (absent with no tail).
    The always-on programmes (invite, new-user gift, weekly member day) have no phases and no "before",
    so they are not registered as activities; their ROI is in rpt_campaign_roi.
    """
    out = []
    fests = {(f.key, f.year): f for f in cal.festivals}
    for ci, c in enumerate(campaigns):
        if c.type != "activity":
            continue
        if c.festival:
            key, year = c.utm_campaign.removeprefix("act_").rsplit("_", 1)
            f = fests[(key, int(year))]
            peak = max(f.first, f.peak - FESTIVAL_PEAK_DAYS + 1)
            out.append(
                Activity(
                    activity_id=c.utm_campaign,
                    name=c.name,
                    type="festival_sale",
                    campaign=ci,
                    warmup=f.first if f.first < peak else None,
                    peak=peak,
                    wrapup=f.peak + 1 if f.last > f.peak else None,
                    end=f.last,
                    coupon=c.coupon[0] if c.coupon else None,
                    baseline_days=14,
                    listed=c.first,
                )
            )
        elif c.utm_campaign == RECALL_UTM:
            plan = recall_plan(cal.days)
            out.append(
                Activity(
                    activity_id=f"act_recall_{cal.start + dt.timedelta(days=c.first):%Y%m%d}",
                    name=c.name,
                    type="recall",
                    campaign=ci,
                    warmup=None,
                    peak=c.first,
                    wrapup=plan.wrapup,
                    end=c.last,
                    coupon=c.coupon[0],
                    baseline_days=None,  # the registry default (14 days)
                    listed=c.first,
                )
            )
    return out
