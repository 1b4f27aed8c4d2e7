"""The demo's file export (tools/demo output under landing/) reshaped as each platform's API rows.

{platform: {(account, day): [row, ...]}}, rows in the API's own shape: Ocean Engine {dimensions, metrics} with
string values; Tencent's records as the report returns them (money in fen); Baidu's rows with numbers; Meta's
insights rows with every scalar a string and without the time zone the exporter adds (the account endpoint
serves it); Xiaohongshu 聚光's creative rows as the export has them (numbers as strings, ctr as "x.xx%") without
the advertiser_id the exporter adds (the request names the advertiser).
"""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from pathlib import Path

Rows = dict[tuple[str, str], list[dict]]


def _csv_rows(path: Path) -> list[dict]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def _plain(text: str) -> str:
    """A UI export's number as an API sends it: no thousands separators."""
    return text.replace(",", "")


def _number(text: str):
    text = _plain(text)
    if text.isdigit() and not (len(text) > 1 and text.startswith("0")):
        return int(text)
    try:
        return float(text)
    except ValueError:
        return text


def _files(landing: Path, source: str, glob: str):
    for path in sorted((landing / source).glob(f"*/{glob}")):
        yield path.parent.name, path


def ocean_engine(landing: Path) -> Rows:
    out: Rows = defaultdict(list)
    for day, path in _files(landing, "ocean_engine_ad_stats", "demo_*.csv"):
        for r in _csv_rows(path):
            out[(r["账户ID"], day)].append(
                {
                    "dimensions": {
                        "stat_time_day": r["日期"],
                        "cdp_project_id": r["项目ID"],
                        "cdp_project_name": r["项目名称"],
                        "cdp_promotion_id": r["广告ID"],
                        "cdp_promotion_name": r["广告名称"],
                    },
                    "metrics": {
                        "show_cnt": _plain(r["展示数"]),
                        "click_cnt": _plain(r["点击数"]),
                        "ctr": _plain(r["点击率(%)"]),
                        "stat_cost": _plain(r["消耗(元)"]),
                        "convert_cnt": _plain(r["转化数"]),
                        "attribution_convert_amount": _plain(r["转化金额(元)"]),
                    },
                }
            )
    return out


def tencent_ads(landing: Path) -> Rows:
    out: Rows = defaultdict(list)
    for day, path in _files(landing, "tencent_ads_daily_reports", "demo_*.json"):
        for rec in json.loads(path.read_text())["data"]["list"]:
            out[(str(rec["account_id"]), day)].append(rec)
    return out


def baidu(landing: Path) -> Rows:
    out: Rows = defaultdict(list)
    names = {
        "日期": "date",
        "账户名": "userName",
        "计划ID": "campaignId",
        "计划名": "campaignNameStatus",
        "单元ID": "adGroupId",
        "单元名": "adGroupNameStatus",
        "关键词ID": "wInfoId",
        "关键词": "wInfoNameStatus",
        "匹配模式": "mixWmatchEnum",
        "展现": "impression",
        "点击": "click",
        "消费": "cost",
        "转化": "conversion",
    }
    text = {"date", "userName", "campaignNameStatus", "adGroupNameStatus", "wInfoNameStatus", "mixWmatchEnum"}
    for day, path in _files(landing, "baidu_keyword_stats", "demo_*.csv"):
        for r in _csv_rows(path):
            row = {api: (r[label] if api in text else _number(r[label])) for label, api in names.items()}
            out[(r["账户名"], day)].append(row)
    return out


def meta(landing: Path) -> tuple[Rows, dict[str, dict]]:
    """(rows, {account: {timezone_name, currency}})."""
    out: Rows = defaultdict(list)
    accounts: dict[str, dict] = {}
    for day, path in _files(landing, "meta_ads_insights", "demo_*.json"):
        for rec in json.loads(path.read_text())["data"]:
            rec = dict(rec)
            accounts[rec["account_id"]] = {
                "timezone_name": rec.pop("account_timezone"),
                "currency": rec["account_currency"],
            }
            out[(rec["account_id"], day)].append(rec)
    return out, accounts


def xiaohongshu(landing: Path) -> Rows:
    out: Rows = defaultdict(list)
    for day, path in _files(landing, "xiaohongshu_ads_reports", "demo_*.json"):
        for rec in json.loads(path.read_text())["data"]["data_list"]:
            rec = dict(rec)
            out[(rec.pop("advertiser_id"), day)].append(rec)
    return out


def google_ads(landing: Path) -> Rows:
    """googleAds:search rows as the file export holds them (it is the REST response), by customer and day."""
    out: Rows = defaultdict(list)
    for day, path in _files(landing, "google_ads_ad_stats", "demo_*.json"):
        for rec in json.loads(path.read_text()).get("results", []):
            out[(rec["customer"]["id"], day)].append(rec)
    return out


def wechat(landing: Path, app_id: str) -> Rows:
    """getarticlesummary rows as the file export holds them (it is the datacube's answer), by app and day."""
    out: Rows = defaultdict(list)
    for day, path in _files(landing, "wechat_article_summary", "demo_*.json"):
        out[(app_id, day)].extend(json.loads(path.read_text()).get("list", []))
    return out
