"""The default scorer's accuracy on the hand-labelled evaluation set stays within 2 points of the figure recorded
in docs/sentiment.md (the one place it is written), and that figure belongs to the current scorer version."""

import re
from collections import Counter
from pathlib import Path

import pytest

from growthmart.sentiment import LABELS
from growthmart.sentiment.evaluate import evaluate, load_eval_set
from growthmart.sentiment.scorers import SnowNLPRulesScorer

DOC = Path(__file__).resolve().parents[2] / "docs" / "sentiment.md"
RECORDED = re.compile(
    r"^Recorded accuracy: \*\*(0\.\d+)\*\* .*scorer `(\w+)` version `([^`]+)`", re.MULTILINE
)
ALLOWED_DROP = 0.02
CATEGORIES = {
    "product",
    "service",
    "logistics",
    "price",
    "sarcasm",
    "negation",
    "emoji",
    "news",
    "competitor",
}


@pytest.fixture(scope="module")
def recorded() -> tuple[float, str, str]:
    found = RECORDED.findall(DOC.read_text(encoding="utf-8"))
    assert len(found) == 1, f"{DOC}: one line 'Recorded accuracy: **0.xxx** ... scorer `name` version `v`'"
    accuracy, name, version = found[0]
    return float(accuracy), name, version


@pytest.fixture(scope="module")
def scorer() -> SnowNLPRulesScorer:
    return SnowNLPRulesScorer()


def test_the_eval_set_is_large_balanced_and_covers_every_category():
    examples = load_eval_set()
    assert len(examples) >= 300
    per_class = Counter(e.label for e in examples)
    assert set(per_class) == set(LABELS) and min(per_class.values()) >= 80, per_class
    assert {e.category for e in examples} == CATEGORIES
    assert len({e.text for e in examples}) == len(examples), "a sentence is listed twice"
    assert {e.split for e in examples} == {"dev", "test"}


def test_accuracy_has_not_fallen_more_than_two_points_below_the_recorded_figure(recorded, scorer):
    accuracy, _, _ = recorded
    measured = evaluate(scorer, load_eval_set()).accuracy
    assert measured >= accuracy - ALLOWED_DROP, (
        f"sentiment accuracy {measured:.3f} is more than {ALLOWED_DROP:.0%} below the recorded {accuracy:.3f} "
        f"({DOC.name}); `make eval-sentiment` shows which classes and categories fell"
    )


def test_the_recorded_figure_is_the_current_scorer_versions(recorded, scorer):
    _, name, version = recorded
    assert (name, version) == (scorer.name, scorer.version), (
        f"{DOC.name} records {name} {version}, the scorer is now {scorer.name} {scorer.version}: run "
        "`make eval-sentiment` and record its figures there"
    )


def test_the_memoised_segmentation_answers_exactly_what_snownlp_answers():
    """scorers.snownlp_positive re-uses SnowNLP's word segmentation per run of Chinese characters (its cost): on
    every evaluation sentence it must give SnowNLP's own probability, bit for bit, cached or not."""
    from snownlp import SnowNLP

    from growthmart.sentiment import text
    from growthmart.sentiment.scorers import _segment_run, snownlp_positive

    cleaned = [c for c in (text.clean_for_scoring(t) for t in (e.text for e in load_eval_set())) if c]
    _segment_run.cache_clear()
    first = [snownlp_positive(c) for c in cleaned]
    again = [snownlp_positive(c) for c in cleaned]  # every run from the cache now
    assert _segment_run.cache_info().hits > 0
    assert first == again == [SnowNLP(c).sentiments for c in cleaned]
