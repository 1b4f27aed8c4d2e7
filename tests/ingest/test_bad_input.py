"""Bad input never changes a number silently (issue 10): each rule of the loader pinned on a real DuckDB.

A value that cannot be read unambiguously is quarantined with its column and text; a malformed CSV line costs
that line only; empty files and symlinks leading out of landing fail; a misdated row of a daily report is
quarantined; a missing or unknown column is reported.
"""

from __future__ import annotations

import json

import pytest
from landing_files import DAY, HEADER, OCEAN, land

from growthmart.contracts import get_contract
from growthmart.ingest import LoadError, load_partition, load_partitions


def row(ad: str, spend: str = "5.00", impressions: str = "100", ctr: str = "5.0", day: str = DAY) -> str:
    return f"{day},acc1,prj1,项目,{ad},广告,{impressions},5,{ctr},{spend},1,"


def quarantined(con) -> list[tuple]:
    return con.execute(
        "select row_number, column_name, reason, raw_record from raw.quarantine_rows order by row_number"
    ).fetchall()


def reconciles(con, part) -> None:
    for f in part.files:
        assert f.rows_landed == f.rows_loaded + f.rows_quarantined
    log = con.execute("select sum(rows_landed), sum(rows_loaded), sum(rows_quarantined) from raw.load_log")
    assert log.fetchone() == (part.rows_landed, part.rows_loaded, part.rows_quarantined)


# ------------------------------------------------------------------------------------------------ numbers

# (column, text as landed, the value loaded or None when the row is quarantined, words the reason holds)
NUMBERS = [
    ("消耗(元)", '"1,234"', 1234, ""),
    ("消耗(元)", '"1,234,567.89"', 1234567.89, ""),
    ("消耗(元)", "12.5", 12.5, ""),
    ("消耗(元)", "-0", 0, ""),
    ("消耗(元)", "12.340000", 12.34, ""),  # trailing zeros change nothing
    ("消耗(元)", '"12,5"', None, "cannot parse '12,5' as decimal (ambiguous comma"),
    ("消耗(元)", '"1,23"', None, "'1,23'"),
    ("消耗(元)", '"1234,567"', None, "'1234,567'"),
    ("消耗(元)", '",5"', None, "',5'"),
    ("消耗(元)", "1.23456", None, "more than 4 decimal places"),
    ("消耗(元)", "¥12.50", None, "cannot parse '¥12.50'"),
    ("消耗(元)", "$12.50", None, "cannot parse '$12.50'"),
    ("消耗(元)", "12%", None, "cannot parse '12%'"),
    ("消耗(元)", "１２", None, "cannot parse '１２'"),  # full-width digits
    ("消耗(元)", "1 234", None, "cannot parse '1 234'"),
    ("消耗(元)", "1e3", None, "cannot parse '1e3'"),
    ("消耗(元)", "-5.00", None, "'-5.00' is out of range: the contract says >= 0"),
    ("展示数", '"1,234"', 1234, ""),
    ("展示数", '"1,2,3"', None, "展示数: cannot parse '1,2,3' as int (ambiguous comma"),
    ("展示数", "12.0", None, "not an integer"),
    ("展示数", "-1", None, "'-1' is out of range"),
    ("点击率(%)", "2.5", 2.5, ""),
    ("点击率(%)", "1e1", 10.0, ""),
    ("点击率(%)", '"2,5"', None, "cannot parse '2,5' as double"),
    ("点击率(%)", "nan", None, "cannot parse 'nan'"),
    ("点击率(%)", "inf", None, "cannot parse 'inf'"),
    ("点击率(%)", "2.5%", None, "cannot parse '2.5%'"),
    ("点击率(%)", "101", None, "'101' is out of range: the contract says <= 100"),
]


def test_a_number_is_loaded_only_when_its_text_means_one_number(env):
    landing, con = env
    lines = []
    for i, (column, text, _, _) in enumerate(NUMBERS):
        kwargs = {"spend": "5.00", "impressions": "100", "ctr": "5.0"}
        kwargs[{"消耗(元)": "spend", "展示数": "impressions", "点击率(%)": "ctr"}[column]] = text
        lines.append(row(f"ad{i}", **kwargs))
    land(landing, OCEAN.name, "r.csv", HEADER + "\n" + "\n".join(lines) + "\n")
    part = load_partition(con, OCEAN, landing, DAY, max_bad_fraction=1)
    reconciles(con, part)
    bad = {r[0]: r for r in quarantined(con)}
    for i, (column, text, value, words) in enumerate(NUMBERS):
        line = i + 2
        if value is None:
            assert line in bad, (column, text)
            assert bad[line][1] == column and words in bad[line][2], (text, bad[line])
            assert text.strip('"') in bad[line][3]  # the raw value is kept
        else:
            assert line not in bad, bad.get(line)
            (loaded,) = con.execute(
                f'select "{column}" from raw.ocean_engine_ad_stats where _row_number = ?', [line]
            ).fetchone()
            assert float(loaded) == value, (text, loaded)


def test_json_numbers_follow_the_same_rules(env):
    landing, con = env
    tencent = get_contract("tencent_ads_daily_reports")
    base = {"date": DAY, "account_id": "1", "campaign_id": "c", "adgroup_id": "g", "valid_click_count": 1}
    costs = [1200, "1,200", "12,00", -5, 3]
    records = [dict(base, dynamic_creative_id=f"d{i}", view_count=10, cost=c) for i, c in enumerate(costs)]
    land(landing, tencent.name, "t.json", json.dumps({"data": {"list": records}}))
    part = load_partition(con, tencent, landing, DAY)
    assert (part.rows_loaded, part.rows_quarantined) == (3, 2)
    assert sorted(r[0] for r in con.execute("select cost from raw.tencent_ads_daily_reports").fetchall()) == [
        3,
        1200,
        1200,
    ]
    assert [(r[0], r[1]) for r in quarantined(con)] == [(3, "cost"), (4, "cost")]


# ------------------------------------------------------------------------------------------- CSV records


def ten_rows(day: str = DAY) -> list[str]:
    return [row(f"ad{i}", day=day) for i in range(1, 11)]


def test_an_unbalanced_quote_costs_its_own_line_only_and_later_lines_keep_their_numbers(env):
    landing, con = env
    lines = ten_rows()
    lines[2] = row("ad3").replace("项目,ad3", '"项目,ad3')  # line 4 opens a quote it never closes
    land(landing, OCEAN.name, "r.csv", HEADER + "\n" + "\n".join(lines) + "\n")
    part = load_partition(con, OCEAN, landing, DAY)
    assert (part.rows_landed, part.rows_loaded, part.rows_quarantined) == (10, 9, 1)
    reconciles(con, part)
    ((line, column, reason, raw),) = quarantined(con)
    assert line == 4 and column is None and "unbalanced quote" in reason and raw == lines[2]
    loaded = con.execute('select _row_number, "广告ID" from raw.ocean_engine_ad_stats order by 1').fetchall()
    assert loaded == [(n, f"ad{n - 1}") for n in (2, 3, 5, 6, 7, 8, 9, 10, 11)]


def test_an_unbalanced_quote_in_a_batch_of_days_is_split_the_same_way(env):
    landing, con = env
    days = [DAY, "2026-06-19"]
    land(landing, OCEAN.name, "a.csv", HEADER + "\n" + "\n".join(ten_rows()) + "\n")
    lines = ten_rows(days[1])
    lines[2] = lines[2].replace("项目,ad3", '"项目,ad3')
    land(landing, OCEAN.name, "b.csv", HEADER + "\n" + "\n".join(lines) + "\n", day=days[1])
    parts = load_partitions(con, OCEAN, landing, days)
    assert [(p.rows_landed, p.rows_loaded, p.rows_quarantined) for p in parts] == [(10, 10, 0), (10, 9, 1)]
    assert [r[0] for r in quarantined(con)] == [4]


def test_a_quoted_newline_is_one_record_and_row_numbers_stay_physical_lines(env):
    landing, con = env
    lines = ten_rows()
    lines[2] = row("ad3").replace("广告,", '"广告\n第二行",', 1)  # record on lines 4-5
    lines[5] = ""  # a blank line (line 8) is no record
    land(landing, OCEAN.name, "r.csv", HEADER + "\n" + "\n".join(lines) + "\n")
    part = load_partition(con, OCEAN, landing, DAY)
    assert (part.rows_landed, part.rows_loaded, part.rows_quarantined) == (9, 9, 0)
    loaded = con.execute(
        'select _row_number, "广告ID", "广告名称" from raw.ocean_engine_ad_stats order by 1'
    ).fetchall()
    assert loaded[2] == (4, "ad3", "广告\n第二行")
    assert [r[0] for r in loaded] == [2, 3, 4, 6, 7, 9, 10, 11, 12]
    assert [r[1] for r in loaded][3:] == ["ad4", "ad5", "ad7", "ad8", "ad9", "ad10"]


def test_a_malformed_line_is_quarantined_once(env):
    landing, con = env
    lines = ten_rows()
    lines[2] = '"' + lines[2] + '"'  # one quoted field: DuckDB reports this line twice
    lines[4] = lines[4] + ",extra"
    land(landing, OCEAN.name, "r.csv", HEADER + "\n" + "\n".join(lines) + "\n")
    part = load_partition(con, OCEAN, landing, DAY)
    assert (part.rows_landed, part.rows_loaded, part.rows_quarantined) == (10, 8, 2)
    assert [r[0] for r in quarantined(con)] == [4, 6]


def test_a_header_spanning_lines_fails_the_file(env):
    landing, con = env
    land(landing, OCEAN.name, "r.csv", HEADER.replace("账户ID", '"账户\nID"') + "\n" + row("ad1") + "\n")
    with pytest.raises(LoadError, match="the header is not one line"):
        load_partition(con, OCEAN, landing, DAY)


# ---------------------------------------------------------------------------------------- empty files


@pytest.mark.parametrize(
    ("source", "name", "content"),
    [
        ("ocean_engine_ad_stats", "r.csv", b""),
        ("ocean_engine_ad_stats", "r.csv", b"\n\n"),
        ("tencent_ads_daily_reports", "t.json", b""),
        ("app_events", "e.jsonl", b""),
        ("app_events", "e.jsonl", b" \n"),
    ],
)
def test_an_empty_file_fails_as_a_failed_export_whatever_its_format(env, source, name, content):
    landing, con = env
    path = land(landing, source, name, content)
    with pytest.raises(LoadError, match="empty file") as err:
        load_partition(con, get_contract(source), landing, DAY)
    assert err.value.source == source and err.value.file == str(path)


def test_a_header_only_csv_and_an_empty_record_list_mean_no_rows(env):
    landing, con = env
    land(landing, OCEAN.name, "r.csv", HEADER + "\n")
    assert load_partition(con, OCEAN, landing, DAY).rows_landed == 0
    tencent, meta = get_contract("tencent_ads_daily_reports"), get_contract("meta_ads_insights")
    land(landing, tencent.name, "t.json", '{"code": 0, "data": {"list": []}}')
    land(landing, meta.name, "m.json", '{"data": []}')
    assert load_partition(con, tencent, landing, DAY).files[0].rows_landed == 0
    assert load_partition(con, meta, landing, DAY).files[0].rows_landed == 0


# ------------------------------------------------------------------------------------------------ symlinks


def test_a_symlink_leading_out_of_landing_is_refused_naming_link_and_target(env, tmp_path):
    landing, con = env
    outside = tmp_path / "elsewhere.csv"
    outside.write_text(HEADER + "\n" + row("ad1") + "\n", encoding="utf-8")
    folder = landing / OCEAN.name / DAY
    folder.mkdir(parents=True)
    link = folder / "r.csv"
    link.symlink_to(outside)
    with pytest.raises(LoadError, match="outside the landing directory") as err:
        load_partition(con, OCEAN, landing, DAY)
    assert err.value.file == str(link) and str(outside) in str(err.value)
    link.unlink()
    link.symlink_to(tmp_path / "gone.csv")
    with pytest.raises(LoadError, match="broken symlink"):
        load_partition(con, OCEAN, landing, DAY)


def test_a_symlink_inside_landing_is_followed(env):
    landing, con = env
    registry = get_contract("fx_rates")
    target = land(landing, registry.name, "fx.csv", f"rate_date,currency,rate_to_cny\n{DAY},USD,7.1\n")
    other = landing / registry.name / "shared"
    other.mkdir()
    moved = other / "fx.csv"
    target.rename(moved)
    target.symlink_to(moved)
    assert load_partition(con, registry, landing, DAY).rows_loaded == 1


# ---------------------------------------------------------------------------- dates, ranges and columns


def test_a_row_dated_outside_its_folders_day_is_quarantined_for_a_daily_report(env):
    landing, con = env
    lines = [row("ad1"), row("ad2", day="2026-06-24"), row("ad3")]
    land(landing, OCEAN.name, "r.csv", HEADER + "\n" + "\n".join(lines) + "\n")
    part = load_partition(con, OCEAN, landing, DAY)
    assert (part.rows_loaded, part.rows_quarantined) == (2, 1)
    ((line, column, reason, _),) = quarantined(con)
    assert (line, column) == (3, "日期")
    assert reason == f"日期: '2026-06-24' is not the day of its folder {DAY} (a misfiled export?)"


def test_events_are_not_bound_to_their_folders_day(env):
    landing, con = env
    events = get_contract("app_events")
    late = {"event_id": "e1", "event_name": "visit", "event_at": "2026-06-01T10:00:00Z", "anonymous_id": "a"}
    land(landing, events.name, "e.jsonl", json.dumps(late) + "\n")
    assert load_partition(con, events, landing, DAY).rows_loaded == 1


def test_out_of_range_values_are_quarantined_as_the_contract_declares(env):
    landing, con = env
    stats = get_contract("content_daily_stats")
    header = ",".join(stats.column_names)
    lines = [
        f"{DAY},c{i},douyin,{views},{rate},,,,,,,,"
        for i, (views, rate) in enumerate([("10", "0.5"), ("-3", "0.5"), ("10", "1.5"), ("0", "0")])
    ]
    land(landing, stats.name, "s.csv", header + "\n" + "\n".join(lines) + "\n")
    part = load_partition(con, stats, landing, DAY)
    assert (part.rows_loaded, part.rows_quarantined) == (2, 2)
    assert [(r[0], r[1]) for r in quarantined(con)] == [(3, "views"), (4, "completion_rate")]


def test_the_ge_raw_suite_checks_the_ranges_the_contract_declares():
    """One place for a range: a bound declared on the contract's column is the bound the GE suite checks."""
    from dataclasses import replace

    from growthmart.quality.settings import QualitySettings
    from growthmart.quality.suites import raw_expectations

    fx = get_contract("fx_rates")
    rate = replace(fx.column("rate_to_cny"), min_value=0.01, strict_min=False, max_value=50)
    changed = replace(fx, columns=tuple(rate if c.name == "rate_to_cny" else c for c in fx.columns))
    for contract, bounds in [
        (fx, {"min_value": 0, "strict_min": True}),
        (changed, {"min_value": 0.01, "max_value": 50}),
    ]:
        between = [
            e.kwargs
            for e in raw_expectations(contract, QualitySettings())
            if e.kind == "ExpectColumnValuesToBeBetween"
        ]
        assert between == [{"column": "rate_to_cny", **bounds}]


def test_a_renamed_optional_column_loads_with_a_warning_naming_source_file_and_columns(env):
    landing, con = env
    renamed = HEADER.replace("转化数", "转化次数")
    land(landing, OCEAN.name, "r.csv", renamed + "\n" + row("ad1") + "\n")
    part = load_partition(con, OCEAN, landing, DAY, run_id="run-9")
    assert part.rows_loaded == 1
    rel = f"{OCEAN.name}/{DAY}/r.csv"
    assert part.warnings == [
        f"source {OCEAN.name!r}, file {rel}: column '转化数' of the contract is missing from the file; "
        "its values load as NULL",
        f"source {OCEAN.name!r}, file {rel}: column '转化次数' is not in the contract and is ignored "
        "(renamed from '转化数'?)",
    ]
    kept = con.execute(
        "select source, source_file, column_name, run_id from raw.load_warnings order by column_name"
    ).fetchall()
    assert kept == [(OCEAN.name, rel, "转化数", "run-9"), (OCEAN.name, rel, "转化次数", "run-9")]
    land(landing, OCEAN.name, "r.csv", HEADER + "\n" + row("ad1") + "\n")  # the corrected export
    assert load_partition(con, OCEAN, landing, DAY).warnings == []
    assert con.execute("select count(*) from raw.load_warnings").fetchone()[0] == 0


def test_an_unknown_json_key_is_reported_too(env):
    landing, con = env
    events = get_contract("app_events")
    event = {"event_id": "e1", "event_name": "visit", "event_at": "2026-06-18T10:00:00Z", "anonymous_id": "a"}
    land(landing, events.name, "e.jsonl", json.dumps(dict(event, utm_sauce="x")) + "\n")
    warnings = load_partition(con, events, landing, DAY).warnings
    assert any("'utm_sauce' is not in the contract" in w for w in warnings)
    assert any("'user_id' of the contract is missing" in w for w in warnings)
