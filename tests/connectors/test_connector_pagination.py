"""Every connector pages to the end with no page missing or repeated, and its pages load into the same raw rows
as the platform's file export of the same days."""

from __future__ import annotations

import math

import duckdb
import pytest
from connector_helpers import DAYS, SOURCES, raw_rows, run_pull

from growthmart.connectors.landing import MARKER, read_marker
from growthmart.connectors.specs import SPECS_BY_SOURCE
from growthmart.contracts import get_contract
from growthmart.ingest import LoadError
from growthmart.ingest.loader import load_partitions as _load

PLATFORM = {
    "ocean_engine_ad_stats": "ocean_engine",
    "tencent_ads_daily_reports": "tencent_ads",
    "baidu_keyword_stats": "baidu",
    "meta_ads_insights": "meta",
    "xiaohongshu_ads_reports": "xiaohongshu",
    "google_ads_ad_stats": "google_ads",
    "wechat_article_summary": "wechat",
}
UNPAGED = {"wechat_article_summary"}  # one call per day: the page is the day


@pytest.mark.parametrize("source", SOURCES)
def test_a_pull_lands_every_page_of_every_account_and_day(emulator, tmp_path, source):
    result = run_pull(emulator, source, DAYS, tmp_path)
    platform = PLATFORM[source]
    for day in DAYS:
        expected = {a: len(emulator.day_rows(platform, a, day)) for a in emulator.accounts(platform)}
        folder = tmp_path / "landing" / source / day
        marker = read_marker(folder)
        pages = sorted(p.name for p in folder.glob("api-*.json"))
        assert sorted(marker["pages"]) == pages
        assert result.days[day]["rows"] == sum(expected.values())
        per_page = math.inf if source in UNPAGED else 3
        assert result.days[day]["pages"] == sum(max(1, math.ceil(n / per_page)) for n in expected.values())
        assert sum(p["rows"] for p in marker["pages"].values()) == sum(expected.values())
    assert result.retries == 0 and result.rate_limit_waits == 0


@pytest.mark.parametrize("source", SOURCES)
def test_pulled_pages_load_into_the_same_raw_rows_as_the_file_export(
    emulator, demo_landing, tmp_path, source
):
    run_pull(emulator, source, DAYS, tmp_path)
    from_api = raw_rows(tmp_path / "landing", source, DAYS)
    assert from_api and from_api == raw_rows(demo_landing, source, DAYS)


def test_a_page_short_of_the_reported_total_fails_the_pull_naming_source_day_and_page(emulator, tmp_path):
    emulator.inject("ocean_engine", "lose_row", page=2)
    with pytest.raises(Exception, match=r"ocean_engine_ad_stats.*2026-05-04.*pages.*reported \d+ rows"):
        run_pull(emulator, "ocean_engine_ad_stats", DAYS[:1], tmp_path)
    assert not (tmp_path / "landing" / "ocean_engine_ad_stats" / DAYS[0] / MARKER).exists()


def test_xiaohongshu_pages_short_of_total_count_fail_the_pull(emulator, tmp_path):
    emulator.inject("xiaohongshu", "lose_row", page=2)
    with pytest.raises(
        Exception, match=r"xiaohongshu_ads_reports.*2026-05-06.*page 2: page 2 held 2 rows of 3"
    ):
        run_pull(emulator, "xiaohongshu_ads_reports", DAYS[2:], tmp_path)
    assert not (tmp_path / "landing" / "xiaohongshu_ads_reports" / DAYS[2] / MARKER).exists()


def test_baidu_advances_by_the_rows_returned_when_the_server_caps_the_page(emulator, tmp_path):
    # The connector asks for 1,000 rows a page; the emulator returns at most 3: startRow must follow the rows.
    run_pull(emulator, "baidu_keyword_stats", DAYS[:1], tmp_path)
    starts = [body["body"]["startRow"] for platform, _, _, body in emulator.requests if platform == "baidu"]
    assert starts[:3] == [0, 3, 6] and len(set(starts)) == len(starts)


def test_a_day_whose_pull_stopped_between_pages_is_refused_by_the_loader(emulator, tmp_path):
    emulator.inject("tencent_ads", "error", page=2)
    with pytest.raises(Exception, match="page 2"):
        run_pull(emulator, "tencent_ads_daily_reports", DAYS[:1], tmp_path)
    with pytest.raises(LoadError, match="incomplete API pull"):
        _load(duckdb.connect(), get_contract("tencent_ads_daily_reports"), tmp_path / "landing", DAYS[:1])


def test_every_spec_names_its_environment_variables_once():
    names = [v for spec in SPECS_BY_SOURCE.values() for v in spec.env.required]
    assert len(names) == len(set(names))
    assert all(v.startswith("GROWTHMART_") for v in names)


def test_every_spec_lands_a_declared_ad_platform_and_maps_only_its_columns():
    from growthmart.contracts import AD_PLATFORMS_BY_SOURCE

    for source, spec in SPECS_BY_SOURCE.items():
        assert source in AD_PLATFORMS_BY_SOURCE or get_contract(source).family == "content"
        unknown = set(spec.landing.columns) - set(get_contract(source).column_names)
        assert not unknown, f"{source} maps columns its contract does not declare: {unknown}"


def test_xiaohongshu_ctr_percent_text_stays_text_in_raw(emulator, tmp_path):
    """聚光 sends ctr as "x.xx%": the loader keeps it as the text it is, never a number scaled or not."""
    run_pull(emulator, "xiaohongshu_ads_reports", DAYS[:1], tmp_path)
    con = duckdb.connect()
    parts = _load(con, get_contract("xiaohongshu_ads_reports"), tmp_path / "landing", DAYS[:1])
    assert sum(p.rows_quarantined for p in parts) == 0
    types = dict(
        con.execute("select column_name, column_type from (describe raw.xiaohongshu_ads_reports)").fetchall()
    )
    assert types["ctr"] == "VARCHAR" and types["fee"].startswith("DECIMAL")
    ctrs = [r[0] for r in con.execute("select ctr from raw.xiaohongshu_ads_reports").fetchall()]
    assert ctrs and all(c.endswith("%") and float(c[:-1]) >= 0 for c in ctrs)
