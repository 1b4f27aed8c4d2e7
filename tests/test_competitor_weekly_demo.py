"""rpt_competitor_weekly on the session's demo run (tests/conftest.py): the demo's price cut (tools/demo/market.py,
PRICE_CUT_COMPETITOR cuts every listing 25 % during our recall activity) shows in the week it starts."""

import datetime as dt

import duckdb
import pytest

from tools.demo.market import PRICE_CUT_COMPETITOR, PRICE_CUT_DEPTH, PRICE_CUT_TEXT, price_cut_days

DEMO_START = dt.date(2026, 5, 1)  # tests/conftest.py DEMO_RUN: the demo's default start
DEMO_DAYS = 35


@pytest.fixture(scope="module")
def weekly(demo_pipeline):
    assert demo_pipeline["code"] == 0, demo_pipeline["summary"]
    con = duckdb.connect(str(demo_pipeline["data"] / "published" / "growthmart.duckdb"), read_only=True)
    frame = con.execute("select * from reports.rpt_competitor_weekly").fetchdf()
    yield frame.assign(week_start=frame.week_start.dt.date)
    con.close()


def test_the_price_cut_shows_in_the_week_it_starts(weekly):
    cut = price_cut_days(DEMO_DAYS)
    first = DEMO_START + dt.timedelta(days=cut.start)
    week = first - dt.timedelta(days=first.weekday())
    last = DEMO_START + dt.timedelta(days=cut.stop - 1)
    assert last >= week + dt.timedelta(days=6), "the cut is still on at the week's last read (its Sunday)"
    row = weekly[(weekly.brand == PRICE_CUT_COMPETITOR) & (weekly.week_start == week)].iloc[0]
    # every listing is cut; a listing already on a small promotion the week before falls by less than 25 %
    assert row.items_price_down == row.items_tracked > 0 and row.items_price_up == 0
    assert -PRICE_CUT_DEPTH - 1e-9 <= row.avg_price_change < -0.1
    assert row.max_discount == pytest.approx(PRICE_CUT_DEPTH)
    assert PRICE_CUT_TEXT in row.promotion_texts.split("；")


def test_only_the_cutting_competitor_shows_the_cut_text_and_our_brand_is_the_reference_row(weekly):
    with_text = weekly[weekly.promotion_texts.fillna("").str.contains(PRICE_CUT_TEXT, regex=False)]
    assert set(with_text.brand) == {PRICE_CUT_COMPETITOR}
    own = weekly[weekly.is_own_brand]
    assert own.brand.nunique() == 1 and (own.items_tracked == 0).all()
    # every brand every week: a full grid
    assert len(weekly) == weekly.brand.nunique() * weekly.week_start.nunique()
    assert weekly.groupby("week_start").share_of_voice.sum().dropna().apply(pytest.approx(1.0).__eq__).all()
