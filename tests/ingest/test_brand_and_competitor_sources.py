"""The brand and competitor-watch sources (issue 13) load under their contracts: a mention's text survives as written,
a mention delivered again on a later day is no duplicate, and a bad row is quarantined naming source, file, row,
column and value."""

from __future__ import annotations

import json

from landing_files import DAY, land

from growthmart.contracts import get_contract
from growthmart.ingest import load_partition

MENTIONS = get_contract("brand_mentions")
PRICES = get_contract("competitor_prices")
RANKS = get_contract("app_store_ranks")
TRICKY = '避雷｜GM优选\n说是"正品保障"，结果一刷就掉渣😡 #GM优选保温杯掉漆# @GM优选官方 http://t.cn/A6abc, 反斜杠\\也在'


def mention(mention_id: str, **changes) -> str:
    rec = {
        "mention_id": mention_id,
        "platform": "xiaohongshu",
        "url": f"https://www.xiaohongshu.com/explore/{mention_id}",
        "author": "一只橘子12",
        "author_followers": 1200,
        "text": TRICKY,
        "likes": 3,
        "comments": 1,
        "reposts": 0,
        "created_at": "2026-06-17T23:30:00+08:00",
        "matched_keywords": ["GM优选"],
        "brand": "GM优选",
        "brand_type": "own",
    }
    return json.dumps(rec | changes, ensure_ascii=False)


def quarantined(con) -> list[tuple]:
    return con.execute(
        "select source, source_file, row_number, column_name, reason from raw.quarantine_rows order by row_number"
    ).fetchall()


def test_a_mentions_text_loads_exactly_as_written_and_its_offset_becomes_utc(env):
    landing, con = env
    land(landing, MENTIONS.name, "m.jsonl", mention("m1") + "\n")
    assert load_partition(con, MENTIONS, landing, DAY).rows_loaded == 1
    text, created, keywords = con.execute(
        "select text, created_at, matched_keywords from raw.brand_mentions"
    ).fetchone()
    assert text == TRICKY
    assert str(created) == "2026-06-17 15:30:00"
    assert json.loads(keywords) == ["GM优选"]


def test_a_mention_delivered_again_on_a_later_day_with_new_counts_loads_as_its_own_version(env):
    landing, con = env
    land(landing, MENTIONS.name, "m.jsonl", mention("m1") + "\n")
    land(landing, MENTIONS.name, "m.jsonl", mention("m1", likes=40, comments=6) + "\n", day="2026-06-19")
    load_partition(con, MENTIONS, landing, DAY)
    assert load_partition(con, MENTIONS, landing, "2026-06-19").rows_loaded == 1
    rows = con.execute(
        "select _partition_date::varchar, likes from raw.brand_mentions order by _partition_date"
    ).fetchall()
    assert rows == [(DAY, 3), ("2026-06-19", 40)]


def test_bad_mentions_are_quarantined_naming_source_file_row_column_and_value(env):
    landing, con = env
    lines = [
        mention("m1"),
        mention("m2", likes=-5),
        mention("m3", created_at="昨天 10:00"),
        mention("m4", text=""),
        mention("m1", likes=9),  # the same mention twice in one delivery
        mention("m5", author_followers="1.2万"),
        mention("m6"),
    ]
    land(landing, MENTIONS.name, "m.jsonl", "\n".join(lines) + "\n")
    part = load_partition(con, MENTIONS, landing, DAY, max_bad_fraction=1)
    assert (part.rows_loaded, part.rows_quarantined) == (2, 5)
    bad = quarantined(con)
    assert [(r[0], r[1], r[2], r[3]) for r in bad] == [
        ("brand_mentions", f"brand_mentions/{DAY}/m.jsonl", 2, "likes"),
        ("brand_mentions", f"brand_mentions/{DAY}/m.jsonl", 3, "created_at"),
        ("brand_mentions", f"brand_mentions/{DAY}/m.jsonl", 4, "text"),
        ("brand_mentions", f"brand_mentions/{DAY}/m.jsonl", 5, None),  # the whole row: a repeated key
        ("brand_mentions", f"brand_mentions/{DAY}/m.jsonl", 6, "author_followers"),
    ]
    assert "'-5' is out of range" in bad[0][4]
    assert "'昨天 10:00'" in bad[1][4]
    assert bad[3][4].startswith("duplicate key (mention_id)")
    assert "'1.2万'" in bad[4][4]


def test_a_price_must_be_positive_and_a_number(env):
    landing, con = env
    header = ",".join(PRICES.column_names)
    lines = [
        "2026-06-18T01:10:00Z,栗栗好物,tmall,1001,保温杯,保温杯,60.75,81.00,限时直降25%",
        "2026-06-18T01:11:00Z,栗栗好物,tmall,1002,防晒乳,防晒霜,0,129.00,",
        "2026-06-18T01:12:00Z,栗栗好物,tmall,1003,耳机,蓝牙耳机,¥99,,",
        '2026-06-18T01:13:00Z,青檬集,jd,2001,"面膜, 20片",面膜,"1,099.00",,满199减20',
    ]
    land(landing, PRICES.name, "p.csv", header + "\n" + "\n".join(lines) + "\n")
    part = load_partition(con, PRICES, landing, DAY, max_bad_fraction=1)
    assert (part.rows_loaded, part.rows_quarantined) == (2, 2)
    assert [(r[2], r[3]) for r in quarantined(con)] == [(3, "price"), (4, "price")]
    assert "the contract says > 0" in quarantined(con)[0][4]
    names = con.execute("select item_name, price from raw.competitor_prices order by item_id").fetchall()
    assert [(n, float(p)) for n, p in names] == [("保温杯", 60.75), ("面膜, 20片", 1099.0)]


def test_a_rank_starts_at_one_and_belongs_to_its_folders_day(env):
    landing, con = env
    header = ",".join(RANKS.column_names)
    lines = [
        f"{DAY},app_store,购物(免费榜),GM优选-好物精选商城,GM优选,own,28",
        f"{DAY},app_store,购物(免费榜),栗栗好物-品质生活商城,栗栗好物,competitor,0",
        "2026-06-17,huawei,购物比价,青檬集,青檬集,competitor,12",
    ]
    land(landing, RANKS.name, "r.csv", header + "\n" + "\n".join(lines) + "\n")
    part = load_partition(con, RANKS, landing, DAY, max_bad_fraction=1)
    assert (part.rows_loaded, part.rows_quarantined) == (1, 2)
    assert [(r[2], r[3]) for r in quarantined(con)] == [(3, "rank"), (4, "rank_date")]
