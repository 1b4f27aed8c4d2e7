"""Daily ad-platform exports (Ocean Engine, Tencent Ads, Baidu, Meta, Xiaohongshu 聚光), shaped like the real ones.

Builders yield (day index, file name, format, payload) like every builder in exports.py.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator

from tools.demo.ads import DELETED
from tools.demo.profiles import PLATFORMS

META_TIMEZONE = "America/Los_Angeles"


def _ui_int(n: int) -> str:
    return f"{n:,}" if n > 999 else str(n)


def _ui_money(x: float) -> str:
    return f"{x:,.2f}" if x > 999 else f"{x:.2f}"


def _platform_ads(w, platform: str, d: int) -> list[int]:
    return [i for i in w.platform_ads[platform] if w.active[i, d]]


def ocean_engine(w) -> Iterator:
    s, conv, value = w.ad_stats, w.conv_count, w.conv_value
    for d, date in enumerate(w.cal.date_strs):
        rows = []
        for i in _platform_ads(w, "ocean_engine", d):
            ad, c = w.ads[i], w.campaigns[w.ads[i].campaign]
            imp, clk = int(s["impressions"][i, d]), int(s["clicks"][i, d])
            rows.append(
                (
                    date,
                    ad.account,
                    c.platform_campaign_id,
                    c.name,
                    ad.ad_id,
                    ad.ad_name,
                    _ui_int(imp),
                    _ui_int(clk),
                    f"{100 * clk / imp:.2f}",
                    _ui_money(s["spend"][i, d]),
                    _ui_int(int(conv[i, d])),
                    _ui_money(value[i, d]),
                )
            )
        yield d, f"demo_ocean_engine_{date}.csv", "csv_ui_bom", rows


def tencent_ads(w) -> Iterator:
    s, conv, value = w.ad_stats, w.conv_count, w.conv_value
    accounts = sorted({w.ads[i].account for i in w.platform_ads["tencent_ads"]})
    for d, date in enumerate(w.cal.date_strs):
        for acc in accounts:
            recs = []
            for i in _platform_ads(w, "tencent_ads", d):
                ad, c = w.ads[i], w.campaigns[w.ads[i].campaign]
                if ad.account != acc:
                    continue
                recs.append(
                    {
                        "date": date,
                        "account_id": int(acc),
                        "campaign_id": int(c.platform_campaign_id),
                        "campaign_name": c.name,
                        "adgroup_id": int(ad.group_id),
                        "adgroup_name": ad.group_name,
                        "dynamic_creative_id": int(ad.ad_id),
                        "view_count": int(s["impressions"][i, d]),
                        "valid_click_count": int(s["clicks"][i, d]),
                        "cost": int(round(s["spend"][i, d] * 100)),
                        "conversions_count": int(conv[i, d]),
                        "order_amount": int(round(value[i, d] * 100)),
                    }
                )
            n = len(recs)
            page = {"page": 1, "page_size": n, "total_number": n, "total_page": 1 if n else 0}
            doc = {"code": 0, "message": "", "message_cn": "", "data": {"list": recs, "page_info": page}}
            yield d, f"demo_tencent_ads_{acc}_{date}.json", "json", doc


def baidu_keywords(w) -> Iterator:
    s, conv = w.ad_stats, w.conv_count
    for d, date in enumerate(w.cal.date_strs):
        rows = []
        for i in _platform_ads(w, "baidu", d):
            ad, c = w.ads[i], w.campaigns[w.ads[i].campaign]
            cname = c.name + (DELETED if c.deleted and c.last == d else "")
            kw = ad.ad_name + (DELETED if ad.deleted_day == d else "")
            rows.append(
                (
                    date,
                    ad.account,
                    c.platform_campaign_id,
                    cname,
                    ad.group_id,
                    ad.group_name,
                    ad.ad_id,
                    kw,
                    ad.match,
                    str(int(s["impressions"][i, d])),
                    str(int(s["clicks"][i, d])),
                    f"{s['spend'][i, d]:.2f}",
                    str(int(conv[i, d])),
                )
            )
        yield d, f"demo_baidu_keywords_{date}.csv", "csv_ui", rows


def meta_ads(w) -> Iterator:
    s, conv, value = w.ad_stats, w.conv_count, w.conv_value
    accounts = sorted({w.ads[i].account for i in w.platform_ads["meta"]})
    for d, date in enumerate(w.cal.date_strs):
        for acc in accounts:
            recs = []
            for i in _platform_ads(w, "meta", d):
                ad, c = w.ads[i], w.campaigns[w.ads[i].campaign]
                if ad.account != acc:
                    continue
                actions = [
                    ("link_click", int(w.meta_link_clicks[i, d])),
                    ("landing_page_view", int(s["visits"][i, d])),
                    ("offsite_conversion.fb_pixel_purchase", int(conv[i, d])),
                ]
                recs.append(
                    {
                        "account_id": acc,
                        "account_currency": PLATFORMS[ad.platform].currency,
                        "account_timezone": META_TIMEZONE,
                        "campaign_id": c.platform_campaign_id,
                        "campaign_name": c.name,
                        "adset_id": ad.group_id,
                        "adset_name": ad.group_name,
                        "ad_id": ad.ad_id,
                        "ad_name": ad.ad_name,
                        "date_start": date,
                        "date_stop": date,
                        "impressions": str(int(s["impressions"][i, d])),
                        "clicks": str(int(s["clicks"][i, d])),
                        "spend": f"{s['spend'][i, d]:.2f}",
                        # Meta leaves zero-valued action types out of the lists.
                        "actions": [{"action_type": k, "value": str(v)} for k, v in actions if v],
                        "action_values": [
                            {
                                "action_type": "offsite_conversion.fb_pixel_purchase",
                                "value": f"{value[i, d]:.2f}",
                            }
                        ]
                        if conv[i, d]
                        else [],
                    }
                )
            ends = [r["ad_id"] for r in recs[:1] + recs[-1:]] or ["", ""]
            cursors = {
                k: base64.b64encode(v.encode()).decode()
                for k, v in zip(("before", "after"), ends, strict=True)
            }
            yield (
                d,
                f"demo_meta_ads_{acc}_{date}.json",
                "json",
                {"data": recs, "paging": {"cursors": cursors}},
            )


def _xhs_count(n: int) -> str:
    """Xiaohongshu sends numbers as strings, counts with thousands separators."""
    return f"{n:,}"


def xiaohongshu_ads(w) -> Iterator:
    """The 聚光 creative report as its API page, one file per advertiser and day (the exporter adds advertiser_id
    to each row: the API's rows do not repeat the advertiser the request named)."""
    x = w.xiaohongshu
    s = x.stats
    accounts = sorted({a.account for a in x.ads})
    for d, date in enumerate(w.cal.date_strs):
        for acc in accounts:
            recs = []
            for i, ad in enumerate(x.ads):
                if ad.account != acc or not x.active[i, d]:
                    continue
                c = w.campaigns[ad.campaign]
                imp, clk = int(s["impression"][i, d]), int(s["click"][i, d])
                recs.append(
                    {
                        "advertiser_id": acc,
                        "time": date,
                        "campaign_id": c.platform_campaign_id,
                        "campaign_name": c.name,
                        "unit_id": ad.unit_id,
                        "unit_name": ad.unit_name,
                        "creativity_id": ad.creativity_id,
                        "fee": f"{s['fee'][i, d]:.2f}",
                        "impression": _xhs_count(imp),
                        "click": _xhs_count(clk),
                        "ctr": f"{100 * clk / imp:.2f}%",
                        **{k: _xhs_count(int(s[k][i, d])) for k in XHS_COUNTS},
                        "rgmv": f"{s['rgmv'][i, d]:.2f}",
                    }
                )
            doc = {
                "code": 0,
                "msg": "成功",
                "success": True,
                "data": {"data_list": recs, "total_count": len(recs)},
            }
            yield d, f"demo_xiaohongshu_ads_{acc}_{date}.json", "json", doc


XHS_COUNTS = ("like", "comment", "collect", "share", "follow", "leads", "goods_order")
