"""Competitor watch in the demo, from its own random stream: the price monitor's item prices, the ad-intelligence
tool's creatives and the app stores' chart ranks.

Prices follow festivals (promotions) and, once, the price cut of `market.PRICE_CUT_COMPETITOR` during our recall
activity; creatives come and go (the price cut launches its own); chart ranks drift, rise with festivals and the
price cut, and our app slips while the incident lasts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from growthmart.contracts import APP_STORES, CREATIVE_FORMATS, SHOP_PLATFORMS, SOCIAL_PLATFORMS
from tools.demo.calendar import DAY, Calendar, festival_shape, iso_utc
from tools.demo.content import FESTIVAL_LABEL
from tools.demo.market import (
    BRANDS,
    COMPETITORS,
    INCIDENT_DECAY,
    PRICE_CUT_COMPETITOR,
    PRICE_CUT_DEPTH,
    PRICE_CUT_TEXT,
    incident_start_day,
    price_cut_days,
)

COMPETITOR_STREAM = 4202  # child random stream (np.random.default_rng([seed, 4202])): no other source changes
# Tracked items: (category, item name, list price in yuan); each competitor sells each on two shop platforms.
ITEMS = (
    ("保温杯", "316不锈钢保温杯500ml", 89.0),
    ("防晒霜", "清爽防晒乳SPF50+ 50ml", 129.0),
    ("蓝牙耳机", "降噪真无线蓝牙耳机", 299.0),
    ("空气炸锅", "家用大容量空气炸锅5L", 359.0),
    ("面膜", "玻尿酸补水面膜20片", 99.0),
)
PROMOTIONS = ("满199减20", "第二件半价", "领券立减10元", "会员专享价")
CHARTS = {"app_store": "购物(免费榜)", "huawei": "购物比价", "yingyongbao": "购物"}
CREATIVE_RATE = 0.12  # new creatives a day per competitor and platform
CREATIVE_COPY = (
    ("新人专享", "{b}新人礼包，首单立减20元"),
    ("好物节", "{b}好物节开启，爆款低至5折"),
    ("品质生活", "每一件都经过严选，{b}让生活更有质感"),
    ("限时秒杀", "每天10点秒杀，{b}手慢无"),
)
CUT_COPY = ("全场直降", "{b}" + PRICE_CUT_TEXT + "，比比就知道")


@dataclass
class Creative:
    creative_id: str
    competitor: str
    platform: str
    creative_format: str
    title: str
    text: str
    landing_url: str
    first: int  # first day seen (may be before the window)
    last: int  # last day seen


@dataclass
class CompetitorWatch:
    prices: list[
        tuple
    ]  # (day, observed_at, competitor, shop_platform, item_id, name, category, price, list, promo)
    creatives: list[Creative]
    ranks: np.ndarray  # (days, stores, brands) chart position


def _festival_discount(cal: Calendar, day: int) -> tuple[float, str | None]:
    """The festival promotion every competitor runs on `day`: (discount, promotion text)."""
    for f in cal.festivals:
        if festival_shape(f, np.array([day]))[0] > 0:
            return 0.12, f"{FESTIVAL_LABEL[f.key]}狂欢 满300减40"
    return 0.0, None


def _prices(rng: np.random.Generator, cal: Calendar) -> list[tuple]:
    rows = []
    cut = price_cut_days(cal.days)
    item_ids = {  # competitor k sells on shop platforms k and k + 1
        (c.name, SHOP_PLATFORMS[(k + j) % len(SHOP_PLATFORMS)], i): str(int(rng.integers(10**11, 10**12)))
        for k, c in enumerate(COMPETITORS)
        for j in range(2)
        for i in range(len(ITEMS))
    }
    level = {key: float(rng.uniform(0.9, 1.1)) for key in item_ids}  # each listing's price level
    for d in range(cal.days):
        festive, festive_text = _festival_discount(cal, d)
        for (competitor, shop, i), item_id in item_ids.items():
            category, name, base = ITEMS[i]
            list_price = round(base * level[(competitor, shop, i)], 0)
            if competitor == PRICE_CUT_COMPETITOR and d in cut:
                off, promo = PRICE_CUT_DEPTH, PRICE_CUT_TEXT
            elif festive:
                off, promo = festive, festive_text
            elif rng.random() < 0.15:
                off, promo = 0.05, str(rng.choice(PROMOTIONS))
            else:
                off, promo = 0.0, None
            price = round(list_price * (1 - off), 2)
            t = cal.t0 + d * DAY + int(rng.integers(9 * 3600, 10 * 3600))  # the monitor's morning crawl
            shown_list = f"{list_price:.2f}" if off else None
            rows.append((d, t, competitor, shop, item_id, name, category, f"{price:.2f}", shown_list, promo))
    return rows


def _creatives(rng: np.random.Generator, cal: Calendar) -> list[Creative]:
    out: list[Creative] = []

    def add(k: int, platform: str, first: int, length: int, copy: tuple[str, str]) -> None:
        n = len(out) + 1
        out.append(
            Creative(
                creative_id=f"cr{int(rng.integers(10**9, 10**10))}{n:04d}",
                competitor=COMPETITORS[k].name,
                platform=platform,
                creative_format=str(rng.choice(CREATIVE_FORMATS, p=(0.35, 0.5, 0.15))),
                title=copy[0],
                text=copy[1].format(b=COMPETITORS[k].name),
                landing_url=f"https://h5.competitor{k + 1}.example/act/{n}",
                first=first,
                last=min(first + length - 1, cal.days - 1),
            )
        )

    for k in range(len(COMPETITORS)):
        for p in SOCIAL_PLATFORMS:
            for first in range(
                -20, cal.days
            ):  # creatives already running when the window opens, then new ones
                for _ in range(int(rng.poisson(CREATIVE_RATE))):
                    length = int(rng.integers(5, 26))
                    if first + length > 0:
                        add(k, p, first, length, CREATIVE_COPY[int(rng.integers(len(CREATIVE_COPY)))])
    cut = price_cut_days(cal.days)
    cutter = next(k for k, c in enumerate(COMPETITORS) if c.name == PRICE_CUT_COMPETITOR)
    if len(cut):
        for p in (
            "douyin",
            "weibo",
            "xiaohongshu",
        ):  # the price cut's own ads, from its first day to its last
            add(cutter, p, cut.start, len(cut), CUT_COPY)
    return out


def _ranks(rng: np.random.Generator, cal: Calendar) -> np.ndarray:
    """(days, stores, brands) chart positions, distinct within each chart and day."""
    days, n = cal.days, len(BRANDS)
    base = np.log([b.app_rank for b in BRANDS])
    noise = np.zeros((days, len(APP_STORES), n))
    step = rng.normal(0, 0.12, noise.shape)
    for d in range(days):  # a slow random walk around each app's usual position
        noise[d] = (0.8 * noise[d - 1] if d else 0) + step[d]
    lift = np.log(cal.traffic_lift)[:, None, None] * 0.6  # festivals move every shopping app up
    log_rank = base[None, None, :] + noise - lift
    cut = price_cut_days(cal.days)
    cutter = next(i for i, b in enumerate(BRANDS) if b.name == PRICE_CUT_COMPETITOR)
    log_rank[cut.start : cut.stop, :, cutter] -= np.log(1.6)
    start = incident_start_day(cal.days)
    if start is not None:  # our app slips while the incident lasts
        k = np.arange(days) - start
        log_rank[:, :, 0] += np.where(k >= 0, np.log(1.5) * INCIDENT_DECAY ** np.maximum(k - 2, 0), 0)[
            :, None
        ]
    ranks = np.maximum(np.rint(np.exp(log_rank)), 1).astype(np.int64)
    for d in range(days):
        for s in range(len(APP_STORES)):  # two apps never share a position
            order = np.argsort(ranks[d, s], kind="stable")
            taken = 0
            for i in order:
                ranks[d, s, i] = max(ranks[d, s, i], taken + 1)
                taken = ranks[d, s, i]
    return ranks


def simulate_competitors(seed: int, cal: Calendar) -> CompetitorWatch:
    rng = np.random.default_rng([seed, COMPETITOR_STREAM])
    return CompetitorWatch(_prices(rng, cal), _creatives(rng, cal), _ranks(rng, cal))


def _watch(w) -> CompetitorWatch | None:
    return getattr(w, "competitors", None)


def competitor_prices(w) -> Iterator:
    """The price monitor's CSV, one file a day: every tracked listing as read that morning."""
    watch = _watch(w)
    if watch is None:
        return
    by_day: list[list] = [[] for _ in range(w.cal.days)]
    for d, t, *rest in watch.prices:
        by_day[d].append((iso_utc([t])[0], *rest))
    for d, date in enumerate(w.cal.date_strs):
        yield d, f"demo_competitor_prices_{date}.csv", "csv", by_day[d]


def competitor_creatives(w) -> Iterator:
    """The ad-intelligence tool's CSV, one file a day: the creatives seen that day, first and last seen so far."""
    watch = _watch(w)
    if watch is None:
        return

    def date(d: int) -> str:
        return (w.cal.start + dt.timedelta(days=d)).isoformat()

    for d, day in enumerate(w.cal.date_strs):
        rows = [
            (
                c.creative_id,
                c.competitor,
                c.platform,
                c.creative_format,
                c.title,
                c.text,
                c.landing_url,
                date(c.first),
                day,
            )
            for c in watch.creatives
            if c.first <= d <= c.last
        ]
        yield d, f"demo_competitor_creatives_{day}.csv", "csv", rows


def app_store_ranks(w) -> Iterator:
    """The chart tracker's CSV, one file a day: our app and the competitors' in each store's shopping chart."""
    watch = _watch(w)
    if watch is None:
        return
    for d, day in enumerate(w.cal.date_strs):
        rows = [
            (
                day,
                store,
                CHARTS[store],
                b.app_name,
                b.name,
                "own" if b.is_own else "competitor",
                str(watch.ranks[d, s, i]),
            )
            for s, store in enumerate(APP_STORES)
            for i, b in enumerate(BRANDS)
        ]
        yield d, f"demo_app_store_ranks_{day}.csv", "csv", rows
