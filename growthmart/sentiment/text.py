"""What a mention's text is reduced to before scoring, and the key its score is stored under.

Two different reductions, on purpose:
- `TEXT_HASH_SQL`: the key of a score (`nlp.mention_sentiment.text_hash`). It runs in DuckDB, where the not-yet-
  scored texts are found, and dbt models join scores back to mentions with the same expression; so it uses only
  SQL functions: Unicode NFC, runs of whitespace as one space, trimmed, lower case. A post that arrives again
  with new counts keeps its text, hence its key, and is not scored again; two posts with the same text share one
  score.
- `clean_for_scoring`: what a scorer reads. URLs and @mentions say nothing about sentiment and are dropped;
  hashtags keep their words (#避雷# is a verdict) without the # marks.
"""

from __future__ import annotations

import re
import unicodedata

# `{text}` is a SQL expression of type varchar. \pZ: Unicode separators (the ideographic space U+3000 among them).
TEXT_HASH_SQL = r"sha256(lower(trim(regexp_replace(nfc_normalize({text}), '[\s\pZ]+', ' ', 'g'))))"

URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
# An @mention runs to the next space or punctuation mark (names are Chinese or Latin, no spaces).
MENTION = re.compile(r"@[^\s@#,.!?;:，。！？；：、]+")


def text_hash_sql(column: str) -> str:
    """The DuckDB expression of the score key of the text in `column`."""
    return TEXT_HASH_SQL.format(text=column)


def clean_for_scoring(text: str | None) -> str:
    """The text a scorer reads: NFKC (full-width punctuation and letters to their plain forms), lower case, without
    URLs, @mentions and hashtag marks, whitespace collapsed."""
    text = unicodedata.normalize("NFKC", text or "").lower()
    text = URL.sub(" ", text)
    text = MENTION.sub(" ", text)
    text = text.replace("#", " ")
    return re.sub(r"\s+", " ", text).strip()
