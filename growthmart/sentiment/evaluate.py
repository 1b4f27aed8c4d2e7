"""Measure a sentiment scorer on the hand-labelled evaluation set: `make eval-sentiment`.

    python -m growthmart.sentiment.evaluate [--scorer NAME] [--split all|dev|test] [--errors]

Prints the scorer's name and version, n, accuracy, per-class recall and precision, the confusion matrix,
accuracy per category and split, and SnowNLP alone on the same sentences for comparison. The recorded figures
are in docs/sentiment.md (tests/sentiment/test_sentiment_quality.py reads them from there).

eval_set.csv: text, label (positive | neutral | negative), category, split. `dev` (a third, by text hash) is the
only part rule changes may be looked at against (`--split dev --errors`); `test` is for measuring.
"""

from __future__ import annotations

import argparse
import csv
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from growthmart.sentiment.scorers import LABELS, Scorer, SnowNLPScorer, get_scorer

EVAL_SET = Path(__file__).with_name("eval_set.csv")
SPLITS = ("all", "dev", "test")


@dataclass(frozen=True)
class Example:
    text: str
    label: str
    category: str
    split: str


@dataclass(frozen=True)
class Evaluation:
    """A scorer's answers on examples, and the figures computed from them."""

    examples: list[Example]
    predicted: list[str]

    @property
    def n(self) -> int:
        return len(self.examples)

    @property
    def confusion(self) -> Counter:
        """(true label, predicted label) -> count."""
        return Counter((e.label, p) for e, p in zip(self.examples, self.predicted, strict=True))

    @property
    def accuracy(self) -> float:
        return sum(self.confusion[(label, label)] for label in LABELS) / self.n if self.n else 0.0

    def recall(self, label: str) -> float:
        actual = sum(n for (true, _), n in self.confusion.items() if true == label)
        return self.confusion[(label, label)] / actual if actual else 0.0

    def precision(self, label: str) -> float:
        said = sum(n for (_, pred), n in self.confusion.items() if pred == label)
        return self.confusion[(label, label)] / said if said else 0.0

    def where(self, keep) -> Evaluation:
        pairs = [(e, p) for e, p in zip(self.examples, self.predicted, strict=True) if keep(e)]
        return Evaluation([e for e, _ in pairs], [p for _, p in pairs])


def load_eval_set(path: Path = EVAL_SET, split: str = "all") -> list[Example]:
    with path.open(encoding="utf-8", newline="") as f:
        examples = [Example(r["text"], r["label"], r["category"], r["split"]) for r in csv.DictReader(f)]
    bad = [e for e in examples if e.label not in LABELS]
    if bad:
        raise ValueError(f"{path}: labels must be one of {LABELS}: {bad[:3]}")
    return examples if split == "all" else [e for e in examples if e.split == split]


def evaluate(scorer: Scorer, examples: list[Example]) -> Evaluation:
    return Evaluation(examples, [s.label for s in scorer.score_batch([e.text for e in examples])])


def report(result: Evaluation, baseline: Evaluation, scorer: Scorer, split: str) -> str:
    lines = [
        f"scorer: {scorer.name} {scorer.version}",
        f"eval set: {EVAL_SET.name}, split {split}, n={result.n}",
        f"accuracy: {result.accuracy:.3f}",
        "",
        f"{'class':<10}{'n':>5}{'recall':>9}{'precision':>11}",
    ]
    for label in LABELS:
        actual = sum(1 for e in result.examples if e.label == label)
        lines.append(f"{label:<10}{actual:>5}{result.recall(label):>9.3f}{result.precision(label):>11.3f}")
    lines += [
        "",
        "confusion (rows: true label, columns: predicted)",
        " " * 10 + "".join(f"{p:>10}" for p in LABELS),
    ]
    for true in LABELS:
        lines.append(f"{true:<10}" + "".join(f"{result.confusion[(true, p)]:>10}" for p in LABELS))
    lines += ["", "accuracy by category and split"]
    for category in sorted({e.category for e in result.examples}):
        part = result.where(lambda e, c=category: e.category == c)
        lines.append(f"  {category:<12}{part.accuracy:>7.3f}  (n={part.n})")
    for name in ("dev", "test"):
        part = result.where(lambda e, s=name: e.split == s)
        if part.n:
            lines.append(f"  split {name:<6}{part.accuracy:>7.3f}  (n={part.n})")
    lines += [
        "",
        f"snownlp alone ({baseline.n} sentences, neutral between 0.4 and 0.6): accuracy {baseline.accuracy:.3f}; "
        + ", ".join(f"{label} recall {baseline.recall(label):.3f}" for label in LABELS),
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--scorer", help="a scorer name (default: GROWTHMART_SENTIMENT_SCORER, else snownlp_rules)"
    )
    parser.add_argument("--split", choices=SPLITS, default="all")
    parser.add_argument("--errors", action="store_true", help="list the misread sentences (look at dev only)")
    args = parser.parse_args(argv)
    scorer = get_scorer(args.scorer)
    examples = load_eval_set(split=args.split)
    result = evaluate(scorer, examples)
    print(report(result, evaluate(SnowNLPScorer(), examples), scorer, args.split))
    if args.errors:
        print("\nmisread:")
        for e, p in zip(result.examples, result.predicted, strict=True):
            if e.label != p:
                print(f"  {e.label:>8} -> {p:<8} [{e.category}] {e.text}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
