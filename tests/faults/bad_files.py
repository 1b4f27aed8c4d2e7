"""Every class of bad landing file, planted at once in different sources and days of a published baseline copy
(test_landing_faults.py runs them), with what each must produce: the files that fail their source (naming
source, file and where known row, column and value) and the files that load with bad rows quarantined."""

from __future__ import annotations

import csv
import json
import shutil

import duckdb

FIRST, LAST = "2026-05-13", "2026-05-14"


def first_rows(path, n: int) -> tuple[list[str], list[list[str]]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    return rows[0], rows[1 : n + 1]


def write_csv(
    path, header: list[str], rows: list[list[str]], raw_lines: dict[int, str] | None = None
) -> None:
    """A CSV file of `rows`; raw_lines {index: text} replaces a row by a literal line (a malformed one)."""
    lines = []
    for i, r in enumerate(rows):
        if raw_lines and i in raw_lines:
            lines.append(raw_lines[i])
            continue
        buf = []
        for v in r:
            buf.append(f'"{v}"' if ("," in v or '"' in v) else v)
        lines.append(",".join(buf))
    path.write_text(",".join(header) + "\n" + "\n".join(lines) + "\n", encoding="utf-8")


def demo_file(landing, source: str, day: str):
    return sorted((landing / source / day).iterdir())[0]


def plant(env) -> dict:
    """Plant one file of every bad-file class; returns what each must produce."""
    landing = env.landing
    failing, quarantining = {}, {}

    # ------------------------------------------------------------------ the file fails the load of its source
    p = landing / "content_items" / FIRST / "garbage.csv"
    p.write_bytes(bytes(range(256)) * 4)
    failing["content_items"] = (p, ["unparseable file"])

    header, rows = first_rows(demo_file(landing, "app_users", FIRST), 1)
    p = landing / "app_users" / FIRST / "no_device_id.csv"
    keep = [i for i, h in enumerate(header) if h != "anonymous_id"]
    write_csv(p, [header[i] for i in keep], [[r[i] for i in keep] for r in rows])
    failing["app_users"] = (p, ["column 'anonymous_id'", "required column is missing"])

    p = landing / "app_orders" / LAST / "resent.csv"
    shutil.copy(demo_file(landing, "app_orders", "2026-05-10"), p)
    failing["app_orders"] = (p, ["byte-identical duplicate", "already loaded for partition 2026-05-10"])

    header, rows = first_rows(demo_file(landing, "non_ad_costs", FIRST), 1)
    bad = [[f"NCX{i}", *rows[0][1:]] for i in range(3)]
    for r in bad:
        r[header.index("amount")] = "abc"
    p = landing / "non_ad_costs" / FIRST / "mostly_bad.csv"
    write_csv(p, header, bad)
    failing["non_ad_costs"] = (
        p,
        ["row 2", "column 'amount'", "3 of 3 rows", "cannot parse 'abc' as decimal"],
    )

    p = landing / "campaigns" / LAST / "empty.csv"
    p.write_bytes(b"")
    failing["campaigns"] = (p, ["empty file (0 bytes)"])

    p = landing / "app_events" / FIRST / "empty.jsonl"
    p.write_bytes(b"")
    failing["app_events"] = (p, ["empty file (0 bytes)"])

    p = landing / "meta_ads_insights" / LAST / "empty.json"
    p.write_bytes(b"")
    failing["meta_ads_insights"] = (p, ["empty file (0 bytes)"])

    outside = env.data.parent / "outside_landing.csv"
    shutil.copy(demo_file(landing, "experiments", FIRST), outside)
    p = landing / "experiments" / FIRST / "linked.csv"
    p.symlink_to(outside)
    failing["experiments"] = (p, [f"symlink to {outside}", "outside the landing directory"])

    # ------------------------------------------------- the file loads; its bad rows are quarantined with a reason
    header, rows = first_rows(demo_file(landing, "ocean_engine_ad_stats", FIRST), 1)
    ad, spend, shows, clicks = (header.index(c) for c in ("广告ID", "消耗(元)", "展示数", "点击数"))
    planted = []
    for i, (col, value) in enumerate([(spend, "12,5"), (shows, "1,2,3"), (clicks, "abc"), *[(None, "")] * 4]):
        r = list(rows[0])
        r[ad] = f"{r[ad]}9{i}"
        if col is not None:
            r[col] = value
        planted.append(r)
    p = landing / "ocean_engine_ad_stats" / FIRST / "numbers.csv"
    write_csv(p, header, planted)
    quarantining[p] = [
        (2, "消耗(元)", "消耗(元): cannot parse '12,5' as decimal"),
        (3, "展示数", "展示数: cannot parse '1,2,3' as int"),
        (4, "点击数", "点击数: cannot parse 'abc' as int"),
    ]

    header, rows = first_rows(demo_file(landing, "ocean_engine_ad_stats", LAST), 2)
    renamed = [("转化次数" if h == "转化数" else h) for h in header]
    for r in rows:
        r[ad] = f"{r[ad]}8"
    p = landing / "ocean_engine_ad_stats" / LAST / "renamed.csv"
    write_csv(p, renamed, rows)
    quarantining[p] = []

    header, rows = first_rows(demo_file(landing, "baidu_keyword_stats", FIRST), 10)
    kw = header.index("关键词ID")
    rows = [[*r[:kw], f"{r[kw]}9", *r[kw + 1 :]] for r in rows]
    unbalanced = ",".join(rows[2]).replace(rows[2][3], '"' + rows[2][3], 1)  # line 4 opens a quote
    p = landing / "baidu_keyword_stats" / FIRST / "unbalanced.csv"
    write_csv(p, header, rows, raw_lines={2: unbalanced})
    quarantining[p] = [(4, None, "malformed CSV line: unbalanced quote")]

    header, rows = first_rows(demo_file(landing, "baidu_keyword_stats", LAST), 3)
    rows = [[*r[:kw], f"{r[kw]}7", *r[kw + 1 :]] for r in rows]
    rows[1][header.index("消费")] = "-5.00"
    p = landing / "baidu_keyword_stats" / LAST / "negative.csv"
    write_csv(p, header, rows)
    quarantining[p] = [(3, "消费", "消费: '-5.00' is out of range: the contract says >= 0")]

    doc = json.loads(demo_file(landing, "tencent_ads_daily_reports", LAST).read_text(encoding="utf-8"))
    records = doc["data"]["list"][:3]
    for i, r in enumerate(records):
        r["dynamic_creative_id"] = int(f"{r['dynamic_creative_id']}9{i}")
    records[1]["date"] = "2026-05-09"
    p = landing / "tencent_ads_daily_reports" / LAST / "misfiled.json"
    p.write_text(json.dumps({"code": 0, "data": {"list": records}}), encoding="utf-8")
    quarantining[p] = [
        (2, "date", f"date: '2026-05-09' is not the day of its folder {LAST} (a misfiled export?)")
    ]
    return {"failing": failing, "quarantining": quarantining}


def load_log(warehouse) -> dict[str, list[tuple]]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        rows = con.execute(
            """select source, partition_date, source_file, file_sha256, rows_landed, rows_loaded, rows_quarantined
               from raw.load_log where partition_date between ? and ? order by all""",
            [FIRST, LAST],
        ).fetchall()
    finally:
        con.close()
    out: dict[str, list[tuple]] = {}
    for r in rows:
        out.setdefault(r[0], []).append(r[1:])
    return out
