"""Brand mentions in the demo: what the social-listening tool delivers each day, from its own random stream.

Every day each tracked brand (tools/demo/market.py) is mentioned on the six platforms, in the weekday and festival
rhythm of the calendar, with a sentiment mix per brand; the product-quality incident adds a negative wave about
our brand that starts on one platform and spreads. A mention is delivered on the Beijing day it was posted; some
are delivered again one to four days later with their likes, comments and reposts grown (the same mention_id and
text): staging counts each once, with its latest counts.
"""

from __future__ import annotations

import json
import math
import random
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from growthmart.contracts import SOCIAL_PLATFORMS
from tools.demo.calendar import DAY, Calendar, iso_utc
from tools.demo.market import (
    BRANDS,
    INCIDENT_PLATFORM,
    INCIDENT_START_HOUR,
    INCIDENT_TONES,
    PLATFORM_SHARE,
    PRICE_CUT_COMPETITOR,
    incident_extra,
    incident_start_day,
    price_cut_days,
)
from tools.demo.mention_text import TONES, TOPICS, compose
from tools.demo.world import hex_ids, hex_keys

MENTION_STREAM = 4201  # child random stream (np.random.default_rng([seed, 4201])): no other source changes
TOPIC_SHARE = (0.35, 0.15, 0.20, 0.20, 0.10)  # product, service, logistics, price, general
REDELIVERY_SHARE = 0.18  # mentions delivered again later (incident posts: twice as often)
# Counts the platform shows (likes, comments, reposts as shares of the engagement); None = not shown.
COUNT_SHARES = {
    "weibo": (1.0, 0.25, 0.30),
    "douyin": (1.0, 0.08, 0.05),
    "xiaohongshu": (1.0, 0.15, 0.04),
    "zhihu": (1.0, 0.12, None),
    "bilibili": (1.0, 0.10, 0.03),
    "wechat": (1.0, 0.02, None),
}
NICK_HEADS = ("小", "阿", "一只", "爱吃", "今天也要", "不想上班的", "努力的", "快乐")
NICK_TAILS = ("鱼", "橘子", "猫", "柚子", "兔兔", "奶茶", "土豆", "小鹿", "柠檬", "饭团")
WECHAT_ACCOUNTS = ("消费观察室", "好物研究所", "生活方式周刊", "科技消费评论", "都市省钱指南")


@dataclass
class Mention:
    platform: str
    brand: int  # index into market.BRANDS
    created_at: int  # UTC epoch seconds
    text: str
    keywords: list[str]
    url: str
    author: str
    followers: int | None
    final: tuple[int, int | None, int | None]  # likes, comments, reposts once they stop growing
    deliveries: list[tuple[int, float]]  # (day index, share of the final counts shown then)
    incident: bool = False
    mention_id: str = ""


def _weighted(r: random.Random, weights: tuple[float, ...]) -> int:
    """Index drawn with probability proportional to its weight."""
    return r.choices(range(len(weights)), weights)[0]


def _url(r: random.Random, platform: str) -> str:
    digits = r.randrange(10**17, 10**18)
    return {
        "weibo": f"https://weibo.com/{r.randrange(10**9, 8 * 10**9)}/{digits:x}",
        "douyin": f"https://www.douyin.com/video/7{digits}",
        "xiaohongshu": f"https://www.xiaohongshu.com/explore/{r.randrange(2**31, 2**32):08x}{digits:016x}",
        "zhihu": f"https://www.zhihu.com/question/{digits % 10**9}/answer/{digits // 10**7}",
        "bilibili": f"https://www.bilibili.com/video/BV1{digits:x}"[:43],  # BV1 and 9 characters
        "wechat": f"https://mp.weixin.qq.com/s/{digits:x}",
    }[platform]


def _author(r: random.Random, platform: str) -> str:
    if platform == "wechat":
        return r.choice(WECHAT_ACCOUNTS)
    return f"{r.choice(NICK_HEADS)}{r.choice(NICK_TAILS)}{r.randrange(1, 9999)}"


def _tone(r: random.Random, brand: int, day: int, days: int, topic: str) -> str:
    mix = BRANDS[brand].sentiment
    if BRANDS[brand].name == PRICE_CUT_COMPETITOR and day in price_cut_days(days) and topic == "price":
        mix = (0.75, 0.20, 0.05)  # the cut is noticed and liked
    return TONES[_weighted(r, mix)]


def _mention(
    r: random.Random, cal: Calendar, brand: int, platform: str, day: int, t: int, incident: bool
) -> Mention:
    b = BRANDS[brand]
    if incident:
        topic, tone = "product", TONES[_weighted(r, INCIDENT_TONES)]
    else:
        topic = TOPICS[_weighted(r, TOPIC_SHARE)]
        tone = _tone(r, brand, day, cal.days, topic)
    kw = b.keywords[0] if r.random() < 0.8 else r.choice(b.keywords)
    text = compose(r, platform, topic, tone, kw, b.handle, incident)
    followers = int(r.lognormvariate(math.log(800), 1.8)) if r.random() > 0.05 else None
    reach = (followers or 500) * r.lognormvariate(math.log(0.01), 1.0) * (3.0 if incident else 1.0)
    likes, comments, reposts = (
        None if s is None else int(reach * s * r.uniform(0.5, 1.5)) for s in COUNT_SHARES[platform]
    )
    deliveries = [(day, r.uniform(0.3, 0.7))]
    if r.random() < REDELIVERY_SHARE * (2 if incident else 1):
        again = day + r.randrange(1, 3)
        deliveries.append((again, r.uniform(0.75, 0.95)))
        if r.random() < 0.3:
            deliveries.append((again + r.randrange(1, 3), 1.0))
    return Mention(
        platform=platform,
        brand=brand,
        created_at=t,
        text=text,
        keywords=[k for k in b.keywords if k in text],
        url=_url(r, platform),
        author=_author(r, platform),
        followers=followers,
        final=(likes, comments, reposts),
        deliveries=[(d, share) for d, share in deliveries if d < cal.days],
        incident=incident,
    )


def simulate_mentions(seed: int, cal: Calendar) -> list[Mention]:
    """Every mention of the window, in posting order, each with its deliveries."""
    rng = np.random.default_rng([seed, MENTION_STREAM])  # volumes and times
    r = random.Random(int(rng.integers(2**63)))  # each post's content
    out: list[Mention] = []
    start = incident_start_day(cal.days)
    rhythm = cal.weekday_factor * cal.traffic_lift**0.5
    for d in range(cal.days):
        for bi, b in enumerate(BRANDS):
            cut = 1.5 if b.name == PRICE_CUT_COMPETITOR and d in price_cut_days(cal.days) else 1.0
            for p in SOCIAL_PLATFORMS:
                n = int(rng.poisson(b.mentions_per_day * PLATFORM_SHARE[p] * rhythm[d] * cut))
                n_incident = int(rng.poisson(incident_extra(cal.days, p, d))) if b.is_own else 0
                secs = cal.seconds_of_day(rng, n + n_incident)
                if n_incident and p == INCIDENT_PLATFORM and d == start:  # the first post at 10:00
                    first = INCIDENT_START_HOUR * 3600
                    secs[n:] = first + np.sort(rng.integers(0, DAY - first, n_incident))
                for k, s in enumerate(secs.tolist()):
                    out.append(_mention(r, cal, bi, p, d, cal.t0 + d * DAY + s, k >= n))
    out.sort(key=lambda m: m.created_at)
    for m, mention_id in zip(out, hex_ids(hex_keys(len(out), MENTION_STREAM)), strict=True):
        m.mention_id = mention_id
    return out


def _counts(m: Mention, share: float) -> list[int | None]:
    return [None if c is None else int(c * share) for c in m.final]


def brand_mentions(w) -> Iterator:
    """The listening tool's JSON Lines, one file a day: the mentions delivered that day, by created_at."""
    mentions: list[Mention] | None = getattr(w, "mentions", None)
    if mentions is None:
        return
    by_day: list[list] = [[] for _ in range(w.cal.days)]
    for m in mentions:
        likes_shown = -1
        for d, share in m.deliveries:
            counts = _counts(m, share)
            counts[0] = max(counts[0], likes_shown + 1)  # a later delivery shows at least one more like
            likes_shown = counts[0]
            by_day[d].append((m.created_at, m.mention_id, m, counts))
    for d, date in enumerate(w.cal.date_strs):
        rows = sorted(by_day[d], key=lambda r: r[:2])
        lines = []
        for created, (_, _, m, (likes, comments, reposts)) in zip(
            iso_utc([r[0] for r in rows]), rows, strict=True
        ):
            b = BRANDS[m.brand]
            rec = {
                "mention_id": m.mention_id,
                "platform": m.platform,
                "url": m.url,
                "author": m.author,
                "author_followers": m.followers,
                "text": m.text,
                "likes": likes,
                "comments": comments,
                "reposts": reposts,
                "created_at": created,
                "matched_keywords": m.keywords,
                "brand": b.name,
                "brand_type": "own" if b.is_own else "competitor",
            }
            lines.append(json.dumps(rec, ensure_ascii=False, separators=(",", ":")))
        yield d, f"demo_brand_mentions_{date}.jsonl", "jsonl", lines
