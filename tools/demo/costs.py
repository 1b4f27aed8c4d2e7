"""FX rates, costs that are not ad spend (KOL fees, incentives, coupons, production) and campaign budgets."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np

from tools.demo.calendar import Calendar
from tools.demo.campaigns import RECALL_UTM, Campaign, KolPost
from tools.demo.content import BOOST_PLATFORMS, ContentItem

# yuan per item at the reference size (30 signups a day); scaled with the business like every cost
PRODUCTION_COST = {
    "article": (30, 120),
    "short_video": (80, 300),
    "note": (20, 80),
    "livestream": (200, 600),
}
REFERRAL_REWARD = 15.0  # yuan per invited friend who signs up (inviter 10 + invitee 5)
MEMBER_DAY_POINTS = 2.0  # yuan of points redeemed per member-day visit
RECALL_PUSH_COST = 0.3  # yuan per recall push (SMS + app push to a dormant user)


def simulate_fx(rng: np.random.Generator, cal: Calendar) -> dict[str, np.ndarray]:
    """CNY per unit of USD (a gentle random walk kept within 7.10–7.30) and HKD (pegged near USD/7.8)."""
    usd = np.empty(cal.days)
    x = 7.18 + rng.normal(0, 0.02)
    for i, step in enumerate(rng.normal(0, 0.006, cal.days)):
        x += step
        x = 7.10 + abs(x - 7.10) if x < 7.10 else (7.30 - abs(x - 7.30) if x > 7.30 else x)
        usd[i] = x
    hkd = usd / 7.8 * (1 + rng.normal(0, 0.0008, cal.days))
    return {"CNY": np.ones(cal.days), "USD": np.round(usd, 4), "HKD": np.round(hkd, 4)}


def non_ad_costs(
    rng,
    cal: Calendar,
    campaigns: list[Campaign],
    posts: list[KolPost],
    items: list[ContentItem],
    scale: float,
    referrals: np.ndarray,
    member_visits: np.ndarray,
    coupons: dict,
    recall_pushes: np.ndarray | None = None,
) -> list[tuple]:
    """Rows (day, (cost_id, cost_date, campaign_id, cost_type, amount, currency, description, content_id))."""
    raw = []  # (day, campaign index, cost type, amount, currency, description, content_id)
    for it in items:
        lo, hi = PRODUCTION_COST[it.content_type]
        amount = float(rng.uniform(lo, hi)) * scale
        cid = it.content_id
        if it.channel in ("douyin", "bilibili") and it.content_type != "livestream" and rng.random() < 0.12:
            raw.append(
                (it.day, it.campaign, "production", amount / 7.2, "USD", f"{cid} 海外工作室制作费", cid)
            )
        else:
            raw.append((it.day, it.campaign, "production", amount, "CNY", f"{cid} 制作费", cid))
        for day, cost, _views in it.boosts:  # paid boosts (DOU+, 薯条) on the days after publication
            raw.append(
                (
                    day,
                    it.campaign,
                    "content_boost",
                    cost,
                    "CNY",
                    f"{cid} {BOOST_PLATFORMS[it.channel][0]}",
                    cid,
                )
            )
    for p in posts:
        if 0 <= p.day < cal.days:
            fee = round(float(p.reach * rng.uniform(1000, 2500) * scale), -2)
            raw.append((p.day, p.campaign, "kol_fee", fee, "CNY", f"{p.kol_id} 合作费", None))
    for ci, c in enumerate(campaigns):
        if c.utm_campaign == "invite_friends":
            for d in np.flatnonzero(referrals).tolist():
                n = int(referrals[d])
                raw.append(
                    (d, ci, "activity_incentive", n * REFERRAL_REWARD, "CNY", f"邀请奖励 {n} 人", None)
                )
        elif c.utm_campaign == "member_day":
            for d in np.flatnonzero(member_visits[ci]).tolist():
                n = int(member_visits[ci][d])
                raw.append(
                    (
                        d,
                        ci,
                        "activity_incentive",
                        n * MEMBER_DAY_POINTS,
                        "CNY",
                        f"会员日积分兑换 {n} 次",
                        None,
                    )
                )
        elif c.utm_campaign == RECALL_UTM and recall_pushes is not None:
            for d in np.flatnonzero(recall_pushes).tolist():
                n = int(recall_pushes[d])
                raw.append(
                    (d, ci, "activity_incentive", n * RECALL_PUSH_COST, "CNY", f"召回推送 {n} 人", None)
                )
        elif c.type == "activity" and c.festival:
            for d in np.flatnonzero(c.active(cal.days)).tolist():
                prize = float(rng.uniform(200, 600)) * scale
                raw.append((d, ci, "activity_incentive", prize, "CNY", f"{c.name} 抽奖奖品", None))
    for (ci, d), (n, total) in sorted(coupons.items()):
        raw.append((d, ci, "coupon_subsidy", total, "CNY", f"{campaigns[ci].coupon[0]} 核销 {n} 张", None))
    raw.sort(key=lambda r: (r[0], r[1], r[2], r[5]))
    rows, seq, prev = [], 0, None
    for d, ci, kind, amount, cur, desc, content_id in raw:
        seq = seq + 1 if d == prev else 1
        prev = d
        date = cal.start + dt.timedelta(days=d)
        cost_id = f"NC{date:%Y%m%d}{seq:04d}"
        rows.append(
            (
                d,
                (
                    cost_id,
                    date.isoformat(),
                    campaigns[ci].campaign_id,
                    kind,
                    f"{amount:.2f}",
                    cur,
                    desc,
                    content_id,
                ),
            )
        )
    return rows


def set_budgets(
    rng, cal: Calendar, campaigns: list[Campaign], spend: dict, cost_rows: list[tuple], fx_usd: float
):
    """Planned budgets from what campaigns cost in the window × 1.1–1.5: a total for campaigns with an end
    date, a daily budget (rounded up to 100) for open-ended ones, whose approved total accrues daily."""
    cost = dict(spend)
    index = {c.campaign_id: i for i, c in enumerate(campaigns)}
    for _, (_id, _date, cid, _kind, amount, cur, *_rest) in cost_rows:
        i = index[cid]
        cny = float(amount) * (fx_usd if cur == "USD" else 1.0)
        cost[i] = cost.get(i, 0.0) + (cny / fx_usd if campaigns[i].currency == "USD" else cny)
    for i, c in enumerate(campaigns):
        planned = cost.get(i, 0.0) * float(rng.uniform(1.1, 1.5))
        if c.last is None:
            live_days = max(int(c.active(cal.days).sum()), 1)
            c.daily_budget = max(100.0, math.ceil(planned / live_days / 100) * 100)
        else:
            c.budget = max(1000.0, math.ceil(planned / 1000) * 1000)
