"""The contract loader: bad input gets a clear error naming source, file, row and column, and nothing is lost."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest
from landing_files import DAY, HEADER, OCEAN, land

from growthmart.contracts import get_contract
from growthmart.ingest import LoadError, load_partition


def ocean_row(
    ad: str, clicks: str = "5", spend: str = "5.00", impressions: str = "100", day: str = DAY
) -> str:
    return f"{day},acc1,prj1,项目,{ad},广告,{impressions},{clicks},5.0,{spend},1,"


def counts(con, source: str) -> tuple[int, int]:
    loaded = con.execute(f"select count(*) from raw.{source}").fetchone()[0]
    quarantined = con.execute(
        "select count(*) from raw.quarantine_rows where source = ?", [source]
    ).fetchone()[0]
    return loaded, quarantined


def test_clean_csv_loads_with_lineage_and_parses_thousands_separators(env):
    landing, con = env
    land(landing, OCEAN.name, "r.csv", "\ufeff" + HEADER + "\n" + ocean_row("ad1", spend='"1,234.50"') + "\n")
    part = load_partition(con, OCEAN, landing, DAY, run_id="run-1")
    assert (part.rows_landed, part.rows_loaded, part.rows_quarantined) == (1, 1, 0)
    row = con.execute(
        'select "消耗(元)", _source_file, _row_number, _partition_date from raw.ocean_engine_ad_stats'
    ).fetchone()
    assert float(row[0]) == 1234.5
    assert row[1] == f"{OCEAN.name}/{DAY}/r.csv" and row[2] == 2 and str(row[3]) == DAY


def test_partly_bad_file_quarantines_bad_rows_with_reason_and_reconciles(env):
    landing, con = env
    rows = [ocean_row(f"ad{i}") for i in range(1, 6)]
    rows.insert(1, ocean_row("bad1", clicks="abc"))  # line 3
    rows.insert(3, ocean_row("bad2", spend="-"))  # line 5: '-' means no value; spend is required
    rows.append(ocean_row("ad1"))  # duplicate key, line 9
    land(landing, OCEAN.name, "r.csv", HEADER + "\n" + "\n".join(rows) + "\n")
    part = load_partition(con, OCEAN, landing, DAY)
    assert (part.rows_landed, part.rows_loaded, part.rows_quarantined) == (8, 5, 3)
    quarantined = con.execute(
        "select row_number, column_name, reason from raw.quarantine_rows order by row_number"
    ).fetchall()
    assert quarantined[0] == (3, "点击数", "点击数: cannot parse 'abc' as int")
    assert quarantined[1] == (5, "消耗(元)", "消耗(元): required value missing")
    assert quarantined[2][0] == 9 and quarantined[2][2].startswith("duplicate key (日期, 广告ID)")
    log = con.execute("select rows_landed, rows_loaded, rows_quarantined from raw.load_log").fetchone()
    assert log == (8, 5, 3)


def test_missing_required_column_fails_naming_source_file_and_column_and_loads_nothing(env):
    landing, con = env
    path = land(
        landing, OCEAN.name, "r.csv", HEADER.replace(",消耗(元)", "") + "\n" + f"{DAY},a,p,n,ad,n,1,1,1,1,\n"
    )
    with pytest.raises(LoadError) as err:
        load_partition(con, OCEAN, landing, DAY)
    msg = str(err.value)
    assert "ocean_engine_ad_stats" in msg and str(path) in msg and "消耗(元)" in msg and "missing" in msg
    assert path.exists()
    assert counts(con, OCEAN.name) == (0, 0)


def test_wrong_type_in_whole_column_fails_naming_row_and_column(env):
    landing, con = env
    rows = [ocean_row(f"ad{i}", impressions="many") for i in range(3)]
    land(landing, OCEAN.name, "r.csv", HEADER + "\n" + "\n".join(rows) + "\n")
    with pytest.raises(LoadError) as err:
        load_partition(con, OCEAN, landing, DAY)
    assert err.value.row == 2 and err.value.column == "展示数"
    assert "cannot parse 'many' as int" in str(err.value)
    assert counts(con, OCEAN.name) == (0, 0)


def test_garbage_file_fails_as_unparseable(env):
    landing, con = env
    land(landing, OCEAN.name, "r.csv", bytes(range(256)) * 4)
    with pytest.raises(LoadError, match="unparseable file"):
        load_partition(con, OCEAN, landing, DAY)


def test_byte_identical_duplicate_file_in_a_partition_fails(env):
    landing, con = env
    text = HEADER + "\n" + ocean_row("ad1") + "\n"
    land(landing, OCEAN.name, "a.csv", text)
    land(landing, OCEAN.name, "b.csv", text)
    with pytest.raises(LoadError, match="byte-identical duplicate of a.csv"):
        load_partition(con, OCEAN, landing, DAY)
    assert counts(con, OCEAN.name) == (0, 0)


def test_file_already_loaded_for_another_day_fails_as_duplicate(env):
    landing, con = env
    text = HEADER + "\n" + ocean_row("ad1") + "\n"
    land(landing, OCEAN.name, "a.csv", text)
    load_partition(con, OCEAN, landing, DAY)
    land(landing, OCEAN.name, "a_copy.csv", text, day="2026-06-19")
    with pytest.raises(LoadError, match="already loaded for partition 2026-06-18"):
        load_partition(con, OCEAN, landing, "2026-06-19")
    assert counts(con, OCEAN.name) == (1, 0)


def test_reloading_a_partition_replaces_its_rows(env):
    landing, con = env
    land(
        landing,
        OCEAN.name,
        "r.csv",
        HEADER + "\n" + ocean_row("ad1") + "\n" + ocean_row("ad2", clicks="x") + "\n",
    )
    for _ in range(3):
        load_partition(con, OCEAN, landing, DAY)
    assert counts(con, OCEAN.name) == (1, 1)
    assert con.execute("select count(*) from raw.load_log").fetchone()[0] == 1


def test_failed_reload_keeps_the_partition_as_it_was(env):
    landing, con = env
    path = land(landing, OCEAN.name, "r.csv", HEADER + "\n" + ocean_row("ad1") + "\n")
    load_partition(con, OCEAN, landing, DAY)
    path.write_text(HEADER + "\n" + ocean_row("ad1", clicks="??") + "\n", encoding="utf-8")
    with pytest.raises(LoadError):
        load_partition(con, OCEAN, landing, DAY)
    assert counts(con, OCEAN.name) == (1, 0)


def test_ragged_csv_line_is_quarantined_with_its_line(env):
    landing, con = env
    rows = [ocean_row(f"ad{i}") for i in range(4)]
    rows.insert(2, ocean_row("adx") + ",extra")  # line 4
    land(landing, OCEAN.name, "r.csv", HEADER + "\n" + "\n".join(rows) + "\n")
    part = load_partition(con, OCEAN, landing, DAY)
    assert (part.rows_loaded, part.rows_quarantined) == (4, 1)
    row_number, reason, raw = con.execute(
        "select row_number, reason, raw_record from raw.quarantine_rows"
    ).fetchone()
    assert row_number == 4 and "TOO MANY COLUMNS" in reason and raw.endswith(",extra")
    assert con.execute("select max(_row_number) from raw.ocean_engine_ad_stats").fetchone()[0] == 6


def test_tencent_json_envelope_loads_fen_as_integers_and_quarantines_bad_record(env):
    landing, con = env
    contract = get_contract("tencent_ads_daily_reports")
    base = {"date": DAY, "account_id": "1", "campaign_id": "c", "adgroup_id": "g", "view_count": 100}
    records = [dict(base, dynamic_creative_id=f"d{i}", valid_click_count=3, cost=12345) for i in range(3)]
    records.append(dict(base, dynamic_creative_id="dx", valid_click_count="3.5", cost=1))
    doc = {"code": 0, "message": "", "data": {"list": records, "page_info": {"page": 1}}}
    land(landing, contract.name, "t.json", json.dumps(doc))
    part = load_partition(con, contract, landing, DAY)
    assert (part.rows_loaded, part.rows_quarantined) == (3, 1)
    assert con.execute("select sum(cost) from raw.tencent_ads_daily_reports").fetchone()[0] == 3 * 12345
    assert con.execute("select row_number, column_name from raw.quarantine_rows").fetchone() == (
        4,
        "valid_click_count",
    )


def test_json_without_the_records_array_fails_clearly(env):
    landing, con = env
    contract = get_contract("tencent_ads_daily_reports")
    land(landing, contract.name, "t.json", '{"code": 40100, "message": "请求过于频繁"')
    with pytest.raises(LoadError, match="unparseable file"):
        load_partition(con, contract, landing, DAY)


def test_jsonl_malformed_line_is_quarantined_and_offsets_become_utc(env):
    landing, con = env
    contract = get_contract("app_events")
    lines = [
        json.dumps(
            {
                "event_id": "e1",
                "event_name": "signup",
                "event_at": "2026-06-19T00:00:01+08:00",
                "anonymous_id": "a",
            }
        ),
        "{not json",
        json.dumps(
            {"event_id": "e2", "event_name": "visit", "event_at": "2026-06-18T16:00:00Z", "anonymous_id": "a"}
        ),
        json.dumps(
            {"event_id": "e3", "event_name": "visit", "event_at": "2026-06-18T16:00:00Z", "anonymous_id": "a"}
        ),
    ]
    land(landing, contract.name, "e.jsonl", "\n".join(lines) + "\n")
    part = load_partition(con, contract, landing, DAY)
    assert (part.rows_landed, part.rows_loaded, part.rows_quarantined) == (4, 3, 1)
    assert con.execute("select row_number, reason from raw.quarantine_rows").fetchone()[0] == 2
    at = con.execute("select cast(event_at as varchar) from raw.app_events where event_id = 'e1'").fetchone()[
        0
    ]
    assert at == "2026-06-18 16:00:01"


def test_a_day_without_files_loads_nothing_and_clears_the_partition(env):
    landing, con = env
    part = load_partition(con, OCEAN, landing, DAY)
    assert part.files == [] and part.rows_landed == 0


def test_a_bad_file_in_a_batch_of_days_leaves_every_day_of_the_batch_untouched(env):
    from growthmart.ingest import load_partitions

    landing, con = env
    land(landing, OCEAN.name, "a.csv", HEADER + "\n" + ocean_row("ad1") + "\n")
    load_partition(con, OCEAN, landing, DAY)
    land(landing, OCEAN.name, "b.csv", HEADER + "\n" + ocean_row("ad2") + "\n")  # a new file for DAY
    bad = land(landing, OCEAN.name, "c.csv", HEADER.replace("展示数", "impressions") + "\n", day="2026-06-19")
    with pytest.raises(LoadError) as err:
        load_partitions(con, OCEAN, landing, [DAY, "2026-06-19"])
    assert err.value.file == str(bad) and err.value.column == "展示数"
    assert counts(con, OCEAN.name) == (1, 0)  # DAY still holds its earlier load only


def test_the_same_file_on_two_days_of_one_batch_is_a_duplicate(env):
    from growthmart.ingest import load_partitions

    landing, con = env
    text = HEADER + "\n" + ocean_row("ad1") + "\n"
    land(landing, OCEAN.name, "a.csv", text)
    land(landing, OCEAN.name, "a.csv", text, day="2026-06-19")
    with pytest.raises(LoadError, match=f"duplicate of {DAY}/a.csv"):
        load_partitions(con, OCEAN, landing, [DAY, "2026-06-19"])


def test_empty_exports_on_two_days_are_not_duplicates(env):
    from growthmart.ingest import load_partitions

    landing, con = env
    land(landing, OCEAN.name, "r.csv", HEADER + "\n")
    land(landing, OCEAN.name, "r.csv", HEADER + "\n", day="2026-06-19")
    parts = load_partitions(con, OCEAN, landing, [DAY, "2026-06-19"])
    assert [p.rows_landed for p in parts] == [0, 0]


def test_a_registry_snapshot_may_repeat_across_days_but_not_within_one(env):
    from growthmart.ingest import load_partitions

    landing, con = env
    registry = get_contract("campaigns")
    text = (
        "campaign_id,campaign_name,campaign_type,channel,platform,platform_campaign_id,utm_campaign,budget,"
        "budget_currency,start_date,end_date\ncmp_1,春季,paid_ads,douyin_ads,ocean_engine,p1,spring,1000,CNY,"
        "2026-06-01,\n"
    )
    land(landing, registry.name, "s.csv", text)
    land(landing, registry.name, "s.csv", text, day="2026-06-19")
    assert [p.rows_loaded for p in load_partitions(con, registry, landing, [DAY, "2026-06-19"])] == [1, 1]
    land(landing, registry.name, "s_again.csv", text)
    with pytest.raises(LoadError, match="byte-identical duplicate of s.csv"):
        load_partition(con, registry, landing, DAY)


def test_parquet_events_load_with_the_same_rules_as_jsonl(env):
    landing, con = env
    contract = get_contract("app_events")
    folder = landing / contract.name / DAY
    folder.mkdir(parents=True)
    duckdb.execute(
        f"""copy (
              select 'e' || i as event_id, 'session_start' as event_name,
                     timestamp '2026-06-18 15:59:59' + to_seconds(i) as event_at,
                     'anon' || i as anonymous_id, case when i = 3 then null else 'u1' end as user_id,
                     'ios' as platform, null::varchar as utm_source, null::varchar as utm_medium,
                     null::varchar as utm_campaign, null::varchar as utm_content
              from range(5) t(i)
              union all select 'e1', 'page_view', timestamp '2026-06-18 16:10:00', 'anon1', 'u1', 'ios',
                               null, null, null, null
            ) to '{folder / "events.parquet"}' (format parquet)"""
    )
    part = load_partition(con, contract, landing, DAY)
    assert (part.rows_landed, part.rows_loaded, part.rows_quarantined) == (6, 5, 1)
    assert con.execute("select row_number, reason from raw.quarantine_rows").fetchone() == (
        6,
        f"duplicate key (event_id) of {contract.name}/{DAY}/events.parquet row 2",
    )
    first = con.execute(
        "select cast(event_at as varchar) from raw.app_events where event_id = 'e0'"
    ).fetchone()
    assert first == ("2026-06-18 15:59:59",)


def test_parquet_missing_a_required_column_fails(env):
    landing, con = env
    contract = get_contract("app_events")
    folder = landing / contract.name / DAY
    folder.mkdir(parents=True)
    duckdb.execute(f"copy (select 'e1' as event_id) to '{folder / 'e.parquet'}' (format parquet)")
    with pytest.raises(LoadError, match="event_name"):
        load_partition(con, contract, landing, DAY)


# ---------------------------------------------------------------------- batches of many files (the batch path)
DAYS = ["2026-06-18", "2026-06-19", "2026-06-20"]


def _snapshot(con, source: str) -> dict[str, list[tuple]]:
    return {
        "raw": con.execute(
            f"select * exclude (_loaded_at) from raw.{source} order by _source_file, _row_number"
        ).fetchall(),
        "quarantine": con.execute(
            "select source, partition_date, source_file, row_number, column_name, reason, raw_record "
            "from raw.quarantine_rows order by source_file, row_number"
        ).fetchall(),
        "load_log": con.execute(
            "select source, partition_date, source_file, file_sha256, rows_landed, rows_loaded, rows_quarantined "
            "from raw.load_log order by source_file"
        ).fetchall(),
    }


def _load_both_ways(folder: Path, contract, landing) -> tuple[dict, dict]:
    """The batch loaded by the batch path, and by the file-by-file path (forced), into two warehouses."""
    from growthmart.ingest import batch, load_partitions, staging

    folder.mkdir(parents=True, exist_ok=True)
    snapshots = []
    for together in (True, False):
        con = duckdb.connect(str(folder / f"{together}.duckdb"))
        con.execute("set TimeZone = 'UTC'")
        with pytest.MonkeyPatch.context() as mp:
            calls = []
            original = batch.stage_batch_together

            def spy(*args, calls=calls, original=original, together=together):
                calls.append(1)
                if not together:
                    raise staging.FileByFile
                return original(*args)

            mp.setattr(batch, "stage_batch_together", spy)
            load_partitions(con, contract, landing, DAYS, run_id="r")
        assert calls, "the batch path was not tried"
        snapshots.append(_snapshot(con, contract.name))
        con.close()
    return snapshots[0], snapshots[1]


def test_a_batch_of_csv_files_read_together_keeps_per_file_rows_rejects_and_load_log(tmp_path):
    landing = tmp_path / "landing"
    land(landing, OCEAN.name, "a.csv", HEADER + "\n" + ocean_row("ad1") + "\n" + ocean_row("ad2") + "\n")
    d1 = DAYS[1]
    ragged = [
        ocean_row("ad3", day=d1),
        ocean_row("adx", day=d1) + ",extra",
        ocean_row("ad4", clicks="x", day=d1),
        ocean_row("ad5", day=d1),
    ]
    land(landing, OCEAN.name, "b.csv", HEADER + "\n" + "\n".join(ragged) + "\n", day=DAYS[1])
    land(
        landing,
        OCEAN.name,
        "c.csv",
        HEADER + "\n" + ocean_row("ad6", day=d1) + ",extra\n" + ocean_row("ad7", day=d1) + "\n",
        day=DAYS[1],
    )
    # another column order, one optional column left out: read as a second group
    other = "广告ID,日期,账户ID,项目ID,项目名称,广告名称,展示数,点击数,消耗(元),转化数,转化金额(元)"
    land(
        landing,
        OCEAN.name,
        "d.csv",
        other + "\n" + f"ad8,{DAYS[2]},acc1,prj1,p,n,10,1,1.00,0,\n",
        day=DAYS[2],
    )
    land(landing, OCEAN.name, "e.csv", HEADER + "\n", day=DAYS[2])  # header only
    together, one_by_one = _load_both_ways(tmp_path / "w", OCEAN, landing)
    assert together == one_by_one
    quarantined = [(q[2].rsplit("/", 1)[1], q[3]) for q in together["quarantine"]]
    assert quarantined == [("b.csv", 3), ("b.csv", 4), ("c.csv", 2)]
    assert [r[-2] for r in together["raw"] if r[-3].endswith("b.csv")] == [2, 5]  # ad3, ad5 keep their lines
    assert [(r[2].rsplit("/", 1)[1], r[4], r[5], r[6]) for r in together["load_log"]] == [
        ("a.csv", 2, 2, 0),
        ("b.csv", 4, 2, 2),
        ("c.csv", 2, 1, 1),
        ("d.csv", 1, 1, 0),
        ("e.csv", 0, 0, 0),
    ]


def test_a_batch_of_json_and_jsonl_files_read_together_matches_file_by_file(tmp_path):
    landing = tmp_path / "landing"
    tencent = get_contract("tencent_ads_daily_reports")
    base = {"date": DAY, "account_id": "1", "campaign_id": "c", "adgroup_id": "g", "view_count": 100}
    for i, day in enumerate(DAYS):
        dated = dict(base, date=day)
        records = [dict(dated, dynamic_creative_id=f"d{i}{j}", valid_click_count=3, cost=5) for j in range(2)]
        records.append(dict(dated, dynamic_creative_id=f"dx{i}", valid_click_count="3.5", cost=1))
        land(landing, tencent.name, f"t{i}.json", json.dumps({"data": {"list": records}}), day=day)
    land(landing, tencent.name, "empty.json", json.dumps({"data": {"list": []}}), day=DAYS[1])
    together, one_by_one = _load_both_ways(tmp_path / "json", tencent, landing)
    assert together == one_by_one and len(together["raw"]) == 6 and len(together["quarantine"]) == 3

    events = get_contract("app_events")
    for i, day in enumerate(DAYS):
        good = {
            "event_id": f"e{i}",
            "event_name": "visit",
            "event_at": "2026-06-18T16:00:00Z",
            "anonymous_id": "a",
        }
        lines = ["{not json", json.dumps(good), "[1]", json.dumps(dict(good, event_id=f"f{i}"))]
        land(landing, events.name, f"e{i}.jsonl", "\n".join(lines[i % 2 :]) + "\n", day=day)
    together, one_by_one = _load_both_ways(tmp_path / "jsonl", events, landing)
    assert together == one_by_one and len(together["raw"]) == 6
    assert [(q[2].rsplit("/", 1)[1], q[3]) for q in together["quarantine"]] == [
        ("e0.jsonl", 1),
        ("e0.jsonl", 3),
        ("e1.jsonl", 2),
        ("e2.jsonl", 1),
        ("e2.jsonl", 3),
    ]


def test_a_batch_of_parquet_files_with_two_schemas_matches_file_by_file(tmp_path):
    landing = tmp_path / "landing"
    contract = get_contract("app_events")
    for i, day in enumerate(DAYS):
        folder = landing / contract.name / day
        folder.mkdir(parents=True)
        extra = ", 'ios' as platform" if i == 1 else ""  # a column more in one file: its own group
        duckdb.execute(
            f"""copy (select 'e{i}_' || n as event_id, 'visit' as event_name,
                             timestamp '2026-06-18 16:00:00' + to_seconds(n) as event_at,
                             case when n = 2 then null else 'a' end as anonymous_id {extra}
                      from range(4) t(n)) to '{folder / "e.parquet"}' (format parquet)"""
        )
    together, one_by_one = _load_both_ways(tmp_path / "w", contract, landing)
    assert together == one_by_one and len(together["raw"]) == 9  # row 3 of each file lacks anonymous_id
    assert [r[-2] for r in together["raw"] if r[-3].startswith(f"{contract.name}/{DAYS[1]}")] == [1, 2, 4]
    assert [(q[2].split("/")[1], q[3]) for q in together["quarantine"]] == [(day, 3) for day in DAYS]


def _errors_both_ways(con, contract, landing) -> tuple[LoadError, LoadError]:
    from growthmart.ingest import batch, load_partitions, staging

    errors = []
    for together in (True, False):
        with pytest.MonkeyPatch.context() as mp:
            if not together:
                mp.setattr(
                    batch, "stage_batch_together", lambda *_: (_ for _ in ()).throw(staging.FileByFile())
                )
            with pytest.raises(LoadError) as err:
                load_partitions(con, contract, landing, DAYS)
        errors.append(err.value)
    return errors[0], errors[1]


def test_a_bad_file_in_a_batch_fails_exactly_as_when_loaded_on_its_own(env):
    landing, con = env
    land(landing, OCEAN.name, "a.csv", HEADER + "\n" + ocean_row("ad1") + "\n")
    rows = [ocean_row(f"ad{i}", impressions="many", day=DAYS[1]) for i in range(3)]
    bad = land(landing, OCEAN.name, "b.csv", HEADER + "\n" + "\n".join(rows) + "\n", day=DAYS[1])
    land(landing, OCEAN.name, "c.csv", HEADER + "\n" + ocean_row("ad9", day=DAYS[2]) + "\n", day=DAYS[2])
    together, one_by_one = _errors_both_ways(con, OCEAN, landing)
    assert (together.file, together.row, together.column) == (str(bad), 2, "展示数")
    assert str(together) == str(one_by_one)
    # problems found while staging (a missing column, an unparseable file) come first, in file order
    for name, content in [("x.csv", bytes(range(256)) * 4), ("w.csv", HEADER.replace(",展示数", "") + "\n")]:
        path = land(landing, OCEAN.name, name, content, day=DAYS[2])
        together, one_by_one = _errors_both_ways(con, OCEAN, landing)
        assert together.file == str(path) and str(together) == str(one_by_one)
    assert counts(con, OCEAN.name) == (0, 0)


def test_a_file_name_with_glob_characters_is_loaded_as_itself(tmp_path):
    landing = tmp_path / "landing"
    land(landing, OCEAN.name, "r[1].csv", HEADER + "\n" + ocean_row("ad1") + "\n")
    land(landing, OCEAN.name, "r1.csv", HEADER + "\n" + ocean_row("ad2") + "\n" + ocean_row("ad3") + "\n")
    land(landing, OCEAN.name, "r*.csv", HEADER + "\n" + ocean_row("ad4", day=DAYS[1]) + "\n", day=DAYS[1])
    together, one_by_one = _load_both_ways(tmp_path / "w", OCEAN, landing)
    assert together == one_by_one
    assert [(Path(r[2]).name, r[4]) for r in together["load_log"]] == [
        ("r1.csv", 2),
        ("r[1].csv", 1),
        ("r*.csv", 1),
    ]


def test_batches_hold_whole_days_up_to_the_byte_budget(tmp_path):
    from growthmart.ingest import plan_batches

    landing = tmp_path / "landing"
    days = [f"2026-06-{d:02d}" for d in range(1, 8)]
    for day, size in zip(days, [10, 10, 10, 50, 0, 10, 10], strict=True):
        if size:
            land(landing, OCEAN.name, "r.csv", "x" * size, day=day)
    assert (
        plan_batches(landing, OCEAN, days, max_bytes=30)
        == [
            days[0:3],
            days[3:4],  # larger than the budget: a batch of its own
            days[4:7],
        ]
    )
    assert plan_batches(landing, OCEAN, days) == [days]
    assert plan_batches(landing, OCEAN, []) == []


@pytest.mark.filterwarnings("ignore:Parameter `backfill_policy`")
def test_a_range_run_records_each_partition_with_its_own_days_figures(tmp_path):
    import dagster as dg

    from assets.ingest.raw_assets import build_raw_asset
    from assets.resources import WarehouseResource

    data = tmp_path / "data"
    landing = data / "landing"
    land(
        landing,
        OCEAN.name,
        "a.csv",
        HEADER + "\n" + ocean_row("ad1") + "\n" + ocean_row("ad2", clicks="x") + "\n",
    )
    land(landing, OCEAN.name, "b.csv", HEADER + "\n" + ocean_row("ad3", day=DAYS[1]) + "\n", day=DAYS[1])
    with dg.instance_for_test() as instance:
        result = dg.materialize(
            [build_raw_asset(OCEAN)],
            resources={"warehouse": WarehouseResource(data_dir=str(data))},
            instance=instance,
            tags={
                "dagster/asset_partition_range_start": DAYS[0],
                "dagster/asset_partition_range_end": DAYS[2],
            },
        )
    assert result.success
    meta = {
        m.partition: {k: v.value for k, v in m.materialization.metadata.items()}
        for m in result.get_asset_materialization_events()
    }
    assert sorted(meta) == DAYS  # one materialization per partition: the UI's partition status
    assert meta[DAYS[0]] == {
        "files": 1,
        "rows_landed": 2,
        "rows_loaded": 1,
        "rows_quarantined": 1,
        "dagster/row_count": 1,
        "quarantine_reasons": {"点击数: cannot parse <value> as int": 1},
    }
    assert meta[DAYS[1]]["rows_loaded"] == 1 and "quarantine_reasons" not in meta[DAYS[1]]
    assert meta[DAYS[2]] == {
        "files": 0,
        "rows_landed": 0,
        "rows_loaded": 0,
        "rows_quarantined": 0,
        "dagster/row_count": 0,
    }

    with dg.instance_for_test() as instance:  # the nightly shape: one partition
        result = dg.materialize(
            [build_raw_asset(OCEAN)],
            resources={"warehouse": WarehouseResource(data_dir=str(data))},
            instance=instance,
            partition_key=DAYS[1],
        )
    (event,) = result.get_asset_materialization_events()
    assert event.partition == DAYS[1] and event.materialization.metadata["rows_loaded"].value == 1


# ---------------------------------------------------------------- optional columns added to a contract later

COSTS = get_contract("non_ad_costs")
ITEMS = get_contract("content_items")
OLD_COSTS_HEADER = "cost_id,cost_date,campaign_id,cost_type,amount,currency,description"


def test_older_exports_without_the_new_optional_columns_load_them_as_null(env):
    landing, con = env
    land(
        landing,
        COSTS.name,
        "old.csv",
        f"{OLD_COSTS_HEADER}\nNC1,{DAY},cmp1,production,120.00,CNY,wx_00001 制作费\n",
    )
    land(
        landing,
        ITEMS.name,
        "old.csv",
        "content_id,channel,content_type,title,author,utm_campaign,published_at,duration_seconds\n"
        f"wx_00001,wechat_oa,article,标题,编辑,ct_wx,{DAY}T02:00:00Z,\n",
    )
    assert load_partition(con, COSTS, landing, DAY).rows_loaded == 1
    assert load_partition(con, ITEMS, landing, DAY).rows_loaded == 1
    assert con.execute("select cost_type, content_id from raw.non_ad_costs").fetchall() == [
        ("production", None)
    ]
    assert con.execute("select content_id, topic from raw.content_items").fetchall() == [("wx_00001", None)]


def test_an_existing_raw_table_gains_the_new_columns_in_place_and_keeps_its_rows(env):
    landing, con = env
    # A warehouse created before content_id existed: the old contract's columns, then the lineage columns.
    con.execute("create schema raw")
    con.execute(
        """create table raw.non_ad_costs (cost_id varchar, cost_date date, campaign_id varchar, cost_type varchar,
           amount decimal(18, 4), currency varchar, description varchar, _source_file varchar,
           _row_number bigint, _partition_date date, _loaded_at timestamp)"""
    )
    con.execute(
        "insert into raw.non_ad_costs values ('NC0', '2026-06-17', 'cmp1', 'kol_fee', 500, 'CNY', 'fee', "
        "'non_ad_costs/2026-06-17/a.csv', 2, '2026-06-17', '2026-06-17 01:00:00')"
    )
    # One new export with content_id and one older one without it, loaded together (one batch, two layouts).
    land(
        landing,
        COSTS.name,
        "new.csv",
        f"{OLD_COSTS_HEADER},content_id\nNC1,{DAY},cmp1,content_boost,300.00,CNY,DOU+,dy_00007\n",
    )
    land(
        landing, COSTS.name, "older.csv", f"{OLD_COSTS_HEADER}\nNC2,{DAY},cmp1,production,80.00,USD,制作费\n"
    )
    part = load_partition(con, COSTS, landing, DAY)
    assert (part.rows_loaded, part.rows_quarantined) == (2, 0)
    columns = [r[0] for r in con.execute("describe raw.non_ad_costs").fetchall()]
    assert set(columns) == {
        *COSTS.column_names,
        "_source_file",
        "_row_number",
        "_partition_date",
        "_loaded_at",
    }
    rows = con.execute(
        "select cost_id, cost_type, amount, content_id, _partition_date from raw.non_ad_costs order by cost_id"
    ).fetchall()
    assert [(r[0], r[1], float(r[2]), r[3], str(r[4])) for r in rows] == [
        ("NC0", "kol_fee", 500.0, None, "2026-06-17"),
        ("NC1", "content_boost", 300.0, "dy_00007", DAY),
        ("NC2", "production", 80.0, None, DAY),
    ]
    # Upgrading again is a no-op.
    load_partition(con, COSTS, landing, DAY)
    assert con.execute("select count(*) from raw.non_ad_costs").fetchone()[0] == 3
