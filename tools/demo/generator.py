"""The built-in demo source: a seeded, self-consistent growth business written as landing files.

`generate(landing_dir, DemoParams(...))` simulates ad delivery, content, visitors, signups, activity,
orders, refunds and costs from one `numpy.random.default_rng(seed)` and writes every source's files under
`<landing_dir>/<source>/<YYYY-MM-DD>/demo_*`, so the whole pipeline can run without real exports. Same
parameters, same bytes.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from growthmart.contracts import get_contract
from tools.demo.ads import Ad, ad_active, build_ads, claimed_conversions
from tools.demo.calendar import Calendar
from tools.demo.campaigns import Campaign, IdMaker, KolPost, build_campaigns
from tools.demo.competitors import CompetitorWatch, simulate_competitors
from tools.demo.content import BOOST_STREAM, ContentItem, build_items, daily_stats, plan_boosts
from tools.demo.costs import non_ad_costs, set_budgets, simulate_fx
from tools.demo.exports import BUILDERS
from tools.demo.google_ads import GoogleAds, add_google_ads
from tools.demo.mentions import Mention, simulate_mentions
from tools.demo.profiles import PLATFORMS
from tools.demo.traffic import Traffic, simulate_traffic
from tools.demo.world import last_touch, simulate_people
from tools.demo.writers import clear_demo_files, render, write_file
from tools.demo.xiaohongshu import XhsDelivery, simulate_xiaohongshu

RECALL_STREAM = 4003  # child random stream of the recall activity (np.random.default_rng([seed, 4003]))


@dataclass(frozen=True)
class DemoParams:
    start: dt.date = dt.date(2026, 5, 1)  # first Beijing day written
    days: int = 200
    users: int = 6000  # approximate number of signups over the period
    seed: int = 42

    def __post_init__(self) -> None:
        if self.days < 1 or self.users < 1:
            raise ValueError("days and users must be positive")


@dataclass
class World:
    """Everything simulated, before it is shaped into files."""

    cal: Calendar
    campaigns: list[Campaign]
    posts: list[KolPost]
    ads: list[Ad]
    active: np.ndarray
    platform_ads: dict[str, list[int]]
    items: list[ContentItem]
    fx: dict[str, np.ndarray]
    traffic: Traffic
    ad_stats: dict
    content_stats: list[tuple]
    people: dict
    conv_count: np.ndarray
    conv_value: np.ndarray
    meta_link_clicks: np.ndarray
    cost_rows: list[tuple]
    xiaohongshu: XhsDelivery  # Xiaohongshu 聚光, simulated apart from its own random stream
    google: GoogleAds | None = None  # Google Ads, from its own child stream (tools/demo/google_ads.py)
    # Brand mentions and competitor watch, each from its own child stream (tools/demo/mentions.py, competitors.py)
    mentions: list[Mention] | None = None
    competitors: CompetitorWatch | None = None


def _platform_claims(rng, cal: Calendar, ads: list[Ad], active, traffic: Traffic, people: dict, fx) -> tuple:
    """True last-touch orders per ad and platform day, inflated the way each platform over-claims."""
    orders, src = people["orders"], traffic.sources
    source = last_touch(people["touches"], orders)
    ad_of_source = np.full(len(src.kind) + 1, -1)
    ad_rows = src.of_kind("ad")
    ad_of_source[ad_rows] = np.array(src.ref)[ad_rows]
    ad = ad_of_source[source]  # source -1 hits the sentinel
    meta = np.array([PLATFORMS[a.platform].platform == "meta" for a in ads] + [False])[ad]
    day = np.where(meta, cal.la_day(orders["t"]), cal.bj_day(orders["t"]))
    usd = fx["USD"][np.clip(day, 0, cal.days - 1)]
    value = np.where(meta, orders["value_cny"] / usd, orders["value_cny"])
    ok = (ad >= 0) & (day >= 0) & (day < cal.days)
    count, total = np.zeros(active.shape), np.zeros(active.shape)
    np.add.at(count, (ad[ok], day[ok]), 1)
    np.add.at(total, (ad[ok], day[ok]), value[ok])
    return claimed_conversions(rng, ads, active, count, total, traffic.ad_stats["clicks"])


def simulate(params: DemoParams) -> World:
    rng = np.random.default_rng(params.seed)
    cal = Calendar(params.start, params.days)
    ids = IdMaker(rng)
    campaigns, posts = build_campaigns(rng, cal, ids)
    ads = build_ads(rng, campaigns, ids, cal.days)
    active = ad_active(ads, campaigns, cal.days)
    platform_ads = {
        p.platform: [i for i, a in enumerate(ads) if PLATFORMS[a.platform] is p] for p in PLATFORMS
    }
    items = build_items(rng, cal, campaigns)
    boost_rng = np.random.default_rng([params.seed, BOOST_STREAM])
    plan_boosts(boost_rng, items, cal.days, params.users / params.days / 30)
    fx = simulate_fx(rng, cal)
    traffic = simulate_traffic(rng, cal, campaigns, ads, active, items, posts, params.users)
    stats = traffic.ad_stats
    content_rows = daily_stats(rng, items, traffic.content_clicks, traffic.content_exp_clicks, cal.days)
    recall_rng = np.random.default_rng([params.seed, RECALL_STREAM])
    people = simulate_people(rng, cal, traffic, campaigns, fx, recall_rng=recall_rng)
    conv_count, conv_value = _platform_claims(rng, cal, ads, active, traffic, people, fx)
    link_clicks = np.maximum(rng.binomial(stats["clicks"], 0.85), stats["visits"])

    orders = people["orders"]
    coupons: dict = {}
    for ci, d, disc in zip(orders["coupon_campaign"], orders["day"], orders["discount"], strict=True):
        if ci >= 0:
            n, total = coupons.get((int(ci), int(d)), (0, 0.0))
            coupons[(int(ci), int(d))] = (n + 1, total + float(disc))
    ev = people["events"]
    member_visits = np.zeros((len(campaigns), cal.days), np.int64)
    visit = ev["source"] >= 0
    camp = np.array(traffic.sources.campaign)[ev["source"][visit]]
    kind = np.array(traffic.sources.kind)[ev["source"][visit]]
    day = cal.bj_day(ev["t"][visit])
    reeng = (kind == "reengage") & (day < cal.days)
    np.add.at(member_visits, (camp[reeng], day[reeng]), 1)
    scale = params.users / params.days / 30  # costs scale with the size of the business
    cost_rows = non_ad_costs(
        rng,
        cal,
        campaigns,
        posts,
        items,
        scale,
        people["referrals"],
        member_visits,
        coupons,
        recall_pushes=people["recall_pushes"],
    )
    spend = Counter()
    for i, a in enumerate(ads):
        spend[a.campaign] += float(stats["spend"][i].sum())
    set_budgets(rng, cal, campaigns, spend, cost_rows, float(fx["USD"].mean()))
    # Last, from its own stream: appends its campaigns, so nothing above sees them or draws differently.
    xiaohongshu = simulate_xiaohongshu(params.seed, cal, campaigns, scale, float(fx["USD"].mean()))
    google = add_google_ads(params.seed, cal, campaigns, params.users)  # last: the other streams stay
    return World(
        cal,
        campaigns,
        posts,
        ads,
        active,
        platform_ads,
        items,
        fx,
        traffic,
        stats,
        content_rows,
        people,
        conv_count,
        conv_value,
        link_clicks,
        cost_rows,
        xiaohongshu,
        google,
        simulate_mentions(params.seed, cal),
        simulate_competitors(params.seed, cal),
    )


def generate(landing_dir: Path, params: DemoParams | None = None) -> dict[str, int]:
    """Write every source's demo files for the window; returns {source_name: rows_written}.

    Re-running first removes this generator's own files (`demo_*`) for the days it writes, so it is
    idempotent and never touches files it did not write.
    """
    params = params or DemoParams()
    landing_dir = Path(landing_dir)
    world = simulate(params)
    summary: dict[str, int] = {}
    for name, builder in BUILDERS.items():
        header = get_contract(name).column_names
        clear_demo_files(landing_dir, name, world.cal.date_strs)
        rows = 0
        for d, file_name, fmt, payload in builder(world):
            data, n = render(header, fmt, payload)
            if n == 0:  # no export for an empty day: empty files would be byte-identical across days
                continue
            write_file(landing_dir / name / world.cal.date_strs[d] / file_name, data)
            rows += n
        summary[name] = rows
    return summary
