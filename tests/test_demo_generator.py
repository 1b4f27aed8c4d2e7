"""The demo source writes landing files that honour every contract and tell one consistent story."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import re
from collections import Counter, defaultdict
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from growthmart.contracts import CONTRACTS, NULL_TOKENS, SourceContract, get_contract
from growthmart.ingest import load_partition
from growthmart.sources.docs import render_sources_md
from tools.demo.generator import DemoParams, generate

ROOT = Path(__file__).resolve().parents[1]
SMALL = DemoParams(start=dt.date(2026, 5, 1), days=21, users=300, seed=7)


@pytest.fixture(scope="module")
def landing(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("demo") / "landing"
    generate(root, SMALL)
    return root


def tree_hash(root: Path) -> str:
    h = hashlib.sha256()
    for p in sorted(root.rglob("*")):
        if p.is_file():
            h.update(str(p.relative_to(root)).encode() + b"\0" + p.read_bytes())
    return h.hexdigest()


def files(root: Path, source: str) -> list[Path]:
    return sorted((root / source).glob("*/*"))


def records(contract: SourceContract, path: Path) -> tuple[list[str], list[dict]]:
    """(field names in file order, records as {name: raw value}) of one landing file."""
    if contract.format == "csv":
        with path.open(encoding="utf-8-sig", newline="") as fh:
            reader = csv.reader(fh)
            header = next(reader)
            return header, [dict(zip(header, row, strict=True)) for row in reader]
    if contract.format == "jsonl":
        recs = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    else:
        doc = json.loads(path.read_text(encoding="utf-8"))
        recs = doc
        for step in (contract.records_path or "$").split(".")[1:]:  # "$.data.list" → data, list
            recs = recs[step]
        if any(c.json_path for c in contract.columns):  # nested rows (Google Ads): columns at their json_path
            return contract.column_names, [_flat(contract, r) for r in recs]
    return list(recs[0]), recs


def _flat(contract: SourceContract, rec: dict) -> dict:
    """A nested record as {column: value} through each column's json_path ('$.metrics.costMicros')."""
    out = {}
    for c in contract.columns:
        node = rec
        for step in (c.json_path or f"$.{c.name}")[2:].split("."):
            node = node.get(step) if isinstance(node, dict) else None
        out[c.name] = node
    return out


def parses(value, type_: str) -> bool:
    """The loader's typing rules (see the comment at the top of contracts.py), for one non-null value."""
    v = value if isinstance(value, str) else json.dumps(value)
    if type_ == "int":
        return re.fullmatch(r"[+-]?[0-9]+", v.replace(",", "")) is not None
    if type_ == "decimal":
        Decimal(v.replace(",", ""))
    elif type_ == "double":
        float(v)
    elif type_ == "date":
        dt.date.fromisoformat(v)
    elif type_ == "timestamp":
        assert v.endswith("Z"), v  # the demo writes UTC instants with an explicit Z
        dt.datetime.fromisoformat(v)
    elif type_ == "json":
        json.loads(v)
    return True


def table(root: Path, source: str) -> list[dict]:
    contract = get_contract(source)
    out = []
    for path in files(root, source):
        for rec in records(contract, path)[1]:
            out.append({**rec, "_day": path.parent.name})
    return out


def test_same_parameters_write_byte_identical_files(landing, tmp_path):
    generate(tmp_path / "again", SMALL)
    generate(
        tmp_path / "other_seed", DemoParams(start=SMALL.start, days=SMALL.days, users=SMALL.users, seed=8)
    )
    assert tree_hash(tmp_path / "again") == tree_hash(landing)
    assert tree_hash(tmp_path / "other_seed") != tree_hash(landing)


def test_regenerating_replaces_only_demo_files(tmp_path):
    params = DemoParams(start=SMALL.start, days=5, users=60, seed=1)
    root = tmp_path / "landing"
    generate(root, params)
    fresh = tree_hash(root)
    day = root / "app_orders" / "2026-05-02"
    (day / "real_export.csv").write_text("order_id\n", encoding="utf-8")
    (day / "demo_stale.csv").write_text("stale\n", encoding="utf-8")
    generate(root, params)
    assert (day / "real_export.csv").read_text(encoding="utf-8") == "order_id\n"
    assert not (day / "demo_stale.csv").exists()
    (day / "real_export.csv").unlink()
    assert tree_hash(root) == fresh


def test_every_file_has_exactly_its_contract_columns_and_values_that_parse(landing):
    for contract in CONTRACTS:
        paths = files(landing, contract.name)
        assert paths, contract.name
        for path in paths:
            assert path.match(contract.file_glob) and path.name.startswith("demo_")
            dt.date.fromisoformat(path.parent.name)
            names, recs = records(contract, path)
            assert names == contract.column_names, path
            for i, rec in enumerate(recs):
                assert list(rec) == contract.column_names, (path, i)
                for col in contract.columns:
                    value = rec[col.name]
                    if value is None or (isinstance(value, str) and value.strip() in NULL_TOKENS):
                        assert not col.required, (path, i, col.name)
                    else:
                        assert parses(value, col.type), (path, i, col.name, value)


def test_the_loader_accepts_the_demo_files_without_quarantine(landing, tmp_path):
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    for contract in CONTRACTS:
        for day in ("2026-05-01", "2026-05-11", "2026-05-21"):
            part = load_partition(con, contract, landing, day)
            assert part.rows_quarantined == 0, (contract.name, day, part.quarantine_reasons)
    con.close()


def test_exports_look_like_the_platforms(landing, tmp_path):
    ocean = files(landing, "ocean_engine_ad_stats")
    assert all(p.read_bytes().startswith(b"\xef\xbb\xbf") for p in ocean)
    assert any(re.search(rb'"\d{1,3}(,\d{3})+(\.\d\d)?"', p.read_bytes()) for p in ocean)
    baidu = table(landing, "baidu_keyword_stats")
    assert any(r["关键词"].endswith("[已删除]") for r in baidu)
    assert any(r["计划名"].endswith("[已删除]") for r in baidu)
    meta = table(landing, "meta_ads_insights")
    for r in meta:
        assert all(isinstance(r[k], str) for k in r if k not in ("actions", "action_values", "_day"))
        assert r["account_currency"] == "USD" and r["account_timezone"] == "America/Los_Angeles"
    types = {a["action_type"] for r in meta for a in r["actions"]}
    assert {"link_click", "landing_page_view"} <= types
    # Meta is a small channel: 21 days of a 300-user business may hold no Meta-claimed purchase at all (the
    # platform then omits the action), so the purchase entries are looked for in a larger month.
    larger = tmp_path / "larger"
    generate(larger, DemoParams(start=SMALL.start, days=30, users=1500, seed=SMALL.seed))
    purchases = [
        a for r in table(larger, "meta_ads_insights") for a in r["action_values"] or []
        if a["action_type"] == "offsite_conversion.fb_pixel_purchase"
    ]  # fmt: skip
    assert purchases and all(float(a["value"]) > 0 for a in purchases)
    tencent = table(landing, "tencent_ads_daily_reports")
    assert all(isinstance(r["cost"], int) and isinstance(r["order_amount"], int) for r in tencent)


def test_clicks_never_exceed_impressions(landing):
    pairs = {
        "ocean_engine_ad_stats": ("展示数", "点击数"),
        "tencent_ads_daily_reports": ("view_count", "valid_click_count"),
        "baidu_keyword_stats": ("展现", "点击"),
        "meta_ads_insights": ("impressions", "clicks"),
        "xiaohongshu_ads_reports": ("impression", "click"),
        "google_ads_ad_stats": ("metrics.impressions", "metrics.clicks"),
    }
    for source, (imp, clk) in pairs.items():
        rows = table(landing, source)
        assert rows
        for r in rows:
            assert 0 <= int(str(r[clk]).replace(",", "")) <= int(str(r[imp]).replace(",", "")), (source, r)


def test_ad_platform_campaign_ids_are_all_in_the_registry(landing):
    registry = {(r["platform"], r["platform_campaign_id"]) for r in table(landing, "campaigns")}
    exported = {("ocean_engine", r["项目ID"]) for r in table(landing, "ocean_engine_ad_stats")}
    exported |= {("tencent_ads", str(r["campaign_id"])) for r in table(landing, "tencent_ads_daily_reports")}
    exported |= {("baidu", r["计划ID"]) for r in table(landing, "baidu_keyword_stats")}
    exported |= {("meta", r["campaign_id"]) for r in table(landing, "meta_ads_insights")}
    exported |= {("xiaohongshu_ads", r["campaign_id"]) for r in table(landing, "xiaohongshu_ads_reports")}
    exported |= {("google_ads", r["campaign.id"]) for r in table(landing, "google_ads_ad_stats")}
    assert exported and exported <= registry


def test_campaigns_and_utms_agree_with_the_channel_seeds(landing):
    seeds = ROOT / "dbt_project" / "seeds"
    with (seeds / "channel_map.csv").open(encoding="utf-8") as fh:
        channel_of = {(r["utm_source"], r["utm_medium"]): r["channel"] for r in csv.DictReader(fh)}
    with (seeds / "channels.csv").open(encoding="utf-8") as fh:
        channels = {r["channel"]: r for r in csv.DictReader(fh)}
    registry = {r["utm_campaign"]: r for r in table(landing, "campaigns")}
    for r in registry.values():
        assert r["channel"] in channels
        assert r["platform"] == channels[r["channel"]]["ad_platform"]
    sessions = [e for e in table(landing, "app_events") if e["event_name"] == "session_start"]
    assert any(e["utm_campaign"] is None and e["utm_source"] is None for e in sessions)  # organic
    for e in sessions:
        if e["utm_campaign"] is None:
            assert e["utm_source"] is None and e["utm_medium"] is None
            continue
        assert e["utm_campaign"] in registry, e
        assert channel_of[(e["utm_source"], e["utm_medium"])] == registry[e["utm_campaign"]]["channel"], e


def test_every_user_has_a_signup_event_from_their_anonymous_id(landing):
    events = table(landing, "app_events")
    signups = {e["user_id"]: e for e in events if e["event_name"] == "signup"}
    users = table(landing, "app_users")
    assert 0.8 * SMALL.users <= len(users) <= 1.2 * SMALL.users
    for u in users:
        e = signups[u["user_id"]]
        assert (e["anonymous_id"], e["event_at"]) == (u["anonymous_id"], u["signup_at"])
        assert (
            u["_day"]
            == (dt.datetime.fromisoformat(u["signup_at"]) + dt.timedelta(hours=8)).date().isoformat()
        )
    signup_at = {u["user_id"]: u["signup_at"] for u in users}
    for e in events:  # events carry a user_id only from the signup on
        assert e["user_id"] is None or e["event_at"] >= signup_at[e["user_id"]], e
    first_touch = {}
    for e in sorted(events, key=lambda e: e["event_at"]):
        if e["event_name"] == "session_start":
            first_touch.setdefault(e["anonymous_id"], e["utm_campaign"])
    last = {
        e["anonymous_id"]: e["utm_campaign"]
        for e in sorted(events, key=lambda e: e["event_at"])
        if e["event_name"] == "session_start" and e["user_id"] is None
    }
    assert any(first_touch[u["anonymous_id"]] != last[u["anonymous_id"]] for u in users)


def test_refunded_orders_appear_twice_paid_then_refunded(landing):
    by_id = defaultdict(list)
    for r in table(landing, "app_orders"):
        by_id[r["order_id"]].append(r)
    statuses = Counter(tuple(r["status"] for r in rows) for rows in by_id.values())
    assert set(statuses) <= {("paid",), ("paid", "refunded"), ("cancelled",)}
    assert statuses[("paid", "refunded")] > 0 and statuses[("cancelled",)] > 0
    for rows in by_id.values():
        if len(rows) == 2:
            paid, refund = rows
            assert paid["_day"] < refund["_day"] and paid["updated_at"] < refund["updated_at"]
            assert (
                refund["refunded_at"] == refund["updated_at"] and refund["created_at"] == paid["created_at"]
            )
            assert Decimal(refund["refund_amount"]) <= Decimal(refund["amount"]) == Decimal(paid["amount"])
    purchases = {
        (e["user_id"], e["event_at"]) for e in table(landing, "app_events") if e["event_name"] == "purchase"
    }
    for rows in by_id.values():
        assert ((rows[0]["user_id"], rows[0]["created_at"]) in purchases) == (
            rows[0]["status"] != "cancelled"
        )


def test_orders_straddle_beijing_midnight(landing):
    times = {r["created_at"][11:] for r in table(landing, "app_orders")}
    assert {"15:59:59Z", "16:00:01Z"} & times


def test_some_events_arrive_late_in_a_later_folder(landing):
    events = table(landing, "app_events")
    late = [
        e
        for e in events
        if e["_day"] > (dt.datetime.fromisoformat(e["event_at"]) + dt.timedelta(hours=8)).date().isoformat()
    ]
    assert 0 < len(late) < 0.02 * len(events)
    assert all(
        e["_day"] >= (dt.datetime.fromisoformat(e["event_at"]) + dt.timedelta(hours=8)).date().isoformat()
        for e in events
    )


def test_ads_and_content_bring_no_more_visits_than_clicks(landing):
    visits = Counter(
        (
            e["utm_content"],
            (dt.datetime.fromisoformat(e["event_at"]) + dt.timedelta(hours=8)).date().isoformat(),
        )
        for e in table(landing, "app_events")
        if e["event_name"] == "session_start" and e["utm_content"]
    )
    for r in table(landing, "ocean_engine_ad_stats"):
        assert visits[(r["广告ID"], r["日期"])] <= int(r["点击数"].replace(",", ""))
    for r in table(landing, "baidu_keyword_stats"):
        assert visits[(r["关键词ID"], r["日期"])] <= int(r["点击"])
    for r in table(landing, "content_daily_stats"):
        assert visits[(r["content_id"], r["stat_date"])] <= int(r["link_clicks"]) <= int(r["views"])


def test_content_visits_come_after_publication(landing):
    published = {r["content_id"]: r["published_at"] for r in table(landing, "content_items")}
    visits = [e for e in table(landing, "app_events") if e["utm_content"] in published]
    assert visits
    assert all(e["event_at"] >= published[e["utm_content"]] for e in visits)


def test_content_items_carry_a_topic_and_their_costs_carry_the_content_id(landing):
    items = {r["content_id"]: r for r in table(landing, "content_items")}
    assert all(r["topic"] and r["topic"] in r["title"] for r in items.values())
    costs = table(landing, "non_ad_costs")
    production = [c for c in costs if c["cost_type"] == "production"]
    assert production and all(c["content_id"] in items for c in production)
    assert {c["content_id"] for c in production} == set(items)
    assert all(not c["content_id"] for c in costs if c["cost_type"] in ("kol_fee", "coupon_subsidy"))


def test_boosted_posts_cost_content_boost_on_the_days_after_publication_and_get_more_views(landing):
    items = {r["content_id"]: r for r in table(landing, "content_items")}
    boosts = [c for c in table(landing, "non_ad_costs") if c["cost_type"] == "content_boost"]
    assert boosts
    views = {
        (r["content_id"], r["stat_date"]): int(r["views"]) for r in table(landing, "content_daily_stats")
    }
    boosted_days = set()
    for c in boosts:
        item = items[c["content_id"]]
        assert item["channel"] in ("douyin", "xiaohongshu") and item["content_type"] != "livestream"
        published = dt.date.fromisoformat(item["_day"])  # Beijing day the item was listed
        assert published < dt.date.fromisoformat(c["cost_date"]) <= published + dt.timedelta(days=3)
        boosted_days.add((c["content_id"], c["cost_date"]))
    # A boost day's views exceed the item's unboosted days' on average, by far.
    by_kind = defaultdict(list)
    boosted_items = {cid for cid, _ in boosted_days}
    for (cid, day), v in views.items():
        if cid in boosted_items:
            by_kind[(cid, day) in boosted_days].append(v)
    assert sum(by_kind[True]) / len(by_kind[True]) > 2 * sum(by_kind[False]) / len(by_kind[False])


def test_content_with_higher_completion_converts_more_visits():
    from tools.demo.generator import simulate

    w = simulate(DemoParams(days=60, users=2000, seed=3))
    src = w.traffic.sources
    visits, signups = Counter(), Counter()
    for s in w.people["events"]["source"][w.people["events"]["code"] == 0].tolist():
        if s >= 0 and src.kind[s] == "content":
            visits[src.ref[s]] += 1
    for s in w.people["users"]["source"].tolist():
        if s >= 0 and src.kind[s] == "content":
            signups[src.ref[s]] += 1
    rated = [(it.completion / (3 / 8), i) for i, it in enumerate(w.items) if it.content_type == "short_video"]
    rated.sort()
    low, high = rated[: len(rated) // 3], rated[-len(rated) // 3 :]
    rate = [sum(signups[i] for _, i in part) / sum(visits[i] for _, i in part) for part in (low, high)]
    assert rate[1] > 2 * rate[0]


def test_daily_sources_are_written_every_day(landing):
    days = {(SMALL.start + dt.timedelta(days=i)).isoformat() for i in range(SMALL.days)}
    for source in (
        "ocean_engine_ad_stats",
        "baidu_keyword_stats",
        "meta_ads_insights",
        "fx_rates",
        "campaigns",
        "app_events",
        "content_daily_stats",
        "brand_mentions",
        "competitor_prices",
        "competitor_creatives",
        "app_store_ranks",
    ):
        assert {p.parent.name for p in files(landing, source)} == days, source
    fx = table(landing, "fx_rates")
    assert {r["currency"] for r in fx} == {"CNY", "USD", "HKD"}
    assert all(7.1 <= float(r["rate_to_cny"]) <= 7.3 for r in fx if r["currency"] == "USD")


def test_docs_sources_md_is_rendered_from_the_contracts():
    assert (ROOT / "docs" / "sources.md").read_text(encoding="utf-8") == render_sources_md()


def test_the_recall_activity_brings_dormant_users_back_with_its_coupon(landing):
    acts = {r["activity_id"]: r for r in table(landing, "activities")}
    recall = next(r for r in acts.values() if r["activity_type"] == "recall")
    campaigns = {r["campaign_id"]: r for r in table(landing, "campaigns")}
    assert {r["campaign_id"] for r in acts.values()} <= set(campaigns)
    utm = campaigns[recall["campaign_id"]]["utm_campaign"]
    first, last = recall["peak_start"], recall["end_date"]
    events = [json.loads(line) for p in files(landing, "app_events") for line in p.read_text().splitlines()]
    back = {e["user_id"] for e in events if e["utm_campaign"] == utm}
    assert back and all(first <= e["event_at"][:10] <= last for e in events if e["utm_campaign"] == utm)

    # who came back through the push had been away a week (the 21-day demo's dormancy) before coming back
    def bj_day(at: str) -> dt.date:
        return (dt.datetime.fromisoformat(at.replace("Z", "+00:00")) + dt.timedelta(hours=8)).date()

    came = {}
    for e in events:
        if e["utm_campaign"] == utm:
            came[e["user_id"]] = min(came.get(e["user_id"], bj_day(e["event_at"])), bj_day(e["event_at"]))
    gap = {}
    for e in events:
        u = e["user_id"]
        if u in came and bj_day(e["event_at"]) < came[u]:
            gap[u] = min(gap.get(u, 99), (came[u] - bj_day(e["event_at"])).days)
    assert sum(gap.get(u, 99) >= 7 for u in came) >= 0.8 * len(came)
    redeemed = [r for r in table(landing, "app_orders") if r["coupon_code"] == recall["coupon_code"]]
    assert redeemed
    assert all(first <= r["created_at"][:10] <= last for r in redeemed)


def test_xiaohongshu_draws_from_its_own_stream_so_no_other_source_changes(landing, tmp_path, monkeypatch):
    """Issue 11 added Xiaohongshu 聚光 after the other platforms: without it every other file is the same bytes,
    and the registry only gains its campaigns at the end (earlier campaigns keep their ids)."""
    import numpy as np

    from tools.demo import generator
    from tools.demo.xiaohongshu import XhsDelivery

    def nothing(seed, cal, campaigns, scale, fx_usd):
        return XhsDelivery([], np.zeros((0, cal.days), dtype=bool), {})

    monkeypatch.setattr(generator, "simulate_xiaohongshu", nothing)
    monkeypatch.setattr(
        generator, "add_google_ads", lambda *a, **k: None
    )  # drawn after it, numbered after it
    without = tmp_path / "without"
    generate(without, SMALL)
    assert not (without / "xiaohongshu_ads_reports").exists() and files(landing, "xiaohongshu_ads_reports")
    for path in sorted(without.rglob("*")):
        if path.is_file() and path.relative_to(without).parts[0] != "campaigns":
            assert path.read_bytes() == (landing / path.relative_to(without)).read_bytes(), path
    for path in files(without, "campaigns"):
        before = path.read_text(encoding="utf-8").splitlines()
        after = (landing / path.relative_to(without)).read_text(encoding="utf-8").splitlines()
        assert after[: len(before)] == before
        added = after[len(before) :]
        assert added and all(
            ",xiaohongshu_ads,xiaohongshu_ads," in r or ",google_ads,google_ads," in r for r in added
        )
        assert any(",xiaohongshu_ads,xiaohongshu_ads," in r for r in added)


def test_google_ads_exports_the_rest_shape_in_each_customers_currency(landing):
    rows = table(landing, "google_ads_ad_stats")
    assert rows
    for r in rows:  # int64 values are JSON strings, conversions doubles
        assert isinstance(r["metrics.cost_micros"], str) and int(r["metrics.cost_micros"]) % 10_000 == 0
        assert isinstance(r["metrics.conversions"], float)
        assert r["segments.date"] == r["_day"]
    zones = {(r["customer.id"], r["customer.currency_code"], r["customer.time_zone"]) for r in rows}
    assert {z[1] for z in zones} == {"USD", "HKD"} and len({z[0] for z in zones}) == len(zones)


def test_google_ads_leaves_every_other_source_byte_identical(landing, tmp_path, monkeypatch):
    """Google Ads draws from its own child stream, after the rest: without it, the other files are the same."""
    from tools.demo import generator

    monkeypatch.setattr(generator, "add_google_ads", lambda *a, **k: None)
    without = tmp_path / "without"
    generate(without, SMALL)
    assert not (without / "google_ads_ad_stats").exists()
    for source in sorted(p.name for p in without.iterdir()):
        if source == "google_ads_ad_stats":
            continue
        if source == "campaigns":  # the registry gains the Google campaigns as its last rows
            for path in files(without, source):
                before = path.read_text(encoding="utf-8")
                after = (landing / source / path.parent.name / path.name).read_text(encoding="utf-8")
                assert after.startswith(before) and ",google_ads,google_ads," in after[len(before) :]
            continue
        assert tree_hash(without / source) == tree_hash(landing / source), source


def test_wechat_datacube_reports_the_cms_figures_of_each_article_by_its_msgid(landing):
    msgid = {r["platform_item_id"]: r for r in table(landing, "content_items") if r["platform_item_id"]}
    assert msgid and {r["channel"] for r in msgid.values()} == {"wechat_oa"}
    assert {r["content_type"] for r in msgid.values()} == {"article"}  # livestreams are not in the datacube
    cms = {(r["content_id"], r["stat_date"]): r for r in table(landing, "content_daily_stats")}
    summary = table(landing, "wechat_article_summary")
    assert summary
    for r in summary:
        stats = cms[(msgid[r["msgid"]]["content_id"], r["ref_date"])]
        assert (r["int_page_read_count"], r["share_count"], r["add_to_fav_count"]) == (
            int(stats["views"]),
            int(stats["shares"]),
            int(stats["favorites"]),
        )
        assert r["int_page_read_user"] <= r["int_page_read_count"] and r["ref_date"] == r["_day"]


# ---------------------------------------------------------------- brand mentions and competitor watch (issue 13)


def bj_date(at: str) -> str:
    return (dt.datetime.fromisoformat(at.replace("Z", "+00:00")) + dt.timedelta(hours=8)).date().isoformat()


def test_the_default_demos_incident_date_is_where_the_generator_puts_it():
    from tools.demo.market import DEFAULT_INCIDENT_DATE, incident_start_day

    default = DemoParams()
    assert default.start + dt.timedelta(days=incident_start_day(default.days)) == DEFAULT_INCIDENT_DATE


def test_the_incident_starts_on_its_platform_on_its_day_and_spreads_to_the_others(landing):
    """On the start day our brand's mentions jump on INCIDENT_PLATFORM only (from 10:00 Beijing); each other platform's
    wave starts on its own later day."""
    from tools.demo.calendar import Calendar
    from tools.demo.market import INCIDENT_PLATFORM, INCIDENT_SPREAD, INCIDENT_START_HOUR, incident_start_day
    from tools.demo.mentions import simulate_mentions

    start = incident_start_day(SMALL.days)
    start_date = (SMALL.start + dt.timedelta(days=start)).isoformat()
    first_seen: dict[str, dict] = {}
    for r in table(landing, "brand_mentions"):
        if r["brand_type"] == "own":
            first_seen.setdefault(r["mention_id"], r)
    per_day = Counter((r["platform"], bj_date(r["created_at"])) for r in first_seen.values())
    before = [(SMALL.start + dt.timedelta(days=d)).isoformat() for d in range(start)]
    for platform in INCIDENT_SPREAD:
        usual = [per_day[(platform, d)] for d in before]
        if platform == INCIDENT_PLATFORM:
            assert per_day[(platform, start_date)] > max(usual) and per_day[(platform, start_date)] > 1.5 * (
                sum(usual) / len(usual)
            )
        else:
            assert per_day[(platform, start_date)] <= max(usual), platform

    cal = Calendar(SMALL.start, SMALL.days)
    wave = [m for m in simulate_mentions(SMALL.seed, cal) if m.incident]
    assert wave and all(m.brand == 0 for m in wave)  # BRANDS[0] is our own brand
    first_day = {}
    for m in wave:
        first_day[m.platform] = min(first_day.get(m.platform, 99), int(cal.bj_day(m.created_at)))
    assert set(first_day) == set(INCIDENT_SPREAD)
    assert first_day[INCIDENT_PLATFORM] == start
    assert all(first_day[p] >= start + lag for p, lag in INCIDENT_SPREAD.items())
    opening = [m for m in wave if int(cal.bj_day(m.created_at)) == start]
    assert opening and all((m.created_at - cal.t0) % 86400 >= INCIDENT_START_HOUR * 3600 for m in opening)


def test_some_mentions_are_delivered_again_later_with_higher_counts_and_the_same_text(landing):
    deliveries = defaultdict(list)
    for r in table(landing, "brand_mentions"):
        deliveries[r["mention_id"]].append(r)
    again = {k: v for k, v in deliveries.items() if len(v) > 1}
    assert len(again) >= 0.05 * len(deliveries)
    for rows in again.values():
        days = [r["_day"] for r in rows]
        assert days == sorted(set(days))  # at most once a day, in later folders
        assert len({(r["text"], r["created_at"], r["url"], r["brand"]) for r in rows}) == 1
        for earlier, later in zip(rows, rows[1:], strict=False):
            assert later["likes"] > earlier["likes"]
            for count in ("comments", "reposts"):
                assert (later[count] is None) == (earlier[count] is None)
                assert later[count] is None or later[count] >= earlier[count]


def test_mentions_read_like_posts_with_the_brand_they_matched(landing):
    from growthmart.contracts import SOCIAL_PLATFORMS
    from tools.demo.market import BRANDS

    rows = table(landing, "brand_mentions")
    assert {r["platform"] for r in rows} == set(SOCIAL_PLATFORMS)
    assert {r["brand"] for r in rows} == {b.name for b in BRANDS}
    keywords = {b.name: b.keywords for b in BRANDS}
    for r in rows:
        assert r["matched_keywords"] and all(k in r["text"] for k in r["matched_keywords"])
        assert set(r["matched_keywords"]) <= set(keywords[r["brand"]])
        assert (r["brand_type"] == "own") == (r["brand"] == BRANDS[0].name)
        assert r["reposts"] is None if r["platform"] in ("wechat", "zhihu") else r["reposts"] is not None
    texts = [r["text"] for r in rows]
    for mark in ("#", "@", "http", "\n", '"', "👍"):  # what a landing file must keep intact
        assert any(mark in t for t in texts), mark


def test_the_competitor_cuts_its_prices_during_our_recall_activity(landing):
    from tools.demo.market import PRICE_CUT_COMPETITOR, PRICE_CUT_DEPTH, PRICE_CUT_TEXT

    recall = next(r for r in table(landing, "activities") if r["activity_type"] == "recall")
    prices = table(landing, "competitor_prices")
    cut = [r for r in prices if r["promotion_text"] == PRICE_CUT_TEXT]
    assert cut and {r["competitor"] for r in cut} == {PRICE_CUT_COMPETITOR}
    assert all(recall["peak_start"] < r["_day"] <= recall["end_date"] for r in cut)
    for r in cut:
        assert Decimal(r["price"]) == round(Decimal(r["list_price"]) * Decimal(1 - PRICE_CUT_DEPTH), 2)
    cut_days = {r["_day"] for r in cut}
    elsewhere = {}
    for r in prices:
        if r["competitor"] == PRICE_CUT_COMPETITOR and r["_day"] not in cut_days:
            elsewhere[r["item_id"]] = min(elsewhere.get(r["item_id"], 10**9), Decimal(r["price"]))
    assert all(Decimal(r["price"]) < elsewhere[r["item_id"]] for r in cut)
    creatives = [r for r in table(landing, "competitor_creatives") if PRICE_CUT_TEXT in (r["text"] or "")]
    assert creatives and min(r["first_seen"] for r in creatives) == min(cut_days)


def test_creatives_and_app_ranks_are_consistent(landing):
    from tools.demo.market import BRANDS

    for r in table(landing, "competitor_creatives"):
        assert r["first_seen"] <= r["last_seen"] == r["_day"]
    ranks = table(landing, "app_store_ranks")
    charts = defaultdict(list)
    for r in ranks:
        assert r["rank_date"] == r["_day"] and int(r["rank"]) >= 1
        charts[(r["rank_date"], r["store"])].append(int(r["rank"]))
    assert all(len(v) == len(BRANDS) == len(set(v)) for v in charts.values())


def test_brand_and_competitor_sources_leave_every_other_source_byte_identical(landing, tmp_path, monkeypatch):
    """Mentions and competitor watch draw from their own child streams: without them, every other file is the same."""
    from tools.demo import generator

    monkeypatch.setattr(generator, "simulate_mentions", lambda *a: None)
    monkeypatch.setattr(generator, "simulate_competitors", lambda *a: None)
    without = tmp_path / "without"
    generate(without, SMALL)
    new = {"brand_mentions", "competitor_prices", "competitor_creatives", "app_store_ranks"}
    assert not any((without / source).exists() for source in new)
    for source in sorted(p.name for p in landing.iterdir() if p.name not in new):
        assert tree_hash(without / source) == tree_hash(landing / source), source
