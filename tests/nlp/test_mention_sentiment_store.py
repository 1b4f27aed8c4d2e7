"""Scoring raw.brand_mentions into nlp.mention_sentiment in a real temporary DuckDB warehouse: each text once, a
re-arriving post not again, everything again (atomically) when the scorer version changes."""

from datetime import date

import pytest
from mention_tables import CountingScorer, land

from assets.resources import WarehouseResource
from growthmart.sentiment.store import SCORES_TABLE, score_new_mentions
from growthmart.sentiment.text import text_hash_sql

DAY1, DAY2 = date(2026, 6, 1), date(2026, 6, 2)
FIRST = [
    ("w1", "weibo", "杯子漏水，客服不理人 😡 http://t.cn/A1", 3),
    ("d1", "douyin", "一点也不差，推荐！", 10),
    ("x1", "xiaohongshu", "#禾屿新品# 今天发布", 0),
]


@pytest.fixture
def warehouse(tmp_path) -> WarehouseResource:
    return WarehouseResource(data_dir=str(tmp_path / "data"))


def scores(con) -> dict[str, tuple]:
    return {r[0]: r[1:] for r in con.execute(f"select * from {SCORES_TABLE} order by text_hash").fetchall()}


def run(warehouse, scorer, **kwargs):
    with warehouse.connect() as con:
        return score_new_mentions(con, scorer, say=lambda _: None, **kwargs)


def test_new_mentions_are_scored_once_with_the_scorer_name_and_version(warehouse):
    with warehouse.connect() as con:
        land(con, FIRST, DAY1)
    scorer = CountingScorer("v1")
    first = run(warehouse, scorer, batch_size=2)  # two batches
    assert (first.scored, first.already_scored, first.rescored) == (3, 0, 0)
    assert sorted(scorer.asked) == sorted(t for _, _, t, _ in FIRST)
    with warehouse.connect() as con:
        stored = scores(con)
        labels = dict(con.execute(f"select text_hash, label from {SCORES_TABLE}").fetchall())
        by_text = dict(
            con.execute(
                f"select m.text, s.label from raw.brand_mentions m join {SCORES_TABLE} s "
                f"on s.text_hash = {text_hash_sql('m.text')}"
            ).fetchall()
        )
    assert len(stored) == 3 and set(labels.values()) <= {"positive", "neutral", "negative"}
    assert {(s[2], s[3]) for s in stored.values()} == {("snownlp_rules", "v1")}
    assert by_text[FIRST[0][2]] == "negative" and by_text[FIRST[1][2]] == "positive"
    assert by_text[FIRST[2][2]] == "neutral"

    again = run(warehouse, scorer)
    assert (again.scored, again.already_scored, again.rescored) == (0, 3, 0)
    assert len(scorer.asked) == 3


def test_a_mention_arriving_again_with_new_counts_is_not_scored_again(warehouse):
    with warehouse.connect() as con:
        land(con, FIRST, DAY1)
    scorer = CountingScorer("v1")
    run(warehouse, scorer)
    with warehouse.connect() as con:
        before = scores(con)
        # The same Weibo post with more likes (and extra spaces), and one new post.
        land(
            con,
            [
                ("w1", "weibo", "杯子漏水，客服不理人  😡 http://t.cn/A1 ", 250),
                ("b1", "bilibili", "物流太慢了", 1),
            ],
            DAY2,
        )
    second = run(warehouse, scorer)
    assert (second.scored, second.already_scored) == (1, 3)
    assert scorer.asked[3:] == ["物流太慢了"]
    with warehouse.connect() as con:
        after = scores(con)
    assert len(after) == 4
    assert {k: after[k] for k in before} == before  # the old scores untouched, scored_at included


def test_a_new_scorer_version_rescores_everything(warehouse):
    with warehouse.connect() as con:
        land(con, FIRST, DAY1)
    run(warehouse, CountingScorer("v1"))
    v2 = CountingScorer("v2")
    result = run(warehouse, v2)
    assert (result.scored, result.already_scored, result.rescored) == (3, 0, 3)
    assert result.replaced_versions == ("snownlp_rules v1",)
    assert sorted(v2.asked) == sorted(t for _, _, t, _ in FIRST)
    with warehouse.connect() as con:
        assert con.execute(f"select scorer_version, count(*) from {SCORES_TABLE} group by 1").fetchall() == [
            ("v2", 3)
        ]


def test_a_rescore_that_fails_midway_leaves_the_old_scores_whole(warehouse):
    with warehouse.connect() as con:
        land(con, FIRST, DAY1)
    run(warehouse, CountingScorer("v1"))
    with warehouse.connect() as con:
        before = scores(con)
    with pytest.raises(RuntimeError, match="mid-run"):
        run(warehouse, CountingScorer("v2", fail_after=1), batch_size=1)
    with warehouse.connect() as con:
        assert scores(con) == before


def test_without_raw_brand_mentions_nothing_is_scored_and_the_empty_table_exists(warehouse):
    result = run(warehouse, CountingScorer("v1"))
    assert result.raw_missing and result.scored == 0
    with warehouse.connect() as con:
        assert con.execute(f"select count(*) from {SCORES_TABLE}").fetchone() == (0,)
