"""spend_reconciles: ROI report spend = unified ad spend + non-ad costs = raw spend converted to CNY."""

from __future__ import annotations

from datetime import date

import duckdb
import pytest
from quality_tables import contract, load_partition

from assets.quality import build_report_checks

(CHECK,) = [c for c in build_report_checks() for k in c.check_keys if k.name == "spend_reconciles"]
DAY = date(2026, 1, 5)
# Raw spend of DAY, one row per source: 100 + 50 (5000 fen) + 30 + 10 USD x 7.0 = 250 ad, 20 non-ad.
RAW_ROWS = {
    "ocean_engine_ad_stats": {"消耗(元)": 100},
    "tencent_ads_daily_reports": {"cost": 5000},
    "baidu_keyword_stats": {"消费": 30},
    "meta_ads_insights": {"spend": 10, "account_currency": "USD"},
    "non_ad_costs": {"amount": 20, "currency": "CNY"},
    "fx_rates": {"currency": "USD", "rate_to_cny": 7.0},
}


def load_raw(con: duckdb.DuckDBPyConnection, **overrides: dict) -> None:
    for source, change in RAW_ROWS.items():
        load_partition(con, contract(source), DAY, rows=1, changes={0: change | overrides.get(source, {})})


def create_models(con: duckdb.DuckDBPyConnection, ad_spend: float, non_ad: float, report: float) -> None:
    con.execute("create schema if not exists intermediate; create schema if not exists staging")
    con.execute("create schema if not exists reports")
    con.execute(
        "create or replace table intermediate.int_ad_performance_unioned as select ?::decimal(18,4) as spend_cny",
        [ad_spend],
    )
    con.execute(
        "create or replace table staging.stg_reference__non_ad_costs as select ?::decimal(18,4) as amount_cny",
        [non_ad],
    )
    con.execute(
        "create or replace table reports.rpt_campaign_roi as "
        "select * from (values ('C1', ?::double / 2), ('C2', ?::double / 2)) t(campaign_id, spend)",
        [report, report],
    )


def meta(result) -> dict:
    return {k: v.value for k, v in result.metadata.items()}


def test_spend_that_agrees_on_every_layer_reconciles(con, run_check):
    load_raw(con)
    create_models(con, ad_spend=250, non_ad=20, report=270)
    result = run_check(CHECK)
    assert result.passed, result.description
    assert meta(result)["raw_spend_by_source_cny"] == {
        "ocean_engine_ad_stats": 100.0,
        "tencent_ads_daily_reports": 50.0,
        "baidu_keyword_stats": 30.0,
        "meta_ads_insights": 70.0,
        "non_ad_costs": 20.0,
    }
    assert meta(result)["tables_read"]["unified_ads"] == "intermediate.int_ad_performance_unioned.spend_cny"
    assert meta(result)["unexpected_count"] == 0


def test_a_rounding_difference_within_the_tolerance_reconciles(con, run_check):
    load_raw(con)
    create_models(con, ad_spend=250, non_ad=20, report=270.005)
    assert run_check(CHECK).passed


def test_report_spend_that_differs_from_the_models_fails(con, run_check):
    load_raw(con)
    create_models(con, ad_spend=250, non_ad=20, report=271)
    result = run_check(CHECK)
    assert not result.passed
    assert meta(result)["report_vs_modelled_cny"] == 1.0
    assert "report_vs_modelled_cny" in result.description


def test_modelled_spend_that_lost_a_platform_fails_against_raw(con, run_check):
    load_raw(con)
    create_models(con, ad_spend=180, non_ad=20, report=200)  # Meta's 70 CNY dropped in dbt
    result = run_check(CHECK)
    assert not result.passed
    assert meta(result)["modelled_vs_raw_cny"] == -70.0


def test_a_restated_day_counts_only_its_newest_version(con, run_check):
    load_raw(con)
    restated = {"日期": DAY, "广告ID": f"广告ID-{DAY:%Y%m%d}-0", "消耗(元)": 120}
    load_partition(con, contract("ocean_engine_ad_stats"), date(2026, 1, 6), rows=1, changes={0: restated})
    create_models(con, ad_spend=270, non_ad=20, report=290)
    result = run_check(CHECK)
    assert result.passed, result.description
    assert meta(result)["raw_spend_by_source_cny"]["ocean_engine_ad_stats"] == 120.0


def test_raw_spend_without_an_fx_rate_fails(con, run_check):
    load_raw(con, meta_ads_insights={"account_currency": "HKD"})  # only a USD rate was loaded
    create_models(con, ad_spend=180, non_ad=20, report=200)
    result = run_check(CHECK)
    assert not result.passed
    assert meta(result)["raw_rows_without_fx_rate"] == 1


@pytest.mark.parametrize("dropped", ["intermediate.int_ad_performance_unioned", "reports.rpt_campaign_roi"])
def test_a_missing_table_fails_instead_of_passing(dropped, con, run_check):
    load_raw(con)
    create_models(con, ad_spend=250, non_ad=20, report=270)
    con.execute(f"drop table {dropped}")
    result = run_check(CHECK)
    assert not result.passed
    assert "cannot reconcile" in result.description


def test_xiaohongshu_fee_counts_as_yuan(con, run_check):
    load_raw(con)
    load_partition(con, contract("xiaohongshu_ads_reports"), DAY, rows=1, changes={0: {"fee": 40}})
    create_models(con, ad_spend=290, non_ad=20, report=310)
    result = run_check(CHECK)
    assert result.passed, result.description
    assert meta(result)["raw_spend_by_source_cny"]["xiaohongshu_ads_reports"] == 40.0
