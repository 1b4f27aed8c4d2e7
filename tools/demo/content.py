"""Owned-channel content: the items published each day and their daily (not cumulative) stats."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tools.demo.calendar import DAY, Calendar
from tools.demo.campaigns import Campaign

LIFETIME = 14  # days of stats after publication (day 0 = publication day)
# campaign channel → (content channel label, id prefix, items per weekday, type mix)
CONTENT_CHANNELS = {
    "wechat_oa": ("wechat_oa", "wx", 0.8, {"article": 0.92, "livestream": 0.08}),
    "douyin_content": ("douyin", "dy", 1.2, {"short_video": 0.85, "livestream": 0.15}),
    "xiaohongshu": ("xiaohongshu", "xhs", 1.0, {"note": 0.75, "short_video": 0.25}),
    "bilibili": ("bilibili", "bili", 0.35, {"short_video": 0.80, "livestream": 0.20}),
}
DECAY = {"article": 0.55, "short_video": 0.70, "note": 0.80, "livestream": 0.25}
# views → likes, comments, shares, favorites, follows, leads (留资)
RATES = {
    "wechat_oa": (0.020, 0.002, 0.015, 0.008, 0.003, 0.0008),
    "douyin": (0.040, 0.004, 0.006, 0.005, 0.002, 0.0001),
    "xiaohongshu": (0.050, 0.006, 0.006, 0.030, 0.004, 0.0003),
    "bilibili": (0.050, 0.008, 0.004, 0.020, 0.004, 0.0001),
}
LINK_RATE = {"wechat_oa": 0.02, "douyin": 0.004, "xiaohongshu": 0.006, "bilibili": 0.008}
TOPICS = (
    "夏季防晒",
    "通勤穿搭",
    "厨房好物",
    "护肤成分",
    "数码配件",
    "宿舍改造",
    "健身装备",
    "母婴好物",
    "旅行收纳",
    "咖啡器具",
    "香水推荐",
    "平价彩妆",
)
TITLES = {
    "article": ("{t}｜5个真正好用的单品", "{t}避坑指南", "一文看懂{t}"),
    "short_video": ("{t}开箱测评", "30秒get{t}", "{t}真实使用一周"),
    "livestream": ("{t}专场直播", "周末{t}福利直播"),
    "note": ("{t}｜私藏清单", "{t}平替合集", "姐妹们冲！{t}"),
}
AUTHORS = {
    "wechat_oa": ("编辑部-阿青", "编辑部-小满", "运营-Lily"),
    "douyin": ("抖音号-GM好物", "主播-小七"),
    "xiaohongshu": ("小红书-GM种草君", "小红书-Momo"),
    "bilibili": ("B站-GM测评室",),
}
# Paid boosts of owned posts (Douyin DOU+, Xiaohongshu 薯条): which platforms sell them, the share of items
# boosted, what a boost day costs (yuan at the reference size, scaled like every cost) and the platform's
# price per 1000 extra views (CPM, yuan). DOU+ sells about 5,000 plays for 100 yuan (CPM ≈ 20) at best.
BOOST_PLATFORMS = {"douyin": ("DOU+加热", (20.0, 45.0)), "xiaohongshu": ("薯条推广", (30.0, 70.0))}
BOOST_SHARE = 0.3
BOOST_DAY_BUDGET = (50.0, 300.0)
BOOST_STREAM = 4101  # child generator of the boost draws: the main stream stays as it was
# A visit from an item with a completion rate signs up with the channel's rate × this lift: completion
# predicts conversion. The lift is affine in completion / the format's mean completion (its Beta mean),
# so it averages 1 over items and the channel's calibrated signups stay where they were.
MEAN_COMPLETION = {"short_video": 3 / 8, "livestream": 1.2 / 13.2}
COMPLETION_LIFT_FLOOR = 0.15
FESTIVAL_LABEL = {"520": "520", "618": "618", "qixi": "七夕", "1111": "双11", "1212": "双12"}


@dataclass
class ContentItem:
    content_id: str
    channel: str  # content channel label (wechat_oa | douyin | xiaohongshu | bilibili)
    campaign: int
    content_type: str
    title: str
    author: str
    day: int
    published_at: int  # UTC epoch seconds
    duration: int | None
    reach: float
    link_rate: float
    completion: float | None
    topic: str = ""
    # paid boost days: (day, cost in yuan at the business's size, extra views bought)
    boosts: tuple[tuple[int, float, int], ...] = ()


def build_items(rng: np.random.Generator, cal: Calendar, campaigns: list[Campaign]) -> list[ContentItem]:
    """Items published in the window; every channel publishes on day 0 so content traffic starts at once."""
    items: list[ContentItem] = []
    counters = dict.fromkeys(CONTENT_CHANNELS, 0)
    for d in range(cal.days):
        for cch, (label, prefix, rate, mix) in CONTENT_CHANNELS.items():
            weekend = cal.weekday[d] >= 5
            lam = rate * (0.4 if label == "wechat_oa" and weekend else 1.0) * cal.traffic_lift[d] ** 0.5
            n = max(int(rng.poisson(lam)), 1 if d == 0 else 0)
            live = [i for i, c in enumerate(campaigns) if c.type == "content" and c.channel == cch]
            live = [i for i in live if campaigns[i].active(cal.days)[d]]
            festive = [i for i in live if campaigns[i].festival]
            for _ in range(n):
                camp = festive[0] if festive and rng.random() < 0.6 else live[0]
                ctype = str(rng.choice(list(mix), p=list(mix.values())))
                template = str(rng.choice(TITLES[ctype]))
                topic = str(rng.choice(TOPICS))  # drawn after the template, as before the topic was kept
                title = template.format(t=topic)
                if campaigns[camp].festival:
                    title = f"【{FESTIVAL_LABEL[campaigns[camp].festival]}】{title}"
                if ctype == "livestream":
                    secs = int(rng.integers(19 * 3600, 21 * 3600))
                    duration = int(rng.integers(6, 19)) * 600
                else:
                    secs = int(rng.integers(8 * 3600, 22 * 3600 + 1800))
                    duration = int(rng.integers(15, 181)) if ctype == "short_video" else None
                completion = None
                if ctype == "short_video":
                    completion = float(rng.beta(3, 5))
                elif ctype == "livestream":
                    completion = float(rng.beta(1.2, 12))
                counters[cch] += 1
                items.append(
                    ContentItem(
                        content_id=f"{prefix}_{counters[cch]:05d}",
                        channel=label,
                        campaign=camp,
                        content_type=ctype,
                        title=title,
                        author=str(rng.choice(AUTHORS[label])),
                        day=d,
                        published_at=cal.t0 + d * DAY + secs,
                        duration=duration,
                        reach=float(rng.lognormal(0.0, 0.7)) * (2.0 if ctype == "livestream" else 1.0),
                        link_rate=LINK_RATE[label] * float(rng.lognormal(0.0, 0.3)),
                        completion=completion,
                        topic=topic,
                    )
                )
    return items


def plan_boosts(rng: np.random.Generator, items: list[ContentItem], days: int, scale: float) -> None:
    """Boost a share of the Douyin and Xiaohongshu posts on 1–3 days right after publication (`rng`: a
    child generator). Each boost day buys views at the platform's CPM; cost and views scale with the
    business (`scale`, as every cost), so a boosted day shows clearly more views than the organic ones."""
    for it in items:
        if it.channel not in BOOST_PLATFORMS or it.content_type == "livestream":
            continue
        picked, n_days = rng.random() < BOOST_SHARE, int(rng.integers(1, 4))
        budgets = rng.uniform(*BOOST_DAY_BUDGET, size=n_days) * scale
        cpm = rng.uniform(*BOOST_PLATFORMS[it.channel][1], size=n_days)
        extra = rng.poisson(budgets / cpm * 1000)
        if not picked:
            continue
        it.boosts = tuple(
            (it.day + 1 + k, float(budgets[k]), int(extra[k])) for k in range(n_days) if it.day + 1 + k < days
        )


def completion_lift(completion: float | None, content_type: str) -> float:
    """Signup-rate multiplier of a visit from an item (1 without a completion rate)."""
    if completion is None:
        return 1.0
    ratio = completion / MEAN_COMPLETION[content_type]
    return COMPLETION_LIFT_FLOOR + (1 - COMPLETION_LIFT_FLOOR) * ratio


def item_weights(items: list[ContentItem], days: int) -> np.ndarray:
    """(items × days) share of attention: reach decaying with age over the item's lifetime."""
    w = np.zeros((len(items), days))
    for i, it in enumerate(items):
        age = np.arange(min(LIFETIME, days - it.day))
        w[i, it.day + age] = it.reach * DECAY[it.content_type] ** age
    return w


def daily_stats(
    rng: np.random.Generator, items: list[ContentItem], clicks, exp_clicks, days: int
) -> list[tuple]:
    """Rows (day, stat columns...) per item and day of its lifetime; link_clicks ≥ the visits they bring."""
    rows = []
    for i, it in enumerate(items):
        ages = np.arange(min(LIFETIME, days - it.day))
        d = it.day + ages
        c = clicks[i, d]
        views = c + rng.poisson(np.maximum(exp_clicks[i, d], 0.05) * (1 / it.link_rate - 1))
        for day, _cost, extra in it.boosts:  # views bought on boost days
            views[d == day] += extra
        rates = np.clip(np.array(RATES[it.channel])[None, :] * rng.lognormal(0, 0.25, (len(d), 6)), 0, 1)
        counts = rng.binomial(views[:, None], rates)
        comp = watch = [None] * len(d)
        if it.completion is not None:
            cr = np.clip(it.completion * rng.lognormal(0, 0.1, len(d)), 0.01, 0.99)
            comp = np.round(cr, 4).tolist()
            if it.content_type == "short_video":
                watch = np.round(it.duration * (0.2 + 0.8 * cr), 1).tolist()
            else:
                watch = np.round(np.minimum(it.duration, rng.lognormal(np.log(240), 0.5, len(d))), 1).tolist()
        for k in range(len(d)):
            likes, comments, shares, favs, follows, leads = counts[k].tolist()
            rows.append(
                (
                    int(d[k]),
                    it.content_id,
                    it.channel,
                    int(views[k]),
                    comp[k],
                    watch[k],
                    likes,
                    comments,
                    shares,
                    favs,
                    follows,
                    int(c[k]),
                    leads,
                )
            )
    return rows
