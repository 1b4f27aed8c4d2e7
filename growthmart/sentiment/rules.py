"""Chinese sentiment rules: the evidence a text carries, read with the lexicon in lexicon.toml.

The rules fix what a bag-of-words model such as SnowNLP gets wrong on Chinese social media: negation (不太好 is
negative, 一点也不差 positive), degree words, the complaint vocabulary of product quality, service, logistics and
price, sarcasm markers (呵呵, a praised word in quotation marks) and emoji. Every word and number is in the lexicon;
this module holds only the reading procedure (lexicon.toml's header says it in one paragraph).

`evidence(text)` is a signed number: above zero positive, below negative; `growthmart.sentiment.scorers` adds
SnowNLP's opinion and applies the neutral band.
"""

from __future__ import annotations

import math
import re
import tomllib
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

LEXICON_PATH = Path(__file__).with_name("lexicon.toml")

# Clause boundaries (after NFKC: full-width ，！？ are plain). Spaces separate clauses too: "👎 别买".
CLAUSE_END = re.compile(r"([,.!?;:~…、。\s]+)")

# The kinds of words the longest-match segmentation knows.
POSITIVE, NEGATIVE, NEGATOR, STRONG, WEAK, NEUTRAL, TURN, CONCESSION = (
    "positive",
    "negative",
    "negator",
    "strong",
    "weak",
    "neutral",
    "turn",
    "concession",
)


@dataclass(frozen=True)
class Lexicon:
    """The parsed lexicon.toml; `words` maps every word to its one kind."""

    raw: dict
    words: dict[str, str]

    @classmethod
    def load(cls, path: Path = LEXICON_PATH) -> Lexicon:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
        kinds = {
            POSITIVE: [w for ws in raw["positive"].values() for w in ws],
            NEGATIVE: [w for ws in raw["negative"].values() for w in ws],
            NEGATOR: raw["negation"]["words"],
            STRONG: raw["degree"]["strong"],
            WEAK: raw["degree"]["weak"],
            NEUTRAL: raw["neutral_phrases"]["words"],
            TURN: raw["contrast"]["after"],
            CONCESSION: raw["contrast"]["before"],
        }
        words: dict[str, str] = {}
        clashes = []
        for kind, listed in kinds.items():
            for word in listed:
                word = word.lower()
                if words.get(word, kind) != kind:
                    clashes.append(f"{word!r} is {words[word]} and {kind}")
                words[word] = kind
        if clashes:
            raise ValueError(f"{path}: a word has one kind only: {'; '.join(clashes)}")
        return cls(raw=raw, words=words)

    @cached_property
    def longest(self) -> int:
        return max(map(len, self.words))

    @cached_property
    def emoji(self) -> list[tuple[str, float]]:
        """(emoji, signed weight), longest first so that ❤️ is read before ❤."""
        e = self.raw["emoji"]
        pairs = [(x, e["weight"]) for x in e["positive"]] + [(x, -e["weight"]) for x in e["negative"]]
        return sorted(pairs, key=lambda p: -len(p[0]))


@dataclass
class Reading:
    """What the rules saw in one text: the evidence and why (for tests and the evaluation's error list)."""

    evidence: float = 0.0
    hits: list[str] | None = None
    sarcasm: bool = False
    has_content: bool = False  # any letter, digit, CJK character or known emoji left after cleaning

    def add(self, amount: float, why: str) -> None:
        self.evidence += amount
        self.note(f"{why} {amount:+.2f}")

    def note(self, why: str) -> None:
        if self.hits is not None:
            self.hits.append(why)


def segment(clause: str, words: dict[str, str], longest: int) -> list[tuple[str, str | None]]:
    """Forward maximum matching: at each position the longest lexicon word, else one character of kind None."""
    out: list[tuple[str, str | None]] = []
    i = 0
    while i < len(clause):
        for size in range(min(longest, len(clause) - i), 0, -1):
            piece = clause[i : i + size]
            if piece in words:
                out.append((piece, words[piece]))
                i += size
                break
        else:
            out.append((clause[i], None))
            i += 1
    return out


def _take_emoji(text: str, lexicon: Lexicon, reading: Reading) -> str:
    """Count the emoji (capped per text) into `reading` and return the text without them."""
    cap = lexicon.raw["emoji"]["max_count"]
    total = 0.0
    for emoji, weight in lexicon.emoji:
        n = text.count(emoji)
        if n:
            text = text.replace(emoji, " ")
            total += n * weight
            reading.has_content = True
            reading.note(f"{emoji}×{n}")
    if total:
        reading.add(max(-cap, min(cap, total)), "emoji")
    return text


def _sarcasm(text: str, lexicon: Lexicon, reading: Reading) -> None:
    s = lexicon.raw["sarcasm"]
    for marker in s["markers"]:
        if marker.lower() in text:
            reading.sarcasm = True
            reading.add(-s["marker_weight"], f"sarcasm {marker}")
    for pair in s["quote_pairs"]:
        open_, close = pair[0], pair[1]
        quoted = re.findall(
            rf"{re.escape(open_)}([^{re.escape(close)}]{{1,{s['max_quoted_chars']}}}){re.escape(close)}", text
        )
        for inner in quoted:
            if _praises(inner, lexicon):
                reading.sarcasm = True
                reading.add(-s["quoted_weight"], f"quoted {inner}")


def _clause(
    tokens: list[tuple[str, str | None]], lexicon: Lexicon, question: bool, weight: float, reading: Reading
) -> bool:
    """Add one clause's sentiment words to `reading`; returns whether the clause turned (但是 …) for the next ones."""
    raw = lexicon.raw
    negated, neg_gap = False, 0
    degree, deg_gap = 1.0, 0
    turned = False
    final = _final_position(tokens, raw["clause_final_positive"]["particles"])
    for i, (word, kind) in enumerate(tokens):
        if i == final and word in raw["clause_final_positive"]["words"]:
            kind = POSITIVE  # 比之前的好, 吸水性超强; inside a clause 好 is a degree word (好可爱)
        if kind is None or kind == NEUTRAL:
            neg_gap += len(word)
            deg_gap += len(word)
            if neg_gap > raw["negation"]["max_gap"]:
                negated = False
            if deg_gap > raw["degree"]["max_gap"]:
                degree = 1.0
            continue
        if kind == NEGATOR:
            negated, neg_gap = not negated, 0
        elif kind == STRONG:
            degree, deg_gap = raw["degree"]["strong_weight"], 0
        elif kind == WEAK:
            degree, deg_gap = raw["degree"]["weak_weight"], 0
        elif kind == TURN:
            weight, turned = raw["contrast"]["after_weight"], True
        elif kind == CONCESSION:
            weight = raw["contrast"]["before_weight"]
        else:  # a sentiment word
            amount = (-1.0 if kind == NEGATIVE else 1.0) * degree * weight
            why = word
            if negated:
                amount, why = -amount * raw["negation"]["flip_weight"], f"not {word}"
            if amount > 0 and reading.sarcasm:
                amount, why = -amount, f"ironic {why}"
            if amount > 0 and question:
                amount, why = amount * raw["question"]["positive_weight"], f"{why}?"
            reading.add(amount, why)
            negated, degree = False, 1.0
    return turned


def _praises(clause: str, lexicon: Lexicon) -> bool:
    """Whether a clause holds a positive word (or ends with a clause-final one such as 好)."""
    tokens = segment(clause, lexicon.words, lexicon.longest)
    final = _final_position(tokens, lexicon.raw["clause_final_positive"]["particles"])
    return any(
        kind == POSITIVE or (i == final and word in lexicon.raw["clause_final_positive"]["words"])
        for i, (word, kind) in enumerate(tokens)
    )


def _final_position(tokens: list[tuple[str, str | None]], particles: list[str]) -> int:
    """Index of the clause's last token that is no sentence-final particle (-1 if none)."""
    i = len(tokens) - 1
    while i >= 0 and tokens[i][0] in particles:
        i -= 1
    return i


def read(text: str, lexicon: Lexicon, explain: bool = False) -> Reading:
    """The rules' evidence for an already cleaned text (growthmart.sentiment.text.clean_for_scoring)."""
    reading = Reading(hits=[] if explain else None)
    _sarcasm(text, lexicon, reading)
    rest = _take_emoji(text, lexicon, reading)
    if re.search(r"[\w\u4e00-\u9fff]", rest):
        reading.has_content = True
    parts = CLAUSE_END.split(rest)
    weight = 1.0
    endings = tuple(lexicon.raw["question"]["endings"])
    for clause, end in zip(parts[0::2], [*parts[1::2], ""], strict=True):
        if not clause:
            continue
        tokens = segment(clause, lexicon.words, lexicon.longest)
        question = "?" in end or clause.endswith(endings)
        if _clause(tokens, lexicon, question, weight, reading):
            weight = lexicon.raw["contrast"]["after_weight"]  # the rest of the text, after the turn
    return reading


def label_and_score(evidence: float, snownlp_positive: float, lexicon: Lexicon) -> tuple[str, float]:
    """The default scorer's verdict. Evidence beyond the neutral band decides alone: where a rule fires, SnowNLP is
    the model it corrects (it reads 一点也不差 as negative). Weaker evidence gets SnowNLP's share added,
    (2p - 1) × its weight, and the sum is labelled by the band. The score is the logistic of what decided (0.5
    neutral, towards 0 negative, towards 1 positive)."""
    band = lexicon.raw["thresholds"]["neutral_band"]
    total = evidence
    if abs(evidence) <= band:
        total += lexicon.raw["snownlp"]["weight"] * (2 * snownlp_positive - 1)
    label = "positive" if total > band else "negative" if total < -band else "neutral"
    return label, 1 / (1 + math.exp(-lexicon.raw["thresholds"]["score_slope"] * total))
