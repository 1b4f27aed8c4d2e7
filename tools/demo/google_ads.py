"""Google Ads in the demo: its customers, campaigns, ads and daily delivery, drawn from a child random stream.

Everything here comes from `np.random.default_rng([seed, GOOGLE_STREAM])` and is appended after the rest of the
world was simulated (its campaigns are the last rows of the registry), so the other sources' files are byte for
byte what they were before Google Ads existed. The tracker does not simulate Google Ads visits: its campaigns
carry spend, impressions, clicks and the platform's own (fractional) conversions, and no last-touch revenue in
the demo's ROI.

The export is the googleAds:search response (REST JSON: nested camelCase objects, int64 as strings), one file per
customer and day, in the customer's currency and calendar day.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from tools.demo.calendar import Calendar
from tools.demo.campaigns import Campaign

GOOGLE_STREAM = 4201  # np.random.default_rng([seed, 4201]): the main stream stays as it was
PLATFORM, CHANNEL, UTM = "google_ads", "google_ads", ("google", "cpc")
# customer id, currency, time zone, CPC range in that currency
CUSTOMERS = (
    ("4410286512", "USD", "America/Los_Angeles", (0.8, 2.0)),
    ("7302915584", "HKD", "Asia/Hong_Kong", (6.0, 15.0)),
)
CAMPAIGNS = (  # name, utm slug, customer index, first day (None = before the window), traffic boost
    ("GM_Search_Brand", "search_brand", 0, None, 1.0),
    ("GM_Search_Generic", "search_generic", 0, None, 0.8),
    ("GM_PMax_HK", "pmax_hk", 1, None, 1.0),
    ("GM_YouTube_Launch", "yt_launch", 0, 5, 1.3),
)
AD_GROUPS = ("Core_Terms", "Long_Tail", "Remarketing", "Lookalike")
ADS = ("RSA_Benefits", "RSA_Coupon", "RSA_Brand", "Responsive_Display")
FIELD_MASK = ",".join(
    (
        "customer.id",
        "customer.currencyCode",
        "customer.timeZone",
        "campaign.id",
        "campaign.name",
        "adGroup.id",
        "adGroup.name",
        "adGroupAd.ad.id",
        "adGroupAd.ad.name",
        "segments.date",
        "metrics.impressions",
        "metrics.clicks",
        "metrics.costMicros",
        "metrics.conversions",
        "metrics.conversionsValue",
    )
)


@dataclass(frozen=True)
class GoogleAd:
    campaign: int  # index into the world's campaign list
    customer: int  # index into CUSTOMERS
    group_id: str
    group_name: str
    ad_id: str
    ad_name: str


@dataclass
class GoogleAds:
    ads: list[GoogleAd]
    impressions: np.ndarray  # (ads × days)
    clicks: np.ndarray
    cost_micros: np.ndarray  # int64 micros of the customer's currency
    conversions: np.ndarray  # fractional, 2 decimals
    conversions_value: np.ndarray  # customer currency, 2 decimals


def _id(rng, low: int, high: int) -> str:
    return str(int(rng.integers(low, high)))


def add_google_ads(seed: int, cal: Calendar, campaigns: list[Campaign], users: int) -> GoogleAds:
    """Append the Google campaigns to `campaigns` (registry order: after every other campaign) and simulate
    their ads' delivery, all from the Google child stream."""
    rng = np.random.default_rng([seed, GOOGLE_STREAM])
    days = cal.days
    ads: list[GoogleAd] = []
    ctr, cpc, weight = [], [], []
    for name, slug, customer, first, boost in CAMPAIGNS:
        cid, currency, _tz, cpc_range = CUSTOMERS[customer]
        c = Campaign(
            campaign_id=f"cmp_{len(campaigns) + 1:03d}",
            name=name,
            type="paid_ads",
            channel=CHANNEL,
            utm_source=UTM[0],
            utm_medium=UTM[1],
            utm_campaign=f"gg_{slug}",
            first=-30 if first is None else min(first, days - 1),
            last=None,
            platform=PLATFORM,
            platform_campaign_id=_id(rng, 20_000_000_000, 23_000_000_000),
            account=cid,
            currency=currency,
            boost=boost,
        )
        campaigns.append(c)
        for g in range(2):
            group_id = _id(rng, 150_000_000_000, 160_000_000_000)
            group_name = AD_GROUPS[(len(ads) + g) % len(AD_GROUPS)]
            for j in range(int(rng.integers(2, 4))):
                ads.append(
                    GoogleAd(
                        len(campaigns) - 1,
                        customer,
                        group_id,
                        group_name,
                        _id(rng, 690_000_000_000, 700_000_000_000),
                        f"{ADS[(g + j) % len(ADS)]}_{j + 1:02d}",
                    )
                )
                ctr.append(float(rng.uniform(0.02, 0.07)))
                cpc.append(float(rng.uniform(*cpc_range)))
                weight.append(float(rng.lognormal(0.0, 0.5)) * boost)
    shape = (len(ads), days)
    active = np.array([campaigns[a.campaign].active(days) for a in ads]).reshape(shape)
    daily_clicks = 0.4 * users / days  # a small channel next to the ones the tracker simulates
    exp = daily_clicks * np.array(weight)[:, None] / max(sum(weight) / len(CAMPAIGNS), 1e-9) / 3
    clicks = rng.poisson(exp * rng.lognormal(0.0, 0.25, shape)) * active
    impressions = np.maximum(rng.poisson(np.maximum(exp, 0.3) / np.array(ctr)[:, None]), clicks + 1) * active
    cost = np.round(clicks * np.array(cpc)[:, None] * rng.lognormal(0.0, 0.1, shape), 2)
    # whole conversions, shared out fractionally by data-driven attribution
    conversions = np.round(rng.poisson(clicks * 0.06) * rng.uniform(0.7, 1.3, shape), 2) * active
    value = np.round(conversions * rng.lognormal(np.log(25.0), 0.3, shape), 2) * active
    for i, c in enumerate(campaigns):
        if c.platform != PLATFORM:
            continue
        mine = [k for k, a in enumerate(ads) if a.campaign == i]
        live = max(int(c.active(days).sum()), 1)
        planned = float(cost[mine].sum()) * float(rng.uniform(1.1, 1.5))
        c.daily_budget = max(100.0, math.ceil(planned / live / 100) * 100)
    micros = (np.round(cost * 100).astype(np.int64) * 10_000) * active
    return GoogleAds(ads, impressions, clicks, micros, conversions, value)


def _amount(x: float) -> float | int:
    """A double as the REST API prints it (3.0 → 3.0, 2.25 → 2.25)."""
    return float(f"{x:.2f}")


def google_ads(w) -> Iterator:
    """googleAds:search responses, one per customer and day (customer's currency and calendar day)."""
    g: GoogleAds | None = getattr(w, "google", None)
    if g is None:
        return
    for d, date in enumerate(w.cal.date_strs):
        for k, (cid, currency, tz, _) in enumerate(CUSTOMERS):
            results = []
            for i, ad in enumerate(g.ads):
                if ad.customer != k or not w.campaigns[ad.campaign].active(w.cal.days)[d]:
                    continue
                c = w.campaigns[ad.campaign]
                results.append(
                    {
                        "customer": {
                            "resourceName": f"customers/{cid}",
                            "id": cid,
                            "currencyCode": currency,
                            "timeZone": tz,
                        },
                        "campaign": {
                            "resourceName": f"customers/{cid}/campaigns/{c.platform_campaign_id}",
                            "id": c.platform_campaign_id,
                            "name": c.name,
                        },
                        "adGroup": {
                            "resourceName": f"customers/{cid}/adGroups/{ad.group_id}",
                            "id": ad.group_id,
                            "name": ad.group_name,
                        },
                        "adGroupAd": {
                            "resourceName": f"customers/{cid}/adGroupAds/{ad.group_id}~{ad.ad_id}",
                            "ad": {
                                "resourceName": f"customers/{cid}/ads/{ad.ad_id}",
                                "id": ad.ad_id,
                                "name": ad.ad_name,
                            },
                        },
                        "metrics": {
                            "clicks": str(int(g.clicks[i, d])),
                            "conversions": _amount(g.conversions[i, d]),
                            "conversionsValue": _amount(g.conversions_value[i, d]),
                            "costMicros": str(int(g.cost_micros[i, d])),
                            "impressions": str(int(g.impressions[i, d])),
                        },
                        "segments": {"date": date},
                    }
                )
            doc = {"results": results, "fieldMask": FIELD_MASK}
            yield d, f"demo_google_ads_{cid}_{date}.json", "json_results", doc
