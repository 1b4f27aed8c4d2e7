"""Xiaohongshu 聚光 (Spotlight) in the demo: its campaigns, creatives and daily delivery, from their own stream.

The platform came after the others (issue 11). Everything about it is drawn from the child random stream
`np.random.default_rng([seed, XIAOHONGSHU_STREAM])` and added after the rest of the world is simulated, so
every other source's demo files stay byte for byte what they were; only the campaign registry gains its
campaigns (appended last: earlier campaigns keep their ids).

聚光 mostly promotes notes inside the Xiaohongshu app: the demo's ads deliver impressions, clicks, spend,
note engagement and the platform's own claims (leads, goods_order, rgmv), but bring no tracked visits to our
app (no `xiaohongshu/cpc` sessions), so their campaigns show spend without attributed orders (DECISIONLOG).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tools.demo.calendar import Calendar
from tools.demo.campaigns import Campaign, IdMaker, _festival_picks
from tools.demo.costs import set_budgets
from tools.demo.profiles import CHANNEL_UTM, XIAOHONGSHU_ADS

XIAOHONGSHU_STREAM = 4007  # child random stream of the platform (np.random.default_rng([seed, 4007]))
ALWAYS_ON = (("种草笔记推广", "notes", None), ("搜索拉新", "search", 5))  # name, utm slug, first day
UNIT_STYLES = ("信息流-女性18-30", "搜索-品牌词", "信息流-兴趣美妆", "搜索-品类词", "信息流-通投")
NOTE_STYLES = ("好物合集", "开箱实拍", "真人测评", "平价替代", "攻略清单")
CLICKS_PER_AD_DAY = 12.0  # expected clicks of an always-on creative at scale 1 (users / days / 30)


@dataclass
class XhsAd:
    campaign: int  # index into the campaign list
    account: str
    unit_id: str
    unit_name: str
    creativity_id: str
    ctr: float
    cpc: float  # yuan per click
    weight: float


@dataclass
class XhsDelivery:
    """The platform's ads and their (ads × days) figures; `active[i, d]`: the ad delivered on day d."""

    ads: list[XhsAd]
    active: np.ndarray
    stats: dict[str, np.ndarray]  # impression, click, fee, like, comment, collect, share, follow, leads, ...


def simulate_xiaohongshu(
    seed: int, cal: Calendar, campaigns: list[Campaign], scale: float, fx_usd: float
) -> XhsDelivery:
    """Append the platform's campaigns to `campaigns` (with budgets) and simulate their delivery."""
    rng = np.random.default_rng([seed, XIAOHONGSHU_STREAM])
    ids = IdMaker(rng)
    p = XIAOHONGSHU_ADS
    src, med = CHANNEL_UTM[p.channel]
    account = ids.next("xiaohongshu_account")
    specs = []
    for name, slug, first in ALWAYS_ON:
        specs.append((name, slug, -45 if first is None else min(first, cal.days - 1), None, 1.0, None))
    fests = _festival_picks(cal.festivals, 4, 1)
    for f in fests:
        specs.append((f"{f.name}种草冲量", f"{f.key}_{f.year}", f.peak - 14, f.last, 1.6, f.key))
    if not fests:
        a = cal.days // 3
        specs.append(("暑期种草冲量", "burst", a, a + 10, 1.6, None))
    first_new = len(campaigns)
    for name, slug, first, last, boost, fest in specs:
        campaigns.append(
            Campaign(
                campaign_id=f"cmp_{len(campaigns) + 1:03d}",
                name=f"{p.name_zh}-{name}",
                type="paid_ads",
                channel=p.channel,
                utm_source=src,
                utm_medium=med,
                utm_campaign=f"{p.prefix}_{slug}",
                first=first,
                last=last,
                platform=p.platform,
                platform_campaign_id=ids.next("xiaohongshu_campaign"),
                account=account,
                currency=p.currency,
                boost=boost,
                festival=fest,
            )
        )
    mine = list(range(first_new, len(campaigns)))

    ads: list[XhsAd] = []
    for ci in mine:
        c = campaigns[ci]
        units = rng.choice(UNIT_STYLES, size=2, replace=False).tolist()
        for unit in units:
            unit_id = ids.next("xiaohongshu_unit")
            for _ in range(int(rng.integers(2, 4))):
                ads.append(
                    XhsAd(
                        campaign=ci,
                        account=account,
                        unit_id=unit_id,
                        unit_name=f"{c.name.split('-', 1)[1]}-{unit}",
                        creativity_id=ids.next("xiaohongshu_creativity"),
                        ctr=float(rng.uniform(*p.ctr)),
                        cpc=float(rng.uniform(*p.cpc)),
                        weight=float(rng.lognormal(0.0, 0.5)) * c.boost,
                    )
                )

    shape = (len(ads), cal.days)
    active = np.array([campaigns[a.campaign].active(cal.days) for a in ads], dtype=bool).reshape(shape)
    weight = np.array([a.weight for a in ads])[:, None]
    exp_clicks = CLICKS_PER_AD_DAY * scale * weight * cal.traffic_lift[None, :] * rng.lognormal(0, 0.2, shape)
    click = rng.poisson(exp_clicks) * active
    ctr = np.clip(np.array([a.ctr for a in ads])[:, None] * rng.lognormal(0.0, 0.12, shape), 0.005, 0.08)
    impression = np.maximum(rng.poisson(np.maximum(exp_clicks, 0.3) / ctr), click + 1) * active
    fee = (
        np.round(click * np.array([a.cpc for a in ads])[:, None] * rng.lognormal(0.0, 0.1, shape), 2) * active
    )
    goods_order = rng.poisson(click * 0.006) * active
    stats = {
        "impression": impression,
        "click": click,
        "fee": fee,
        "like": rng.binomial(impression, 0.012) * active,
        "comment": rng.binomial(impression, 0.0015) * active,
        "collect": rng.binomial(impression, 0.004) * active,
        "share": rng.binomial(impression, 0.0008) * active,
        "follow": rng.binomial(impression, 0.0005) * active,
        "leads": rng.poisson(click * 0.01) * active,
        "goods_order": goods_order,
        "rgmv": np.round(goods_order * 150.0 * rng.lognormal(0.0, 0.3, shape), 2) * active,
    }
    spend = {
        k: float(fee[[i for i, a in enumerate(ads) if a.campaign == ci]].sum()) for k, ci in enumerate(mine)
    }
    set_budgets(rng, cal, [campaigns[ci] for ci in mine], spend, [], fx_usd)
    return XhsDelivery(ads, active, stats)
