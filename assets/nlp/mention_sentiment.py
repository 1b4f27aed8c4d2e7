"""The sentiment of every brand mention, scored once: `nlp.mention_sentiment`, keyed by the text's hash.

The work is growthmart/sentiment/store.py (what is new, batches, re-scoring on a new scorer version, one
transaction); the scorer is the one `GROWTHMART_SENTIMENT_SCORER` names (growthmart/sentiment/scorers.py).
Not partitioned: each materialization scores whatever landed since the last one, whichever days it came from.
"""

import dagster as dg

from assets.ingest.raw_assets import TRANSIENT_RETRY, transient_only
from assets.resources import WarehouseResource
from growthmart.sentiment import get_scorer
from growthmart.sentiment.store import SCORES_TABLE, ScoringRun, score_new_mentions
from growthmart.spark import Select, replace_from_duckdb

MENTION_SENTIMENT_KEY = dg.AssetKey(["nlp", "mention_sentiment"])
BRAND_MENTIONS_KEY = dg.AssetKey(["raw", "brand_mentions"])
NLP_GROUP = "nlp"


def run_metadata(run: ScoringRun, scorer_name: str, scorer_version: str) -> dict[str, dg.MetadataValue]:
    meta = {
        "scored": dg.MetadataValue.int(run.scored),
        "already_scored": dg.MetadataValue.int(run.already_scored),
        "rescored": dg.MetadataValue.int(run.rescored),
        "scorer": dg.MetadataValue.text(scorer_name),
        "scorer_version": dg.MetadataValue.text(scorer_version),
        "raw_missing": dg.MetadataValue.bool(run.raw_missing),
    }
    if run.replaced_versions:
        meta["replaced_versions"] = dg.MetadataValue.json(list(run.replaced_versions))
    return meta


def build_mention_sentiment_asset() -> dg.AssetsDefinition:
    @dg.asset(
        key=MENTION_SENTIMENT_KEY,
        deps=[BRAND_MENTIONS_KEY],
        group_name=NLP_GROUP,
        retry_policy=TRANSIENT_RETRY,
        kinds={"duckdb", "python"},
        description="Sentiment (positive / neutral / negative, score in [0, 1]) of every distinct mention text of "
        "raw.brand_mentions, scored once and again only when the scorer or its version changes (docs/sentiment.md).",
        metadata={"dagster/table_name": f"warehouse.{SCORES_TABLE}", "primary_key": "text_hash"},
    )
    def mention_sentiment(
        context: dg.AssetExecutionContext, warehouse: WarehouseResource
    ) -> dg.MaterializeResult:
        with transient_only(warehouse, "scoring mention sentiment"):
            scorer = get_scorer()  # an unknown GROWTHMART_SENTIMENT_SCORER fails here, naming the known ones
            # On Spark: the store's DuckDB SQL on a copy of the mentions and the stored scores, written back after
            read = {"raw.brand_mentions": Select(), SCORES_TABLE: Select()}
            with warehouse.reading(read) as con:
                run = score_new_mentions(con, scorer, say=context.log.info)
                if warehouse.on_spark:
                    replace_from_duckdb(warehouse.spark(), con, SCORES_TABLE)
        if run.raw_missing:
            context.log.warning(
                "mention sentiment: raw.brand_mentions does not exist (brand_mentions has never landed); nothing "
                f"scored, {SCORES_TABLE} is there empty"
            )
        elif run.rescored:
            context.log.info(
                f"mention sentiment: {run.rescored} scores of {', '.join(run.replaced_versions)} replaced by "
                f"{scorer.name} {scorer.version}"
            )
        context.log.info(
            f"mention sentiment: {run.scored} texts scored, {run.already_scored} already scored ({scorer.name})"
        )
        return dg.MaterializeResult(metadata=run_metadata(run, scorer.name, scorer.version))

    return mention_sentiment
