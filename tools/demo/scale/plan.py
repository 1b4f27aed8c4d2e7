"""Everything the scaled demo decides before the first day: the business (campaigns, ads, content, FX), the
visits every source lands each day, and the activity level that makes the events come out at the request.

The business is built exactly as the small generator builds it (same calls, same RNG order, so for the same
start/days/users/seed the campaign registry and ads are the same); only the per-visit simulation differs and
lives in `days.py`. Sizes: users ≈ events / 50; prospect visits follow from the channels' signup rates and
the rest of the events come from returning users, whose daily activity `level · age^-DECAY · propensity`
is solved here so that the expected number of events equals the request.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np

from tools.demo.ads import Ad, ad_active, build_ads
from tools.demo.calendar import Calendar
from tools.demo.campaigns import Campaign, IdMaker, KolPost, build_campaigns
from tools.demo.content import BOOST_STREAM, ContentItem, build_items, plan_boosts
from tools.demo.costs import simulate_fx
from tools.demo.orders import CANCEL_SHARE
from tools.demo.profiles import (
    CHANNEL_INDEX,
    CHANNELS,
    OVERSEAS,
    PLATFORMS,
    REGIONS,
    RETURN_RATE,
    RETURN_SIGNUP_BOOST,
)
from tools.demo.traffic import Sources, source_timing, visit_counts

EVENTS_PER_USER = 50  # requested events / signups
CURRENCIES = ("CNY", "USD", "HKD")

# Prospect (anonymous, pre-signup) sessions: landing traffic mostly bounces after the first page.
PROSPECT_PAGE_VIEWS = 0.6  # Poisson mean of page views after the session_start
PROSPECT_CART = 0.30  # of signup sessions, adds to cart
PROSPECT_BUY = 0.45  # of those, checks out
# Returning users' sessions (as in people.activity_sessions).
ACTIVITY_DECAY = 0.5  # P(active on day `age`) ∝ age ** -ACTIVITY_DECAY
ACTIVE_CAP = 0.95
SECOND_SESSION = 0.18  # share of active days with a second, browsing-only session
RETURNING_PAGE_VIEWS = 3.0  # 1 + Poisson(2)
RETURNING_CART = 0.22
RETURNING_BUY = 0.38
REENGAGE_SHARE = 0.15  # sessions opened from a re-engagement push on member/festival days


@dataclass
class Plan:
    cal: Calendar
    seed: int
    events: int  # requested
    users: int  # expected signups
    campaigns: list[Campaign]
    posts: list[KolPost]
    ads: list[Ad]
    active: np.ndarray  # (ads × days) bool
    platform_ads: dict[str, list[int]]
    items: list[ContentItem]
    fx: dict[str, np.ndarray]
    sources: Sources
    reengage: np.ndarray  # per day: re-engagement source or -1
    counts: np.ndarray  # (sources × days) landed prospect visits
    ad_stats: dict
    content_clicks: np.ndarray
    content_exp_clicks: np.ndarray
    timing: tuple  # traffic.source_timing
    activity_level: float = 0.0
    expected_events: float = 0.0
    expected_prospect_events: float = 0.0
    # derived lookups (filled in __post_init__)
    src_channel: np.ndarray = field(init=False)
    src_campaign: np.ndarray = field(init=False)
    ad_of_source: np.ndarray = field(init=False)  # index into ads, -1; one extra sentinel slot
    ad_is_meta: np.ndarray = field(init=False)  # per ad, one extra sentinel slot
    invite_sources: np.ndarray = field(init=False)
    utm_labels: list[list] = field(init=False)  # per UTM column: label per source (None = null)
    signup_rate: np.ndarray = field(init=False)
    cum_devices: np.ndarray = field(init=False)
    channel_value: np.ndarray = field(init=False)
    channel_retention: np.ndarray = field(init=False)
    fx_table: np.ndarray = field(init=False)  # (currencies × days) CNY per unit
    rhythm: np.ndarray = field(init=False)  # returning users' day-of-week / festival rhythm
    age_weight: np.ndarray = field(init=False)  # (days + 1,) age ** -DECAY, 0 at age 0
    places: list[tuple[str, str]] = field(init=False)
    place_weights: np.ndarray = field(init=False)
    new_user_coupon: int = field(init=False)
    festival_coupons: list[int] = field(init=False)

    def __post_init__(self) -> None:
        src, cal = self.sources, self.cal
        self.src_channel = np.array([CHANNEL_INDEX[c] for c in src.channel], dtype=np.int64)
        self.src_campaign = np.array(src.campaign, dtype=np.int64)
        self.ad_of_source = np.full(len(src.kind) + 1, -1, dtype=np.int64)
        ad_rows = src.of_kind("ad")
        self.ad_of_source[ad_rows] = np.array(src.ref, dtype=np.int64)[ad_rows]
        self.ad_is_meta = np.array([PLATFORMS[a.platform].platform == "meta" for a in self.ads] + [False])
        self.invite_sources = np.array(
            [i for i, u in enumerate(src.utm) if u[2] == "invite_friends"], dtype=np.int64
        )
        self.utm_labels = [[u[k] for u in src.utm] for k in range(4)]
        self.signup_rate = np.array([c.signup_rate for c in CHANNELS])
        mix = np.array([c.devices for c in CHANNELS])
        self.cum_devices = np.cumsum(mix / mix.sum(axis=1, keepdims=True), axis=1)
        self.channel_value = np.array([c.value for c in CHANNELS])
        self.channel_retention = np.array([c.retention for c in CHANNELS])
        self.fx_table = np.vstack([self.fx[c] for c in CURRENCIES])
        self.rhythm = np.where(cal.weekday >= 5, 1.1, 1.0) * cal.traffic_lift**0.5
        age = np.arange(cal.days + 1, dtype=np.float64)
        self.age_weight = np.where(age >= 1, np.maximum(age, 1) ** -ACTIVITY_DECAY, 0.0).astype(np.float32)
        self.places = [(r, c) for r, c, _ in REGIONS] + list(OVERSEAS)
        w = np.array([r[2] for r in REGIONS], float)
        self.place_weights = w / w.sum()
        self.new_user_coupon = next(
            i for i, c in enumerate(self.campaigns) if c.coupon and c.utm_campaign == "new_user_gift"
        )
        self.festival_coupons = [i for i, c in enumerate(self.campaigns) if c.coupon and c.festival]


def build_plan(events: int, days: int, seed: int, start: dt.date) -> Plan:
    if events < 1 or days < 1:
        raise ValueError("events and days must be positive")
    users = max(1, round(events / EVENTS_PER_USER))
    rng = np.random.default_rng(seed)
    cal = Calendar(start, days)
    ids = IdMaker(rng)
    campaigns, posts = build_campaigns(rng, cal, ids)
    ads = build_ads(rng, campaigns, ids, cal.days)
    active = ad_active(ads, campaigns, cal.days)
    platform_ads = {
        p.platform: [i for i, a in enumerate(ads) if PLATFORMS[a.platform] is p] for p in PLATFORMS
    }
    items = build_items(rng, cal, campaigns)
    plan_boosts(np.random.default_rng([seed, BOOST_STREAM]), items, cal.days, users / cal.days / 30)
    fx = simulate_fx(rng, cal)
    src, reengage, counts, stats, clicks, exp_clicks = visit_counts(
        rng, cal, campaigns, ads, active, items, posts, users
    )
    plan = Plan(
        cal=cal,
        seed=seed,
        events=events,
        users=users,
        campaigns=campaigns,
        posts=posts,
        ads=ads,
        active=active,
        platform_ads=platform_ads,
        items=items,
        fx=fx,
        sources=src,
        reengage=reengage,
        counts=counts,
        ad_stats=stats,
        content_clicks=clicks,
        content_exp_clicks=exp_clicks,
        timing=source_timing(src, ads, items),
    )
    calibrate(plan)
    return plan


def _propensity_points(signups_by_channel: np.ndarray, n: int = 24) -> np.ndarray:
    """`n` quantile midpoints of retention × propensity over the expected channel mix of signups."""
    rng = np.random.default_rng(12345)  # fixed: the calibration must not depend on the seed's luck
    share = signups_by_channel / max(signups_by_channel.sum(), 1e-12)
    ch = rng.choice(len(CHANNELS), size=20_000, p=share)
    rp = np.array([c.retention for c in CHANNELS])[ch] * rng.gamma(2.0, 0.5, 20_000)
    return np.quantile(rp, (np.arange(n) + 0.5) / n)


def calibrate(plan: Plan) -> None:
    """Solve the returning users' activity level so that expected prospect + returning events = request."""
    cal = plan.cal
    days = cal.days
    visits = np.zeros((len(CHANNELS), days))
    np.add.at(visits, plan.src_channel, plan.counts)
    q = plan.signup_rate[:, None] * (1 + RETURN_RATE * (RETURN_SIGNUP_BOOST - 1))
    signups = visits * q
    per_signup = 1 + PROSPECT_CART * (1 + PROSPECT_BUY * (1 - CANCEL_SHARE))
    prospect = visits.sum() * (1 + PROSPECT_PAGE_VIEWS) + signups.sum() * per_signup

    s_day = signups.sum(axis=0)
    mean_value = float((plan.channel_value * signups.sum(axis=1)).sum() / max(signups.sum(), 1e-12))
    cart = RETURNING_CART * cal.order_lift**0.5
    buy = np.minimum(RETURNING_BUY * mean_value * np.exp(0.3**2 / 2) * cal.payday, 0.9)
    per_active = (1 + RETURNING_PAGE_VIEWS) * (1 + SECOND_SESSION) + cart * (1 + buy * (1 - CANCEL_SHARE))
    rp = _propensity_points(signups.sum(axis=1))
    d_idx, j_idx = np.tril_indices(days, -1)  # activity day d after signup day j
    y = (plan.age_weight[d_idx - j_idx] * plan.rhythm[d_idx]).astype(np.float64)
    w = s_day[j_idx] * per_active[d_idx]
    y, w = y[w > 0], w[w > 0]

    def returning(level: float) -> float:
        p = np.minimum(level * y[:, None] * rp[None, :], ACTIVE_CAP).mean(axis=1)
        return float((w * p).sum())

    need = plan.events - prospect
    lo, hi = 0.0, 64.0
    if need <= 0 or len(y) == 0:
        level = 0.01
    elif returning(hi) <= need:
        level = hi
    else:
        for _ in range(50):
            mid = (lo + hi) / 2
            lo, hi = (mid, hi) if returning(mid) < need else (lo, mid)
        level = (lo + hi) / 2
    plan.activity_level = level
    plan.expected_prospect_events = float(prospect)
    plan.expected_events = float(prospect + (returning(level) if len(y) else 0.0))
