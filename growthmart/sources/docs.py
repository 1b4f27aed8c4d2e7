"""docs/sources.md, rendered from the landing contracts so the documentation cannot drift from the code.

Regenerate with `python -m growthmart.sources.docs > docs/sources.md` (a test compares the two).
"""

from __future__ import annotations

from growthmart.connectors import app_db_docs
from growthmart.contracts import COLUMN_TYPES, CONTRACTS, NULL_TOKENS, Column, SourceContract

# How the loader parses each column type (growthmart/ingest/sql.py); keep in step with contracts.py.
TYPE_RULES = {
    "string": "text, surrounding blanks trimmed; an empty value is NULL",
    "int": "integer; thousands separators accepted only between groups of three digits (`1,234`); "
    "`12.5` is rejected, never rounded",
    "decimal": "exact decimal(18, 4) for money; thousands separators as for `int` (`1,234,567.89`); "
    "a fifth decimal place is rejected, never rounded",
    "double": "floating point (`2.5`, `1e3`); thousands separators, `%`, `NaN` and infinity are **not** accepted",
    "date": "`YYYY-MM-DD` or `YYYY/MM/DD`",
    "timestamp": "ISO-8601; an explicit offset (`Z`, `+08:00`) is honoured, a naive value is read as UTC; "
    "stored as a naive UTC timestamp",
    "json": "any JSON value, stored as its JSON text (e.g. Meta's `actions` list)",
}

INTRO = """\
# Landing contract: what growthmart expects from each source

This page is for data engineers pointing real exports at growthmart. Everything below the intro is
generated from `growthmart/contracts.py` by `growthmart.sources.docs.render_sources_md()`; do not edit it by
hand — change the contract and run `python -m growthmart.sources.docs > docs/sources.md`.

## Folder layout

```
landing/<source>/<YYYY-MM-DD>/<file>
```

- `<source>` is the raw table name below (e.g. `ocean_engine_ad_stats`).
- `<YYYY-MM-DD>` is the partition: the Beijing (Asia/Shanghai) calendar day the files belong to — the
  report day for ad and content exports and app-store ranks, the day an event was *received* or an order was
  created or updated for user data, the day the listening, price-monitoring or ad-intelligence tool
  delivered for brand mentions and competitor watch. Loading a day replaces that day's partition, so re-landing a corrected export
  and reloading is safe.
- A day may hold several files (e.g. one per ad account); every file matching the source's file glob is
  loaded, names starting with `.` are skipped. A day with nothing to report may have no file.
- The built-in demo source (`python -m tools.demo --landing-dir data/landing`) writes files named
  `demo_*` into the same layout; regenerating replaces only `demo_*` files.

## How values are typed

Files are read as text (CSV: UTF-8, an optional BOM is ignored; JSON: the records at the records path;
JSONL: one object per line) and each column is parsed by its type:

{type_rules}

A number is loaded only when its text means one number beyond doubt; anything else is quarantined with
its text, never rewritten: `12,5` (a decimal comma?), `1,2,3`, `1,23`, `1234,567` and `,5` are ambiguous,
and currency symbols (`¥`, `$`), `%`, spaces inside a number and full-width digits are not read either.
Numeric columns are `>= 0` unless their contract declares another range (the `range` column below); a
value out of range is quarantined, and the Great Expectations raw suite checks the same ranges.

Null tokens — these values mean "no value" for every type: {null_tokens}.
A column the contract knows but a file lacks loads as NULL (a missing *required* column fails the load),
and a column the contract does not know is ignored; both are reported as warnings naming source, file
and column (the run's log, the raw asset's metadata and `raw.load_warnings`): a renamed header is seen.

## Files and rows

- A CSV record is one line, or several when a quoted field holds a newline (then the lines must together
  form exactly one record with the header's number of fields). A line that opens a quote it does not
  close is malformed: it is quarantined alone and the next line is read as a new record. Row numbers are
  the file's line numbers (the header is line 1); blank lines are not records.
- An empty file (0 bytes, or blanks only) is a failed export, in every format: it fails the load. A day
  without rows is a CSV with its header only, a JSON document with an empty record list, or no file at
  all (JSON Lines has no header: a day without events has no file).
- A file may be a symlink to a file inside the landing directory; a symlink leading out of it (or
  nowhere) fails the load, naming the link and its target.
- Daily reports whose folder day is the report day (ad stats, content daily stats, FX rates, app-store
  ranks) name their *report date* column below: a row dated another day than its folder is a misfiled export
  and is quarantined. Other sources are not bound to their folder's day (late events, order updates,
  registries, brand mentions delivered again with new counts).

## Quarantine and load failures

- A row whose value cannot be parsed as its type, is out of its range, misses a required value, is
  dated outside its folder's day (daily reports), repeats the primary key of an earlier row of the same
  partition, or is a malformed CSV / non-object JSON line is not loaded: it
  goes to `raw.quarantine_rows` with the source, file, row number, column, reason and raw text, and
  `raw.load_log` records landed = loaded + quarantined per file.
- The whole load fails, with an error naming source, file, row and column, when a file cannot be parsed
  at all, is empty, is a symlink leading out of landing, misses a required column, is a byte-identical
  duplicate of another file (in the same day or already loaded for another day), or has more than half
  of its rows bad. Landing files are never modified.
"""


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _range(col: Column) -> str:
    b = col.bounds
    low = f"{'>' if b.get('strict_min') else '>='} {b['min_value']:g}" if "min_value" in b else ""
    high = f"<= {b['max_value']:g}" if "max_value" in b else ""
    return ", ".join(x for x in (low, high) if x)


def _section(c: SourceContract) -> str:
    key_label = "JSON key" if c.format in ("json", "jsonl") else "CSV header"
    lines = [
        f"### `{c.name}`",
        "",
        _cell(c.description),
        "",
        f"- Family: {c.family}",
        f"- Format: {c.format}; file glob `{c.file_glob}`"
        + (f"; records at `{c.records_path}`" if c.records_path else ""),
        f"- Primary key: {', '.join(f'`{k}`' for k in c.primary_key)} (unique within a day's partition)",
    ]
    if c.timezone_note:
        lines.append(f"- Time zone: {c.timezone_note}")
    if c.units_note:
        lines.append(f"- Units: {c.units_note}")
    if c.report_date_column:
        lines.append(
            f"- Report date: `{c.report_date_column}` must be the folder's day (else the row is quarantined)"
        )
    if p := c.ad_platform:
        currency = f"ISO code in `{p.currency_column}`" if p.currency_column else p.currency
        lines.append(
            f"- Ad platform `{p.key}` (`platform` in the unified ad table, switch `growthmart__using_{p.key}`): "
            f"staging model `{p.staging_model}`; impressions `{p.impressions}`, clicks `{p.clicks}`; spend "
            f"`{_cell(p.spend_sql)}` in {currency}"
        )
    lines += ["", f"| {key_label} | type | required | range | description |", "|---|---|---|---|---|"]
    for col in c.columns:
        desc = col.description + (f" (JSON path `{col.json_path}`)" if col.json_path else "")
        required = "yes" if col.required else "no"
        lines.append(f"| `{col.name}` | {col.type} | {required} | {_range(col)} | {_cell(desc)} |")
    return "\n".join(lines) + "\n"


def render_sources_md() -> str:
    """The full text of docs/sources.md."""
    if set(TYPE_RULES) != set(COLUMN_TYPES):
        raise ValueError(f"TYPE_RULES must describe exactly the contract types {COLUMN_TYPES}")
    type_rules = "\n".join(f"- `{t}`: {TYPE_RULES[t]}" for t in COLUMN_TYPES)
    null_tokens = ", ".join(f"`{t}`" if t else "the empty string" for t in NULL_TOKENS)
    parts = [INTRO.replace("{type_rules}", type_rules).replace("{null_tokens}", null_tokens)]
    parts += ["## Sources", "", "| source | family | format | file glob | records path | primary key |"]
    parts.append("|---|---|---|---|---|---|")
    for c in CONTRACTS:
        path = f"`{c.records_path}`" if c.records_path else ""
        key = ", ".join(f"`{k}`" for k in c.primary_key)
        parts.append(
            f"| [`{c.name}`](#{c.name}) | {c.family} | {c.format} | `{c.file_glob}` | {path} | {key} |"
        )
    parts.append("")
    parts += [_section(c) for c in CONTRACTS]
    from growthmart.connectors.docs import render_connectors_md  # the connectors' part, from their specs

    parts.append(render_connectors_md())
    parts.append(app_db_docs.render())
    return "\n".join(parts)


if __name__ == "__main__":
    print(render_sources_md(), end="")
