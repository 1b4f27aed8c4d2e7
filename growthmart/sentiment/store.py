"""Score the mentions of `raw.brand_mentions` that have no score yet into `nlp.mention_sentiment`.

- A score is keyed by the text's hash (text.TEXT_HASH_SQL): a post that arrives again with new counts, or the
  same text posted twice, is scored once.
- What still needs a score is found in DuckDB (an anti-join of the raw texts' keys with the stored ones); the
  texts come to Python one batch at a time, never a whole table.
- Every score records the scorer's name and version. When any stored score was made by another scorer or another
  version, every text is scored again and the old scores are replaced in one transaction: readers see the old
  scores or the new ones, never a mix.
- No `raw.brand_mentions` (the source has never landed): nothing is scored, the empty `nlp.mention_sentiment`
  is created so that its readers find it, and `ScoringRun.raw_missing` says so.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import duckdb
import pyarrow as pa

from growthmart.sentiment.scorers import Scorer
from growthmart.sentiment.text import text_hash_sql

RAW_SCHEMA, RAW_TABLE = "raw", "brand_mentions"
SCORES_TABLE = "nlp.mention_sentiment"
DEFAULT_BATCH_SIZE = 2000  # texts per scorer call (one progress line): ≤ 10 s of the default scorer, ~1 MB

SCORES_DDL = f"""
create table if not exists {SCORES_TABLE} (
    text_hash varchar not null,       -- sha256 of the normalised text (growthmart/sentiment/text.py)
    label varchar not null,           -- positive | neutral | negative
    score double not null,            -- [0, 1]: 0.5 neutral, towards 0 negative, towards 1 positive
    scorer varchar not null,          -- the scorer's name (GROWTHMART_SENTIMENT_SCORER)
    scorer_version varchar not null,  -- its version: a different one re-scores everything
    scored_at timestamp not null      -- UTC
)"""


@dataclass
class ScoringRun:
    """What one scoring pass did, counted in distinct texts (keys)."""

    scored: int = 0  # texts scored by this pass
    already_scored: int = 0  # texts of raw.brand_mentions already scored by the current scorer and version
    rescored: int = 0  # stored scores of another scorer or version, replaced by this pass
    raw_missing: bool = False
    replaced_versions: tuple[str, ...] = ()  # "<scorer> <version>" of the replaced scores


def raw_table_exists(con: duckdb.DuckDBPyConnection) -> bool:
    return bool(
        con.execute(
            "select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
            [RAW_SCHEMA, RAW_TABLE],
        ).fetchone()[0]
    )


def score_new_mentions(
    con: duckdb.DuckDBPyConnection,
    scorer: Scorer,
    batch_size: int = DEFAULT_BATCH_SIZE,
    say: Callable[[str], object] = print,
) -> ScoringRun:
    """Score what has no score from the current scorer yet (everything, when stored scores are from another
    scorer or version) and store it; returns the counts."""
    con.execute("create schema if not exists nlp")
    con.execute(SCORES_DDL)
    if not raw_table_exists(con):
        return ScoringRun(raw_missing=True)
    stale = con.execute(
        f"""select scorer, scorer_version, count(*) from {SCORES_TABLE}
            where scorer <> ? or scorer_version <> ? group by all order by all""",
        [scorer.name, scorer.version],
    ).fetchall()
    rescore = bool(stale)
    # Every distinct text key of the raw mentions (one text per key), less those already scored unless re-scoring.
    unscored = "" if rescore else f"anti join {SCORES_TABLE} s using (text_hash)"
    con.execute(
        f"""create or replace temp table _to_score as
            select text_hash, text, row_number() over (order by text_hash) as n
            from (
                select text_hash, any_value(text) as text
                from (select {text_hash_sql("text")} as text_hash, text
                      from {RAW_SCHEMA}.{RAW_TABLE} where text is not null)
                group by text_hash
            ) m {unscored}"""
    )
    todo = con.execute("select count(*) from _to_score").fetchone()[0]
    keys = con.execute(
        f"select count(distinct {text_hash_sql('text')}) from {RAW_SCHEMA}.{RAW_TABLE} where text is not null"
    ).fetchone()[0]
    con.execute("create or replace temp table _scored (text_hash varchar, label varchar, score double)")
    for start in range(0, todo, batch_size):
        rows = con.execute(
            "select text_hash, text from _to_score where n > ? and n <= ? order by n",
            [start, start + batch_size],
        ).fetchall()
        scores = scorer.score_batch([text for _, text in rows])
        batch = pa.table(
            {
                "text_hash": [key for key, _ in rows],
                "label": [s.label for s in scores],
                "score": [float(s.score) for s in scores],
            }
        )
        con.register("_batch", batch)
        con.execute("insert into _scored select text_hash, label, score from _batch")
        con.unregister("_batch")
        say(f"mention sentiment: {min(start + batch_size, todo)}/{todo} texts scored ({scorer.name})")
    scored_at = datetime.now(UTC).replace(tzinfo=None)
    con.begin()
    try:
        if rescore:
            con.execute(f"delete from {SCORES_TABLE}")
        con.execute(
            f"insert into {SCORES_TABLE} select text_hash, label, score, ?, ?, ? from _scored",
            [scorer.name, scorer.version, scored_at],
        )
        con.commit()
    except BaseException:
        con.rollback()
        raise
    finally:
        con.execute("drop table if exists _to_score")
        con.execute("drop table if exists _scored")
    return ScoringRun(
        scored=todo,
        already_scored=keys - todo,
        rescored=sum(n for _, _, n in stale),
        replaced_versions=tuple(f"{name} {version}" for name, version, _ in stale),
    )
