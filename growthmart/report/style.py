"""What a code looks like on the pages: its label and its colour, the same on every chart of every page.

Channels, ad platforms and social platforms are declared once with their labels and colours (the channels seed,
growthmart/contracts.py) and published in marts.dim_code_labels; the series the pages draw themselves (KPIs,
lifecycle states, attribution models, ROI sign) have theirs in SERIES below. A code declared without a colour
gets one derived from the code alone (never from its position on a chart), so adding a platform moves no other
platform's colour. Every coloured trace names what it stands for in plotly's `meta` ("<code type>:<code>"): the
browser test compares one code's colour across charts and pages.
"""

from __future__ import annotations

import zlib
from typing import NamedTuple

# Colours of the series the pages themselves define, keyed "<kind>:<code>".
SERIES = {
    "metric:gmv": "#2f6fde",
    "metric:spend": "#e8743b",
    "metric:active_users": "#19a979",
    "metric:cac": "#e8743b",
    "metric:ltv_30d": "#2f6fde",
    "metric:ltv_90d": "#945ecf",
    "metric:attributed_signups": "#945ecf",
    "platform:": "#8f959e",  # spend without an ad platform: non-ad costs
    "roi:gain": "#19a979",
    "roi:loss": "#d83931",
    "state:new": "#2f6fde",
    "state:returning": "#19a979",
    "state:resurrected": "#e8a33b",
    "state:dormant": "#9aa3ad",
    "state:churned": "#d83931",
    "attribution_model:first_touch": "#2f6fde",
    "attribution_model:last_touch": "#e8743b",
    "attribution_model:linear": "#19a979",
    "attribution_model:time_decay": "#945ecf",
    "attribution_model:position_based": "#13a4b4",
}
# For codes declared without a colour: picked by a hash of the code, so the pick never depends on the others.
FALLBACK = ("#4e79a7", "#f28e2b", "#59a14f", "#b07aa1", "#76b7b2", "#edc948", "#ff9da7", "#9c755f", "#bab0ac")


def fallback_color(key: str) -> str:
    return FALLBACK[zlib.crc32(key.encode("utf-8")) % len(FALLBACK)]


class CodeStyles:
    """Labels and colours of the published codes (marts.dim_code_labels rows) in one language."""

    def __init__(self, rows: list[tuple], lang: str):
        self.lang = lang
        self._rows = {(r[0], r[1]): r[2:] for r in rows}  # (code_type, code) -> (label_zh, label_en, color)

    def label(self, code_type: str, code: str | None) -> str:
        row = self._rows.get((code_type, code))
        text = row and (row[0] if self.lang == "zh" else row[1])
        return text or (code or "")

    def color(self, code_type: str, code: str | None) -> str:
        key = f"{code_type}:{code or ''}"
        if key in SERIES:
            return SERIES[key]
        row = self._rows.get((code_type, code))
        return (row and row[2]) or fallback_color(key)


def meta(code_type: str, code: str | None) -> str:
    return f"{code_type}:{code or ''}"


class Chart(NamedTuple):
    """One chart of a page: id, title, plotly spec (None: nothing to draw), attributes of its element (the markup
    contract: data-x-period, data-period-source, data-ranked) and a note shown under it."""

    id: str
    title: str
    spec: dict | None
    attrs: dict[str, str] = {}
    note: str = ""


PARTIAL_MARK = "*"  # ends the axis label of a period the data does not cover whole (README "Reports")


def category_axis(codes: list[str], texts: list[str]) -> dict:
    """A category axis keyed by the codes (one position each) showing the texts people read."""
    return {
        "type": "category",
        "categoryorder": "array",
        "categoryarray": codes,
        "tickmode": "array",
        "tickvals": codes,
        "ticktext": texts,
        "automargin": True,
    }


def distinct_texts(texts: list[str], hints: list[list[str]]) -> list[str]:
    """The texts, each one that repeats made distinct with the first hint (then the next) that tells it apart:
    two bars never read the same."""
    out = list(texts)
    for level in range(max((len(h) for h in hints), default=0)):
        seen: dict[str, int] = {}
        for text in out:
            seen[text] = seen.get(text, 0) + 1
        if all(n == 1 for n in seen.values()):
            break
        out = [
            f"{text} ({hint[level]})" if seen[text] > 1 and level < len(hint) else text
            for text, hint in zip(out, hints, strict=True)
        ]
    return out
