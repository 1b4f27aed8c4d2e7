"""Per-day landing files of every source, shaped like the platforms' real exports.

Each builder yields (day index, file name, format, payload): rows (tuples in contract column order) for
csv, a JSON document for json, and JSON lines for jsonl. Values are already formatted, so the bytes only
depend on the parameters. The ad platforms' builders live in ad_exports.py.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator

import numpy as np

from tools.demo.ad_exports import baidu_keywords, meta_ads, ocean_engine, tencent_ads, xiaohongshu_ads
from tools.demo.calendar import iso_utc
from tools.demo.campaigns import build_activities
from tools.demo.competitors import app_store_ranks, competitor_creatives, competitor_prices
from tools.demo.experiments import registry_rows
from tools.demo.google_ads import google_ads
from tools.demo.mentions import brand_mentions
from tools.demo.people import EVENT_NAMES
from tools.demo.profiles import DEVICES
from tools.demo.wechat import article_summary, platform_item_id
from tools.demo.world import hex_ids


def content_items(w) -> Iterator:
    by_day = _group(((it.day, it) for it in w.items), w.cal.days)
    for d, date in enumerate(w.cal.date_strs):
        rows = [
            (
                it.content_id,
                it.channel,
                it.content_type,
                it.title,
                it.author,
                w.campaigns[it.campaign].utm_campaign,
                iso_utc([it.published_at])[0],
                None if it.duration is None else str(it.duration),
                it.topic,
                platform_item_id(it),
            )
            for it in by_day[d]
        ]
        yield d, f"demo_content_items_{date}.csv", "csv", rows


def content_daily_stats(w) -> Iterator:
    by_day = _group(((r[0], r) for r in w.content_stats), w.cal.days)
    for d, date in enumerate(w.cal.date_strs):
        rows = [(date, *(None if v is None else str(v) for v in r[1:])) for r in by_day[d]]
        yield d, f"demo_content_daily_stats_{date}.csv", "csv", rows


def app_events(w) -> Iterator:
    e, utm = w.people["events"], w.traffic.sources.utm
    anon_ids, user_ids = w.people["anon_ids"], w.people["users"]["user_id"]
    bounds = np.searchsorted(e["receive_day"], np.arange(w.cal.days + 1))
    for d, date in enumerate(w.cal.date_strs):
        a, b = bounds[d], bounds[d + 1]
        at, event_ids = iso_utc(e["t"][a:b]), hex_ids(e["event_key"][a:b])
        lines = []
        for k, i in enumerate(range(a, b)):
            u, src = int(e["user"][i]), int(e["source"][i])
            us = utm[src] if src >= 0 else (None, None, None, None)
            rec = {
                "event_id": event_ids[k],
                "event_name": EVENT_NAMES[e["code"][i]],
                "event_at": at[k],
                "anonymous_id": anon_ids[e["anon"][i]],
                "user_id": user_ids[u] if u >= 0 else None,
                "platform": DEVICES[e["device"][i]],
                "utm_source": us[0],
                "utm_medium": us[1],
                "utm_campaign": us[2],
                "utm_content": us[3],
            }
            lines.append(json.dumps(rec, ensure_ascii=False, separators=(",", ":")))
        yield d, f"demo_app_events_{date}.jsonl", "jsonl", lines


def app_users(w) -> Iterator:
    u = w.people["users"]
    day = w.cal.bj_day(u["signup_t"])
    at = iso_utc(u["signup_t"])
    by_day = _group(((int(day[i]), i) for i in range(len(day))), w.cal.days)
    for d, date in enumerate(w.cal.date_strs):
        rows = [
            (
                u["user_id"][i],
                u["anonymous_id"][i],
                at[i],
                u["region"][i],
                u["city"][i],
                DEVICES[u["device"][i]],
            )
            for i in by_day[d]
        ]
        yield d, f"demo_app_users_{date}.csv", "csv", rows


def app_orders(w) -> Iterator:
    rows = sorted(((int(d), r[3], r[0], r) for d, r in w.people["orders"]["rows"]), key=lambda x: x[:3])
    by_day = _group(((d, r) for d, _, _, r in rows), w.cal.days)
    for d, date in enumerate(w.cal.date_strs):
        yield d, f"demo_app_orders_{date}.csv", "csv", by_day[d]


def campaigns(w) -> Iterator:
    for d, date in enumerate(w.cal.date_strs):
        rows = []
        for c in w.campaigns:
            if c.first > d:
                continue
            start = (w.cal.start + dt.timedelta(days=c.first)).isoformat()
            end = None if c.last is None else (w.cal.start + dt.timedelta(days=c.last)).isoformat()
            rows.append(
                (
                    c.campaign_id,
                    c.name,
                    c.type,
                    c.channel,
                    c.platform,
                    c.platform_campaign_id,
                    c.utm_campaign,
                    f"{c.budget_on(d):.2f}",
                    c.currency,
                    start,
                    end,
                )
            )
        yield d, f"demo_campaigns_{date}.csv", "csv", rows


def activities(w) -> Iterator:
    """The activity registry: a full snapshot every day, listing each activity from its campaign's start."""
    acts = build_activities(w.cal, w.campaigns)

    def date(d: int | None) -> str | None:
        return None if d is None else (w.cal.start + dt.timedelta(days=d)).isoformat()

    for d, day in enumerate(w.cal.date_strs):
        rows = [
            (
                a.activity_id,
                a.name,
                a.type,
                w.campaigns[a.campaign].campaign_id,
                date(a.warmup),
                date(a.peak),
                date(a.wrapup),
                date(a.end),
                a.coupon,
                None if a.baseline_days is None else str(a.baseline_days),
            )
            for a in acts
            if a.listed <= d
        ]
        yield d, f"demo_activities_{day}.csv", "csv", rows


def experiments(w) -> Iterator:
    """The A/B-test registry snapshot: every test from its first day on (tools/demo/experiments.py)."""
    rows = registry_rows(w.cal.start, w.cal.days, w.ads)
    for d, date in enumerate(w.cal.date_strs):
        # r[9] is start_date: a test is in the registry from its first day on
        yield d, f"demo_experiments_{date}.csv", "csv", [r for r in rows if r[9] <= date]


def non_ad_costs(w) -> Iterator:
    by_day = _group(w.cost_rows, w.cal.days)
    for d, date in enumerate(w.cal.date_strs):
        yield d, f"demo_non_ad_costs_{date}.csv", "csv", by_day[d]


def fx_rates(w) -> Iterator:
    for d, date in enumerate(w.cal.date_strs):
        rows = [(date, cur, f"{w.fx[cur][d]:.4f}") for cur in ("CNY", "HKD", "USD")]
        yield d, f"demo_fx_rates_{date}.csv", "csv", rows


def _group(pairs, days: int) -> list[list]:
    out: list[list] = [[] for _ in range(days)]
    for d, x in pairs:
        if 0 <= d < days:
            out[d].append(x)
    return out


BUILDERS = {
    "ocean_engine_ad_stats": ocean_engine,
    "tencent_ads_daily_reports": tencent_ads,
    "baidu_keyword_stats": baidu_keywords,
    "meta_ads_insights": meta_ads,
    "xiaohongshu_ads_reports": xiaohongshu_ads,
    "content_items": content_items,
    "content_daily_stats": content_daily_stats,
    "app_events": app_events,
    "app_users": app_users,
    "app_orders": app_orders,
    "campaigns": campaigns,
    "activities": activities,
    "non_ad_costs": non_ad_costs,
    "fx_rates": fx_rates,
    "experiments": experiments,
    "google_ads_ad_stats": google_ads,
    "wechat_article_summary": article_summary,
    "brand_mentions": brand_mentions,
    "competitor_prices": competitor_prices,
    "competitor_creatives": competitor_creatives,
    "app_store_ranks": app_store_ranks,
}
