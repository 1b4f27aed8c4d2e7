"""Test helpers: a hand-made raw.brand_mentions in a temporary warehouse, and a scorer that counts what it is asked."""

from __future__ import annotations

from datetime import date, datetime

from growthmart.sentiment.scorers import SnowNLPRulesScorer

RAW_DDL = """
create schema if not exists raw;
create table if not exists raw.brand_mentions (
    mention_id varchar, platform varchar, text varchar, likes bigint, created_at timestamp, _partition_date date
)"""


def land(con, rows: list[tuple[str, str, str, int]], day: date) -> None:
    """Append mentions (id, platform, text, likes) as landed on `day`, the way the raw loader keeps every day."""
    con.execute(RAW_DDL)
    con.executemany(
        "insert into raw.brand_mentions values (?, ?, ?, ?, ?, ?)",
        [(i, p, t, n, datetime(day.year, day.month, day.day, 8), day) for i, p, t, n in rows],
    )


class CountingScorer:
    """The default scorer's answers under a chosen version, remembering every text it was asked."""

    name = "snownlp_rules"

    def __init__(self, version: str = "v1", fail_after: int | None = None) -> None:
        self.version = version
        self.asked: list[str] = []
        self.fail_after = fail_after
        self._real = SnowNLPRulesScorer()

    def score_batch(self, texts):
        if self.fail_after is not None and len(self.asked) >= self.fail_after:
            raise RuntimeError("scorer died mid-run")
        self.asked += list(texts)
        return self._real.score_batch(texts)
