"""Sentiment scorers behind one small interface, chosen by `GROWTHMART_SENTIMENT_SCORER`.

A scorer has a `name` and a `version` and scores a batch of texts into (label, score): label one of LABELS,
score in [0, 1] (0.5 neutral, towards 0 negative, towards 1 positive). Every stored score records the scorer's
name and version (`nlp.mention_sentiment`), and the scoring asset re-scores everything when either differs from
the current scorer's: so `version` changes whenever what the scorer would answer may change.

- `snownlp_rules` (default): SnowNLP plus the Chinese rules of rules.py / lexicon.toml. Its version is the
  SnowNLP version and a hash of the lexicon and the rule code, so editing either re-scores.
- `snownlp`: SnowNLP alone (the evaluation's baseline), neutral between SNOWNLP_NEUTRAL.

Adding a scorer (say, a transformer model): a class with `name`, `version` and `score_batch`, listed in SCORERS.
"""

from __future__ import annotations

import functools
import hashlib
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib.metadata import version as package_version
from pathlib import Path
from typing import Protocol

from growthmart.config import SENTIMENT_SCORER_VAR
from growthmart.sentiment import rules, text

LABELS = ("positive", "neutral", "negative")
DEFAULT_SCORER = "snownlp_rules"
# SnowNLP alone has no neutral class (a Naive Bayes model of positive vs negative reviews); for the baseline a
# probability within this band counts as neutral.
SNOWNLP_NEUTRAL = (0.4, 0.6)


@dataclass(frozen=True)
class Score:
    label: str  # one of LABELS
    score: float  # in [0, 1]: 0.5 neutral, towards 0 negative, towards 1 positive


NEUTRAL = Score("neutral", 0.5)


class Scorer(Protocol):
    name: str
    version: str

    def score_batch(self, texts: Sequence[str | None]) -> list[Score]: ...


SEGMENT_CACHE_SIZE = 200_000  # distinct Chinese runs kept segmented (~100 bytes each)


@functools.lru_cache(maxsize=SEGMENT_CACHE_SIZE)
def _segment_run(run: str) -> tuple[str, ...]:
    from snownlp import seg

    return tuple(seg.single_seg(run))


def snownlp_positive(cleaned: str) -> float:
    """SnowNLP's probability that `cleaned` (non-empty) is positive: exactly `SnowNLP(cleaned).sentiments`, with
    its word segmentation (97 % of its time: a character HMM in pure Python) memoised per run of Chinese characters.
    Runs repeat across mentions (短语 like 质量太差了, 物流很快), and the segmentation of a run depends on the run
    alone. SnowNLP is imported on first use (2 s); tests/sentiment pins the equality on the evaluation set."""
    from snownlp import normal, seg, sentiment

    words: list[str] = []
    for part in seg.re_zh.split(cleaned):  # snownlp.seg.seg, with the cache
        part = part.strip()
        if not part:
            continue
        if seg.re_zh.match(part):
            words += _segment_run(part)
        else:
            words += [w.strip() for w in part.split() if w.strip()]
    verdict, probability = sentiment.classifier.classifier.classify(normal.filter_stop(words))
    return float(probability if verdict == "pos" else 1 - probability)


class SnowNLPScorer:
    """SnowNLP alone: the baseline the rules are measured against."""

    name = "snownlp"

    def __init__(self) -> None:
        low, high = SNOWNLP_NEUTRAL
        self.version = f"snownlp-{package_version('snownlp')}+neutral-{low}-{high}"

    def score_batch(self, texts: Sequence[str | None]) -> list[Score]:
        out = []
        for raw in texts:
            cleaned = text.clean_for_scoring(raw)
            if not cleaned:
                out.append(NEUTRAL)
                continue
            p = snownlp_positive(cleaned)
            low, high = SNOWNLP_NEUTRAL
            out.append(Score("positive" if p > high else "negative" if p < low else "neutral", p))
        return out


def rules_version(lexicon_path: Path = rules.LEXICON_PATH) -> str:
    """SnowNLP's version and a hash of everything the rules answer from: the lexicon, the rule code, the
    cleaning. Any edit of these files (a comment included) re-scores: cheap, and never forgotten."""
    digest = hashlib.sha256()
    for path in (Path(lexicon_path), Path(rules.__file__), Path(text.__file__)):
        digest.update(path.read_bytes())
    return f"snownlp-{package_version('snownlp')}+rules-{digest.hexdigest()[:12]}"


class SnowNLPRulesScorer:
    """SnowNLP plus the Chinese rules (negation, degree, complaint words, sarcasm, emoji): the default."""

    name = "snownlp_rules"

    def __init__(self, lexicon_path: Path = rules.LEXICON_PATH) -> None:
        self.lexicon = rules.Lexicon.load(lexicon_path)
        self.version = rules_version(lexicon_path)

    def score_batch(self, texts: Sequence[str | None]) -> list[Score]:
        out = []
        for raw in texts:
            cleaned = text.clean_for_scoring(raw)
            reading = rules.read(cleaned, self.lexicon)
            if not reading.has_content:  # empty, or only URLs / @mentions / punctuation
                out.append(NEUTRAL)
                continue
            label, score = rules.label_and_score(reading.evidence, snownlp_positive(cleaned), self.lexicon)
            out.append(Score(label, score))
        return out


SCORERS: dict[str, Callable[[], Scorer]] = {
    SnowNLPRulesScorer.name: SnowNLPRulesScorer,
    SnowNLPScorer.name: SnowNLPScorer,
}


def get_scorer(name: str | None = None) -> Scorer:
    """The scorer called `name`, else the one `GROWTHMART_SENTIMENT_SCORER` names, else the default."""
    name = name or os.environ.get(SENTIMENT_SCORER_VAR) or DEFAULT_SCORER
    if name not in SCORERS:
        raise ValueError(
            f"{SENTIMENT_SCORER_VAR}={name!r} is no sentiment scorer; choose one of {', '.join(sorted(SCORERS))}"
        )
    return SCORERS[name]()
