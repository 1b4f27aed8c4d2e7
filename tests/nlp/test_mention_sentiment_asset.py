"""The mention_sentiment asset materialized through Dagster on a temporary warehouse: its metadata counts what it
scored, skipped and re-scored; without raw.brand_mentions it succeeds and says so; an unknown scorer fails at once."""

# No `from __future__ import annotations`: Dagster reads the asset's annotations as classes.
from datetime import date

import dagster as dg
import pytest
from mention_tables import land

from assets.nlp import MENTION_SENTIMENT_KEY, build_mention_sentiment_asset
from assets.nlp.mention_sentiment import BRAND_MENTIONS_KEY
from assets.resources import WarehouseResource
from growthmart.config import SENTIMENT_SCORER_VAR
from growthmart.sentiment.store import SCORES_TABLE

MENTIONS = [("w1", "weibo", "质量太差了，退货！👎", 2), ("z1", "zhihu", "没毛病，推荐", 5)]


@pytest.fixture
def data(tmp_path, monkeypatch):
    monkeypatch.delenv(SENTIMENT_SCORER_VAR, raising=False)
    return tmp_path / "data"


def materialize(data) -> dg.ExecuteInProcessResult:
    return dg.materialize(
        [build_mention_sentiment_asset()],
        resources={"warehouse": WarehouseResource(data_dir=str(data))},
        instance=dg.DagsterInstance.ephemeral(),
        raise_on_error=False,
    )


def metadata(result: dg.ExecuteInProcessResult) -> dict:
    (event,) = result.get_asset_materialization_events()
    return {k: v.value for k, v in event.materialization.metadata.items()}


def test_the_asset_reads_raw_brand_mentions_and_is_the_nlp_table():
    asset = build_mention_sentiment_asset()
    assert asset.key == MENTION_SENTIMENT_KEY == dg.AssetKey(["nlp", "mention_sentiment"])
    assert asset.asset_deps[MENTION_SENTIMENT_KEY] == {BRAND_MENTIONS_KEY}
    assert asset.group_names_by_key[MENTION_SENTIMENT_KEY] == "nlp"


def test_a_run_scores_the_new_texts_and_the_next_run_none(data):
    warehouse = WarehouseResource(data_dir=str(data))
    with warehouse.connect() as con:
        land(con, MENTIONS, date(2026, 6, 1))
    first = materialize(data)
    assert first.success
    meta = metadata(first)
    assert (meta["scored"], meta["already_scored"], meta["rescored"], meta["raw_missing"]) == (2, 0, 0, False)
    assert meta["scorer"] == "snownlp_rules" and meta["scorer_version"].startswith("snownlp-0.12.3+rules-")
    with warehouse.connect() as con:
        assert sorted(r[0] for r in con.execute(f"select label from {SCORES_TABLE}").fetchall()) == [
            "negative",
            "positive",
        ]
    second = materialize(data)
    assert (metadata(second)["scored"], metadata(second)["already_scored"]) == (0, 2)


def test_switching_the_scorer_rescores_everything(data, monkeypatch):
    with WarehouseResource(data_dir=str(data)).connect() as con:
        land(con, MENTIONS, date(2026, 6, 1))
    assert materialize(data).success
    monkeypatch.setenv(SENTIMENT_SCORER_VAR, "snownlp")
    meta = metadata(materialize(data))
    assert (meta["scored"], meta["already_scored"], meta["rescored"]) == (2, 0, 2)
    assert meta["scorer"] == "snownlp" and meta["replaced_versions"][0].startswith(
        "snownlp_rules snownlp-0.12.3"
    )


def test_without_raw_brand_mentions_the_asset_succeeds_and_says_so(data):
    result = materialize(data)
    assert result.success
    assert metadata(result)["raw_missing"] is True and metadata(result)["scored"] == 0


def test_an_unknown_scorer_fails_at_once_naming_the_variable(data, monkeypatch):
    monkeypatch.setenv(SENTIMENT_SCORER_VAR, "bert")
    result = materialize(data)
    assert not result.success
    (failure,) = [e for e in result.all_events if e.event_type_value == "STEP_FAILURE"]
    assert (
        "GROWTHMART_SENTIMENT_SCORER='bert' is no sentiment scorer" in failure.step_failure_data.error.message
    )
    assert not [e for e in result.all_events if e.event_type_value == "STEP_UP_FOR_RETRY"]
