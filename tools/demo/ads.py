"""Ad hierarchy (account → campaign → ad group → ad) and the daily delivery of every ad."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tools.demo.campaigns import Campaign, IdMaker
from tools.demo.experiments import CREATIVE_CAMPAIGN, CREATIVE_VARIANTS, CREATIVE_WEIGHT
from tools.demo.profiles import PLATFORM_INDEX, PLATFORMS

OCEAN_STYLES = ("口播", "开箱", "剧情", "图文", "直播切片", "测评")
TENCENT_TARGETING = ("女性25-35", "一线城市", "兴趣-美妆", "Lookalike", "通投", "新客定向")
META_ADSETS = (
    "CN_Diaspora_US_25-44",
    "Lookalike_1pct_Purchasers",
    "Retarget_Visitors_30d",
    "IG_Stories_Broad",
)
META_ADS = ("Video_UGC", "Carousel_Bestsellers", "Static_Coupon", "Reel_Unboxing")
BAIDU_KEYWORDS = {
    "brand": (
        "growthmart",
        "growthmart官网",
        "growthmart下载",
        "growthmart app",
        "growthmart优惠券",
        "growthmart怎么样",
    ),
    "generic": (
        "购物app推荐",
        "好物推荐",
        "正品折扣app",
        "网购省钱",
        "优惠券领取",
        "品牌特卖",
        "大牌平替",
        "便宜好用的购物软件",
    ),
    "competitor": ("某宝替代", "拼团软件", "特卖平台哪个好", "比价app", "折扣网站"),
    "festival": ("优惠", "攻略", "满减", "红包", "必买清单", "预售"),
}
FESTIVAL_WORDS = {"520": "520", "618": "618", "qixi": "七夕", "1111": "双11", "1212": "双12"}
BAIDU_MATCH = ("精确匹配", "短语匹配", "智能匹配")
DELETED = "[已删除]"


@dataclass
class Ad:
    platform: int  # index into PLATFORMS
    campaign: int  # index into the campaign list
    account: str
    group_id: str
    group_name: str
    ad_id: str
    ad_name: str  # Baidu: the keyword text
    utm_source: str
    ctr: float
    cpc: float  # account currency per click
    weight: float
    match: str | None = None
    deleted_day: int | None = None  # Baidu: deleted that day (named with [已删除], gone afterwards)
    variant: str | None = None  # creative test variant id (tools/demo/experiments.py)
    cvr_lift: float = 1.0  # multiplier on the signup rate of the ad's visits


def _group_names(rng, c: Campaign, n: int) -> list[str]:
    if c.platform == "tencent_ads":
        return [f"{c.name}-{t}" for t in rng.choice(TENCENT_TARGETING, size=n, replace=False).tolist()]
    if c.platform == "meta":
        return rng.choice(META_ADSETS, size=n, replace=False).tolist()
    if c.platform == "baidu":
        return [f"{c.name.split('-', 1)[1].split('-')[0]}-单元{j + 1}" for j in range(n)]
    return [f"{c.name}-组{j + 1}" for j in range(n)]


def _baidu_keywords(rng, c: Campaign, n: int) -> list[str]:
    slug = c.utm_campaign.split("_", 1)[1]
    if slug in BAIDU_KEYWORDS:
        pool = list(BAIDU_KEYWORDS[slug])
    else:
        pool = [f"{FESTIVAL_WORDS.get(c.festival or '', '暑期')}{w}" for w in BAIDU_KEYWORDS["festival"]]
    n = min(n, len(pool))
    return rng.choice(pool, size=n, replace=False).tolist()


def build_ads(rng: np.random.Generator, campaigns: list[Campaign], ids: IdMaker, days: int) -> list[Ad]:
    """Ad groups and ads under every paid campaign, with per-ad CTR, CPC and traffic weight."""
    ads: list[Ad] = []
    for ci, c in enumerate(campaigns):
        if c.type != "paid_ads":
            continue
        pi = PLATFORM_INDEX[c.platform]
        p = PLATFORMS[pi]
        n_groups = 1 if c.platform == "ocean_engine" else 2
        group_names = _group_names(rng, c, n_groups)
        keywords = _baidu_keywords(rng, c, 8) if c.platform == "baidu" else []
        for g in range(n_groups):
            group_id = c.platform_campaign_id if c.platform == "ocean_engine" else ""
            if c.platform == "tencent_ads":
                group_id = ids.next("tencent_adgroup")
            elif c.platform == "baidu":
                group_id = ids.next("baidu_unit")
            elif c.platform == "meta":
                group_id = ids.next("meta_adset")
            n_ads = int(rng.integers(3, 6)) if c.platform == "ocean_engine" else int(rng.integers(2, 4))
            if c.platform == "baidu":
                n_ads = len(keywords) // n_groups
            for j in range(n_ads):
                if c.platform == "ocean_engine":
                    ad_id, name = ids.next("ocean_ad"), f"{c.name}_素材{j + 1:02d}_{rng.choice(OCEAN_STYLES)}"
                elif c.platform == "tencent_ads":
                    ad_id, name = ids.next("tencent_creative"), f"创意{j + 1:02d}"
                elif c.platform == "baidu":
                    ad_id, name = ids.next("baidu_keyword"), keywords[g * n_ads + j]
                else:
                    ad_id, name = ids.next("meta_ad"), f"{META_ADS[(g + j) % len(META_ADS)]}_{j + 1:02d}"
                ad = Ad(
                    platform=pi,
                    campaign=ci,
                    account=c.account or "",
                    group_id=group_id,
                    group_name=group_names[g],
                    ad_id=ad_id,
                    ad_name=name,
                    utm_source="instagram" if c.platform == "meta" and g == 1 else c.utm_source,
                    ctr=float(rng.uniform(*p.ctr)),
                    cpc=float(rng.uniform(*p.cpc)),
                    weight=float(rng.lognormal(0.0, 0.6)),
                )
                if c.platform == "baidu":
                    ad.match = str(rng.choice(BAIDU_MATCH, p=[0.3, 0.45, 0.25]))
                    if c.deleted:
                        ad.deleted_day = c.last
                    elif rng.random() < 0.12:
                        ad.deleted_day = int(rng.integers(max(c.first, 0) + 2, days + 30))
                ads.append(ad)
    stage_creative_test(ads, campaigns)
    return ads


def stage_creative_test(ads: list[Ad], campaigns: list[Campaign]) -> None:
    """Turn the first ads of the creative-test campaign into its variants (no random draws: streams stay).

    Each variant's traffic weight follows its CTR, so all variants get about the same impressions and the
    better creative earns its extra clicks.
    """
    ci = next((i for i, c in enumerate(campaigns) if c.utm_campaign == CREATIVE_CAMPAIGN), None)
    candidates = [a for a in ads if a.campaign == ci]
    if len(candidates) < len(CREATIVE_VARIANTS):
        return
    base_ctr = min(candidates[0].ctr, 0.03)  # B's CTR stays under deliver()'s 5 % cap
    for ad, (variant, _, ctr_lift, cvr_lift) in zip(candidates, CREATIVE_VARIANTS, strict=False):
        ad.variant, ad.cvr_lift = variant, cvr_lift
        ad.ctr = base_ctr * ctr_lift
        ad.weight = CREATIVE_WEIGHT * ctr_lift


def ad_active(ads: list[Ad], campaigns: list[Campaign], days: int) -> np.ndarray:
    """(ads × days) bool: the ad delivers that (platform) day."""
    out = np.zeros((len(ads), days), dtype=bool)
    idx = np.arange(days)
    for i, ad in enumerate(ads):
        out[i] = campaigns[ad.campaign].active(days)
        if ad.deleted_day is not None:
            out[i] &= idx <= ad.deleted_day
    return out


def deliver(rng: np.random.Generator, ads: list[Ad], active: np.ndarray, expected_visits: np.ndarray) -> dict:
    """Impressions, clicks, spend and landed visits per ad and day from the visits the ad should bring."""
    land = np.array([PLATFORMS[a.platform].land_rate for a in ads])[:, None]
    ctr0 = np.array([a.ctr for a in ads])[:, None]
    cpc0 = np.array([a.cpc for a in ads])[:, None]
    shape = active.shape
    exp_clicks = expected_visits / land * rng.lognormal(0.0, 0.2, size=shape)
    clicks = rng.poisson(exp_clicks) * active
    visits = rng.binomial(clicks, np.broadcast_to(land, shape))
    ctr = np.clip(ctr0 * rng.lognormal(0.0, 0.12, size=shape), 0.005, 0.05)
    impressions = np.maximum(rng.poisson(np.maximum(exp_clicks, 0.3) / ctr), clicks + 1) * active
    spend = clicks * cpc0 * rng.lognormal(0.0, 0.1, size=shape)
    spend = np.round(spend, 2) * active  # cents of the account currency (Tencent exports it as fen)
    return {"clicks": clicks, "impressions": impressions, "spend": spend, "visits": visits}


def claimed_conversions(rng, ads: list[Ad], active, true_count, true_value, clicks) -> tuple:
    """Platform-reported conversions and value: real last-touch orders plus the platform's over-claim."""
    over = np.array([PLATFORMS[a.platform].overclaim for a in ads])[:, None]
    extra = rng.poisson(true_count * over + clicks * 0.002)
    count = (true_count + extra) * active
    typical = np.array([21.0 if PLATFORMS[a.platform].currency == "USD" else 150.0 for a in ads])[:, None]
    # value per order in the account currency; a typical basket where the platform invents conversions
    avg = np.where(true_count > 0, true_value / np.maximum(true_count, 1), typical)
    value = np.round((true_value + extra * avg) * rng.lognormal(0.0, 0.05, size=active.shape), 2) * active
    return count, value
