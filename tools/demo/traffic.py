"""Traffic sources and the visits they bring, calibrated so signups come out near the requested number.

A source is one thing a visit can come from: an ad, a content item, a KOL post, an activity link, or
organic traffic (no UTM at all). Each source has a daily weight; a channel's daily visits are spread over
its sources by weight. Ads and content pass through a click layer: clicks ≥ the visits they land.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from tools.demo.ads import Ad, deliver
from tools.demo.calendar import DAY, Calendar, festival_shape
from tools.demo.campaigns import RECALL_UTM, Campaign, KolPost
from tools.demo.content import ContentItem, completion_lift, item_weights
from tools.demo.experiments import LANDING_CAMPAIGN, LANDING_VARIANTS, landing_window
from tools.demo.profiles import (
    CHANNEL_INDEX,
    CHANNELS,
    CONTENT_LINK_RATE,
    PLATFORMS,
    RETURN_RATE,
    RETURN_SIGNUP_BOOST,
)

KOL_DECAY = 0.6  # a KOL post's traffic falls by this factor per day
KOL_LIFETIME = 11


@dataclass
class Sources:
    kind: list[str] = field(default_factory=list)  # ad | content | kol | activity | organic | reengage
    channel: list[str] = field(default_factory=list)
    campaign: list[int] = field(default_factory=list)  # -1 for organic
    utm: list[tuple] = field(default_factory=list)  # utm_source, utm_medium, utm_campaign, utm_content
    ref: list[int] = field(default_factory=list)  # index into ads / items / posts, else -1
    weights: list[np.ndarray] = field(default_factory=list)
    cvr_lift: dict[int, float] = field(default_factory=dict)  # source → signup-rate multiplier (A/B tests)
    page_splits: list[tuple] = field(default_factory=list)  # (page, variant page, first day, last day)

    def add(self, kind, channel, campaign, utm, ref, weight) -> int:
        for lst, v in zip(
            (self.kind, self.channel, self.campaign, self.utm, self.ref, self.weights),
            (kind, channel, campaign, utm, ref, weight),
            strict=True,
        ):
            lst.append(v)
        return len(self.kind) - 1

    def of_kind(self, kind: str) -> np.ndarray:
        return np.array([i for i, k in enumerate(self.kind) if k == kind], dtype=int)

    def signup_lift(self, vs: np.ndarray) -> np.ndarray:
        """Signup-rate multiplier of visits from sources `vs` (1 unless an A/B variant converts better)."""
        lift = np.ones(len(self.kind))
        for s, v in self.cvr_lift.items():
            lift[s] = v
        return lift[vs]


def build_sources(cal, campaigns: list[Campaign], ads: list[Ad], active, items: list[ContentItem], posts):
    """Every traffic source with its daily weight, plus per-day re-engagement sources for active users."""
    days = cal.days
    idx = np.arange(days)
    src = Sources()
    for i, ad in enumerate(ads):
        c = campaigns[ad.campaign]
        w = ad.weight * c.boost * active[i]
        src.add("ad", c.channel, ad.campaign, (ad.utm_source, c.utm_medium, c.utm_campaign, ad.ad_id), i, w)
    iw = item_weights(items, days)
    for i, it in enumerate(items):
        c = campaigns[it.campaign]
        src.add(
            "content",
            c.channel,
            it.campaign,
            (c.utm_source, c.utm_medium, c.utm_campaign, it.content_id),
            i,
            iw[i] * c.boost,
        )
    for i, p in enumerate(posts):
        c = campaigns[p.campaign]
        age = idx - p.day
        w = np.where((age >= 0) & (age < KOL_LIFETIME), p.reach * KOL_DECAY ** np.maximum(age, 0), 0.0)
        src.add("kol", "kol", p.campaign, (c.utm_source, c.utm_medium, c.utm_campaign, p.kol_id), i, w)
    reengage = np.full(days, -1)
    for ci, c in enumerate(campaigns):
        if c.type != "activity":
            continue
        utm = (c.utm_source, c.utm_medium, c.utm_campaign)
        if c.utm_campaign == "invite_friends":
            src.add("activity", "activity", ci, (*utm, "share_link"), -1, c.active(days) * 1.0)
        elif c.utm_campaign == "member_day":  # weekly member day (Wednesday) push to existing users
            s = src.add("reengage", "activity", ci, (*utm, "push"), -1, np.zeros(days))
            reengage[(cal.weekday == 2) & (reengage < 0)] = s
        elif c.festival:
            fest = next(f for f in cal.festivals if c.utm_campaign.endswith(f"{f.key}_{f.year}"))
            src.add("activity", "activity", ci, (*utm, "landing_page"), -1, 0.6 * festival_shape(fest, idx))
            s = src.add("reengage", "activity", ci, (*utm, "push"), -1, np.zeros(days))
            reengage[c.active(days)] = s
        elif c.utm_campaign == RECALL_UTM:  # pushes to dormant users only (people.recall_sessions)
            src.add("reengage", "activity", ci, (*utm, "push"), -1, np.zeros(days))
    src.add("organic", "organic", -1, (None, None, None, None), -1, np.ones(days))
    stage_ab_tests(src, ads, days)
    return src, reengage


def stage_ab_tests(src: Sources, ads: list[Ad], days: int) -> None:
    """Creative variants convert at their own rate; the invite link gets a second landing page (A/B tests).

    The second page is a source of its own kind `page_variant` with no weight: it draws no visits itself, and
    split_landing_visits hands it half of the first page's visits on test days (no random draws, so the
    generator's other streams stay as they were).
    """
    for s in src.of_kind("ad"):
        if ads[src.ref[s]].cvr_lift != 1.0:
            src.cvr_lift[int(s)] = ads[src.ref[s]].cvr_lift
    (_, _, key_a), (_, _, key_b) = LANDING_VARIANTS
    for s, utm in enumerate(list(src.utm)):
        if src.kind[s] == "activity" and utm[2] == LANDING_CAMPAIGN and utm[3] == key_a:
            b = src.add(
                "page_variant", src.channel[s], src.campaign[s], (*utm[:3], key_b), -1, np.zeros(days)
            )
            w = landing_window(days)
            src.page_splits.append((s, b, w.first, w.last))


def split_landing_visits(src: Sources, counts: np.ndarray) -> None:
    """Move half of a landing page's visits on its test days to the variant page (odd ones alternate)."""
    for a, b, first, last in src.page_splits:
        days = np.arange(first, last + 1)
        counts[b, days] = (counts[a, days] + days % 2) // 2
        counts[a, days] -= counts[b, days]


def expected_visits(cal: Calendar, src: Sources, users: int) -> np.ndarray:
    """(sources × days) expected visits so that the expected number of signups is `users`."""
    days = cal.days
    trend = 1 + 0.3 * np.arange(days) / max(days - 1, 1)
    w_day = trend * cal.weekday_factor * cal.traffic_lift
    signups = users * w_day / w_day.sum()
    weights = np.vstack(src.weights)
    ch = np.array([CHANNEL_INDEX[c] for c in src.channel])
    live = np.array([k != "reengage" for k in src.kind])
    totals = np.zeros((len(CHANNELS), days))
    for c in range(len(CHANNELS)):
        totals[c] = weights[(ch == c) & live].sum(axis=0)
    shares = np.array([p.share for p in CHANNELS])[:, None] * (totals > 0)
    shares = shares / shares.sum(axis=0, keepdims=True)
    q = np.array([p.signup_rate for p in CHANNELS])[:, None] * (1 + RETURN_RATE * (RETURN_SIGNUP_BOOST - 1))
    visits = signups[None, :] * shares / q
    per_weight = np.divide(visits, totals, out=np.zeros_like(visits), where=totals > 0)
    return weights * per_weight[ch] * live[:, None]


@dataclass
class Traffic:
    sources: Sources
    reengage: np.ndarray  # per day: re-engagement source for active users, or -1
    ad_stats: dict  # (ads × days) clicks, impressions, spend, visits
    content_clicks: np.ndarray  # (items × days)
    content_exp_clicks: np.ndarray
    visit_source: np.ndarray  # one entry per visit
    visit_t: np.ndarray  # UTC epoch seconds
    signup_lift: np.ndarray | None = None  # per source: multiplier on its channel's signup rate


def visit_counts(
    rng, cal: Calendar, campaigns, ads, active, items, posts: list[KolPost], users: int
) -> tuple:
    """Sources, re-engagement sources, (sources × days) landed visits, ad stats and content link clicks."""
    src, reengage = build_sources(cal, campaigns, ads, active, items, posts)
    ev = expected_visits(cal, src, users)
    counts = np.zeros(ev.shape, dtype=np.int64)
    ad_rows, item_rows = src.of_kind("ad"), src.of_kind("content")
    stats = deliver(rng, ads, active, ev[ad_rows])
    counts[ad_rows] = stats["visits"]
    exp_clicks = ev[item_rows] / CONTENT_LINK_RATE * rng.lognormal(0.0, 0.2, size=(len(item_rows), cal.days))
    clicks = rng.poisson(exp_clicks)
    counts[item_rows] = rng.binomial(clicks, CONTENT_LINK_RATE)
    other = np.array([i for i, k in enumerate(src.kind) if k in ("kol", "activity", "organic")], dtype=int)
    counts[other] = rng.poisson(ev[other] * rng.lognormal(0.0, 0.15, size=(len(other), cal.days)))
    split_landing_visits(src, counts)
    return src, reengage, counts, stats, clicks, exp_clicks


def source_timing(src: Sources, ads: list[Ad], items: list[ContentItem]) -> tuple:
    """Per source: Meta ad? (reports by Los Angeles day), publication instant and day of a content item."""
    ad_rows, item_rows = src.of_kind("ad"), src.of_kind("content")
    meta = np.zeros(len(src.kind), dtype=bool)
    meta[ad_rows] = [PLATFORMS[a.platform].platform == "meta" for a in ads]
    pub = np.zeros(len(src.kind), dtype=np.int64)
    pub_day = np.full(len(src.kind), -1)
    pub[item_rows] = [it.published_at for it in items]
    pub_day[item_rows] = [it.day for it in items]
    return meta, pub, pub_day


def visit_times(rng, cal: Calendar, vs: np.ndarray, vd: np.ndarray, timing: tuple) -> np.ndarray:
    """UTC instants of visits from sources `vs` on days `vd`, following the intraday curve."""
    meta, pub, pub_day = timing
    secs = cal.seconds_of_day(rng, len(vs))
    # Meta reports by the ad account's (Los Angeles) day: its clicks happen within that local day.
    t = np.where(meta[vs], cal.la_start(vd), cal.t0 + vd * DAY) + secs
    # Visits on an item's publication day happen after it is published.
    later = pub[vs] + secs % np.maximum(cal.t0 + (vd + 1) * DAY - pub[vs], 1)
    return np.where(pub_day[vs] == vd, later, t)


def simulate_traffic(rng, cal: Calendar, campaigns, ads, active, items, posts: list[KolPost], users: int):
    src, reengage, counts, stats, clicks, exp_clicks = visit_counts(
        rng, cal, campaigns, ads, active, items, posts, users
    )
    s_idx, d_idx = np.nonzero(counts)
    n = counts[s_idx, d_idx]
    vs, vd = np.repeat(s_idx, n), np.repeat(d_idx, n)
    t = visit_times(rng, cal, vs, vd, source_timing(src, ads, items))
    lift = np.ones(len(src.kind))
    item_rows = src.of_kind("content")
    lift[item_rows] = [
        completion_lift(items[r].completion, items[r].content_type) for r in np.array(src.ref)[item_rows]
    ]
    return Traffic(src, reengage, stats, clicks, exp_clicks, vs, t, signup_lift=lift)
