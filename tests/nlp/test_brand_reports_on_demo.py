"""The brand reports on the session's demo run (tests/conftest.py demo_pipeline, reused: no demo of its own): every
mention scored end to end (the scoring asset's text key equals dbt's macro text_hash), and the demo's
product-quality incident (tools/demo/market.py) caught on the day it starts, on its platform first and on weibo
and douyin the next day, with nothing else flagged."""

from datetime import date, datetime, timedelta

import duckdb
import pytest

from tools.demo.market import INCIDENT_PLATFORM, INCIDENT_SPREAD, OWN_BRAND, incident_start_day

DEMO_START, DEMO_DAYS = date(2026, 5, 1), 35  # tests/conftest.py DEMO_RUN


@pytest.fixture(scope="module")
def published(demo_pipeline):
    assert demo_pipeline["code"] == 0, demo_pipeline["summary"][-3000:]
    con = duckdb.connect(str(demo_pipeline["data"] / "published" / "growthmart.duckdb"), read_only=True)
    yield con
    con.close()


@pytest.fixture(scope="module")
def incidents(published) -> list[dict]:
    cur = published.execute("select * from reports.rpt_brand_incidents order by start_date, brand, platform")
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def test_every_demo_mention_is_scored_so_the_python_and_dbt_text_keys_agree(published):
    mentions, unscored = published.execute(
        "select sum(mentions), sum(unscored_mentions) from reports.rpt_brand_sentiment_daily"
    ).fetchone()
    assert mentions > 0 and unscored == 0


def test_the_demo_incident_is_caught_on_its_start_day_and_on_the_platforms_it_spreads_to_the_next_day(
    incidents,
):
    start = DEMO_START + timedelta(days=incident_start_day(DEMO_DAYS))
    own = {(i["platform"], i["start_date"]): i for i in incidents if i["brand"] == OWN_BRAND.name}
    first = own[(INCIDENT_PLATFORM, start)]
    assert first["is_own_brand"] and first["spike_days"] >= 1
    # its first negative post (UTC) is of the start day in Beijing, no later than the wave's first posts (from
    # 10:00 Beijing)
    day_start = datetime(start.year, start.month, start.day) - timedelta(hours=8)
    assert day_start <= first["first_negative_at"] < day_start + timedelta(days=1)
    next_day = [p for p, lag in INCIDENT_SPREAD.items() if lag == 1]
    assert {"weibo", "douyin"} <= set(next_day)
    for platform in next_day:
        assert (platform, start + timedelta(days=1)) in own, (platform, sorted(own))
    # nothing before the wave, and no competitor flagged: the demo's ordinary days are no incidents
    assert all(i["start_date"] >= start for i in incidents), incidents
    assert all(i["brand"] == OWN_BRAND.name for i in incidents), incidents
