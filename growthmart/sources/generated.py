"""Files generated from the declared sources (growthmart/contracts.py), so no list of sources is kept by hand.

dbt cannot import Python, so `make manifest` (orchestration/dbt_manifest.py) writes, before it parses:
  - `dbt_project/macros/ad_platforms.sql`: macro `ad_platforms()`, the declared ad platforms (key, raw source,
    staging model, report day, key, spend and currency SQL), which the ad union, the accepted values of
    `platform`, the enable switches and the raw spend reconciliation test loop over;
  - `dbt_project/macros/social_platforms.sql`: macro `social_platforms()`, the declared social platforms (key,
    labels, chart colour), which dim_code_labels reads;
  - `dbt_project/models/staging/_raw__sources.yml`: one dbt source table per landing contract;
  - `docs/sources.md`: the landing contracts for people (growthmart/sources/docs.py);
  - `dbt_project/macros/text_hash.sql`: macro `text_hash(text)`, the key of a mention text's sentiment score, from
    growthmart/sentiment/text.py TEXT_HASH_SQL, the one expression the scoring asset and the dbt models join on.
All are committed, so a plain `dbt parse`, SQLFluff or a reader works from a clone; `python -m
growthmart.sources.generated --check` (and tests/test_sources.py) fails when one drifts from the contracts.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

from growthmart.contracts import (
    AD_PLATFORMS_BY_SOURCE,
    CONTRACTS,
    SOCIAL_PLATFORM_DECLARATIONS,
    get_contract,
)
from growthmart.sentiment.text import text_hash_sql
from growthmart.sources.docs import render_sources_md

ROOT = Path(__file__).resolve().parents[2]
AD_PLATFORMS_MACRO = Path("dbt_project/macros/ad_platforms.sql")
SOCIAL_PLATFORMS_MACRO = Path("dbt_project/macros/social_platforms.sql")
RAW_SOURCES_YML = Path("dbt_project/models/staging/_raw__sources.yml")
SOURCES_MD = Path("docs/sources.md")
TEXT_HASH_MACRO = Path("dbt_project/macros/text_hash.sql")
GENERATED = "GENERATED from growthmart/contracts.py by `make manifest` (python -m growthmart.sources.generated): do not edit"


class _Jinja(str):
    """A Jinja expression, written into the macro as it is (not as a string literal)."""


def _ident(column: str) -> _Jinja:
    """The quoted column in the engine's quoting (DuckDB "..", Spark `..`): adapter.quote at compile time."""
    return _Jinja(f"adapter.quote({column!r})")


def _sql(sql: str) -> str | _Jinja:
    """A SQL fragment of the contracts, its DuckDB-quoted "columns" quoted by the engine at compile time."""
    parts = re.split(r'"([^"]+)"', sql)
    if len(parts) == 1:
        return sql
    pieces = [repr(p) if i % 2 == 0 else _ident(p) for i, p in enumerate(parts) if p or i % 2]
    return _Jinja(" ~ ".join(pieces))


def _jinja(value: object) -> str:
    """A Jinja literal of a str, or a list of them (Python's repr is valid Jinja for both); expressions as they are."""
    if isinstance(value, tuple | list):
        return "[" + ", ".join(_jinja(v) for v in value) + "]"
    return str(value) if isinstance(value, _Jinja) else repr(value)


def render_ad_platforms_macro() -> str:
    entries = []
    for source, p in AD_PLATFORMS_BY_SOURCE.items():
        c = get_contract(source)
        fields = {
            "key": p.key,
            "source": c.name,
            "staging_model": p.staging_model,
            "report_date_column": _ident(c.report_date_column),
            "key_columns": [_ident(k) for k in c.primary_key],
            "spend_sql": _sql(p.spend_sql),
            "currency_sql": _sql(p.currency_sql),
            "label_zh": p.label_zh,
            "label_en": p.label_en,
            "color": p.color,
        }
        entries.append(_jinja_dict(fields))
    return (
        f"{{#- {GENERATED}.\n"
        "    The declared ad platforms: key, raw source, staging model, report day and key columns (quoted), spend\n"
        "    and its ISO currency as SQL over a raw row, the labels readers see (Chinese, English; None: unset) and\n"
        "    the platform's chart colour (None: unset). -#}\n"
        "{% macro ad_platforms() -%}\n"
        "    {{ return([\n" + ",\n".join(entries) + "\n    ]) }}\n"
        "{%- endmacro %}\n"
    )


def _jinja_dict(fields: dict) -> str:
    body = ",\n            ".join(f"{_jinja(k)}: {_jinja(v)}" for k, v in fields.items())
    return "        {\n            " + body + "\n        }"


def render_social_platforms_macro() -> str:
    entries = [
        _jinja_dict({"key": p.key, "label_zh": p.label_zh, "label_en": p.label_en, "color": p.color})
        for p in SOCIAL_PLATFORM_DECLARATIONS
    ]
    return (
        f"{{#- {GENERATED}.\n"
        "    The declared social platforms of the brand and competitor sources (SOCIAL_PLATFORMS): key, the labels\n"
        "    readers see (Chinese, English) and the platform's chart colour. -#}\n"
        "{% macro social_platforms() -%}\n"
        "    {{ return([\n" + ",\n".join(entries) + "\n    ]) }}\n"
        "{%- endmacro %}\n"
    )


def render_raw_sources_yml() -> str:
    lines = [
        "version: 2",
        "",
        f"# {GENERATED}.",
        "# The raw layer written by growthmart/ingest/loader.py: one table per landing contract, contract column names",
        "# verbatim (Chinese headers included), plus lineage columns _source_file, _row_number, _partition_date",
        "# (landing folder day) and _loaded_at (naive UTC). Every partition is kept, so a key can appear in several",
        "# partitions: staging keeps the newest version.",
        "",
        "sources:",
        "  - name: raw",
        "    schema: raw",
        "    description: Landing files loaded under their contracts by the ingestion assets.",
        "    config:",
        "      loaded_at_field: _loaded_at",
        "      # The nightly run loads yesterday at 02:00 Asia/Shanghai: a day late is a warning, two an error.",
        "      freshness:",
        "        warn_after: {count: 30, period: hour}",
        "        error_after: {count: 54, period: hour}",
        "    tables:",
    ]
    for c in CONTRACTS:
        text = " ".join(t for t in (c.description, c.timezone_note, c.units_note) if t)
        lines += [f"      - name: {c.name}", f"        description: {json.dumps(text, ensure_ascii=False)}"]
    return "\n".join(lines) + "\n"


# The score key of growthmart/sentiment/text.py TEXT_HASH_SQL in Spark SQL (dbt on Spark, issue 15): sha2(.., 256) is
# sha256, a raw literal keeps the backslashes for Java's regex. Spark SQL has no Unicode normalization, so the text is
# not NFC-normalized first: the keys agree for NFC text (the platforms' exports and the demo); a decomposed text would
# miss its score on Spark. Kept here, not in text.py: an edit of text.py re-scores every mention (rules_version).
TEXT_HASH_SPARK_SQL = r"sha2(lower(trim(regexp_replace({text}, r'[\s\pZ]+', ' '))), 256)"


def render_text_hash_macro() -> str:
    return (
        "{#- GENERATED from growthmart/sentiment/text.py TEXT_HASH_SQL by `make manifest` (python -m\n"
        "    growthmart.sources.generated): do not edit. The key of a mention text's sentiment score\n"
        "    (nlp.mention_sentiment.text_hash, written by the scoring asset): the models join scores to mentions on it. -#}\n"
        "{% macro text_hash(text) -%}\n"
        "    {{ return(adapter.dispatch('text_hash', 'growthmart')(text)) }}\n"
        "{%- endmacro %}\n\n"
        "{% macro default__text_hash(text) -%}\n"
        f"    {text_hash_sql('{{ text }}')}\n"
        "{%- endmacro %}\n\n"
        "{% macro spark__text_hash(text) -%}\n"
        f"    {TEXT_HASH_SPARK_SQL.format(text='{{ text }}')}\n"
        "{%- endmacro %}\n"
    )


def rendered() -> dict[Path, str]:
    return {
        AD_PLATFORMS_MACRO: render_ad_platforms_macro(),
        SOCIAL_PLATFORMS_MACRO: render_social_platforms_macro(),
        RAW_SOURCES_YML: render_raw_sources_yml(),
        SOURCES_MD: render_sources_md(),
        TEXT_HASH_MACRO: render_text_hash_macro(),
    }


def stale(root: Path = ROOT) -> dict[Path, str]:
    """The generated files (paths under `root`) whose content differs from the contracts', with that content."""
    out = {}
    for rel, text in rendered().items():
        path = root / rel
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            out[path] = text
    return out


def write(root: Path = ROOT) -> list[Path]:
    """Writes the generated files that differ from the contracts' rendering; returns those written."""
    out = stale(root)
    for path, text in out.items():
        path.write_text(text, encoding="utf-8")
    return list(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--check", action="store_true", help="fail if a generated file differs, write nothing"
    )
    args = parser.parse_args(argv)
    if args.check:
        out = stale()
        for path in out:
            print(f"{path} is out of date with its declaration: run `make manifest`", file=sys.stderr)
        return 1 if out else 0
    for path in write():
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
