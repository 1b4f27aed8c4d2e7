"""Sentiment of Chinese social-media mentions: swappable scorers (scorers.py), the rules and lexicon of the default
one (rules.py, lexicon.toml), the score key (text.py), the hand-labelled evaluation (eval_set.csv, evaluate.py) and
the incremental scoring of `raw.brand_mentions` into `nlp.mention_sentiment` (store.py). docs/sentiment.md."""

from growthmart.sentiment.scorers import DEFAULT_SCORER, LABELS, SCORERS, Score, Scorer, get_scorer

__all__ = ["DEFAULT_SCORER", "LABELS", "SCORERS", "Score", "Scorer", "get_scorer"]
