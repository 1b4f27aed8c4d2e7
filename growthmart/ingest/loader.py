"""Load one day's landing files of one source into `raw.<source>`, quarantining rows that break the contract.

Guarantees, per (source, partition day):
- idempotent: the partition's previous rows, quarantine rows and load-log rows are replaced in one
  transaction;
- nothing is lost: every landed row ends up either in `raw.<source>` or in `raw.quarantine_rows` with a
  reason, and `raw.load_log` records landed = loaded + quarantined per file;
- a file that cannot be parsed, is empty (0 bytes or blank: a failed export), is a symlink leading out of the
  landing directory, misses a required column, duplicates another file byte for byte, or has more than
  `max_bad_fraction` of its rows bad fails the whole load with a `LoadError` naming source, file, row and
  column; the landing files are never modified;
- a value is never changed silently: one that cannot be read unambiguously, is out of its contract range, or
  dates a daily report's row to another day than its folder's sends the row to quarantine (ingest/sql.py);
- a CSV file's rows are numbered by physical line, and a malformed line costs that line only (`_split_csv`);
- a column the contract knows but a file lacks, or the other way round, is reported (`PartitionLoad.warnings`,
  `raw.load_warnings`).

Speed: a backfill loads many days per transaction (`plan_batches`), and the files of a batch are read together
(one DuckDB statement per source and file layout, not ~10 per file); see "batch staging" below.
"""

from __future__ import annotations

import csv
import difflib
import io
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from growthmart.connectors.landing import MARKER
from growthmart.contracts import SourceContract
from growthmart.ingest.api_pages import (
    IncompleteDay,
    api_landing,
    column_selects,
    day_contexts,
    is_api_page,
    page_files,
    presence_counts,
    records_select,
)
from growthmart.ingest.sql import (
    BOOKKEEPING_DDL,
    cleaned,
    ident,
    literal,
    problem,
    raw_table_ddl,
    raw_table_upgrade_ddl,
    typed,
)
from growthmart.landing_watch import sha256  # one fingerprint of a landing file, for the log and the watch

DEFAULT_MAX_BAD_FRACTION = 0.5
# A load batch (one transaction) holds whole days up to this much landing data. Every batch pays a fixed
# ~50 ms (staging, typing, replace, commit), so small sources load a year in one batch; the budget bounds the
# text staged in memory for big ones. Parquet counts PARQUET_EXPANSION times its size: it is compressed and
# staged as text.
DEFAULT_BATCH_BYTES = 128 << 20
PARQUET_EXPANSION = 4


class LoadError(Exception):
    """A landing file broke its contract so badly that the partition cannot be loaded."""

    def __init__(self, source: str, file: Path | str, message: str, row: int | None = None, column=None):
        self.source, self.file, self.row, self.column = source, str(file), row, column
        where = f"source {source!r}, file {self.file}"
        if row is not None:
            where += f", row {row}"
        if column is not None:
            where += f", column {column!r}"
        super().__init__(f"{where}: {message}")


@dataclass
class FileLoad:
    source_file: str
    sha256: str
    rows_landed: int = 0
    rows_loaded: int = 0
    rows_quarantined: int = 0
    missing_columns: list[str] = field(default_factory=list)  # known to the contract, absent from the file
    unknown_columns: list[str] = field(default_factory=list)  # in the file, unknown to the contract (ignored)

    def warnings(self, source: str) -> list[tuple[str | None, str]]:
        """(column, message) for every column the file lacks or the contract does not know."""
        where = f"source {source!r}, file {self.source_file}"
        out = [
            (c, f"{where}: column {c!r} of the contract is missing from the file; its values load as NULL")
            for c in self.missing_columns
        ]
        for c in self.unknown_columns:
            guess = difflib.get_close_matches(c, self.missing_columns, n=1, cutoff=0.6)
            hint = f" (renamed from {guess[0]!r}?)" if guess else ""
            out.append((c, f"{where}: column {c!r} is not in the contract and is ignored{hint}"))
        return out


@dataclass
class PartitionLoad:
    source: str
    partition_date: str
    files: list[FileLoad] = field(default_factory=list)
    quarantine_reasons: Counter = field(default_factory=Counter)

    @property
    def rows_landed(self) -> int:
        return sum(f.rows_landed for f in self.files)

    @property
    def rows_loaded(self) -> int:
        return sum(f.rows_loaded for f in self.files)

    @property
    def rows_quarantined(self) -> int:
        return sum(f.rows_quarantined for f in self.files)

    @property
    def warnings(self) -> list[str]:
        return [message for f in self.files for _, message in f.warnings(self.source)]


def ensure_raw_tables(con: duckdb.DuckDBPyConnection, contract: SourceContract) -> None:
    for ddl in BOOKKEEPING_DDL:
        con.execute(ddl)
    con.execute(raw_table_ddl(contract))
    for ddl in raw_table_upgrade_ddl(contract):
        con.execute(ddl)


def partition_files(landing_dir: Path, contract: SourceContract, partition_date: str) -> list[Path]:
    """A day's landing files: the contract's native format, plus Parquet with the same column names, plus the
    pages a connector landed (growthmart/ingest/api_pages.py); never the connector's completion marker."""
    folder = Path(landing_dir) / contract.name / partition_date
    if not folder.is_dir():
        return []
    found = {*folder.glob(contract.file_glob), *folder.glob("*.parquet"), *page_files(folder, contract)}
    found = {p for p in found if p.name != MARKER}
    # Symlinks are kept even when broken: `check_landing_file` judges them, a file must not vanish silently.
    return sorted(p for p in found if (p.is_file() or p.is_symlink()) and not p.name.startswith("."))


def _landed_size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:  # a broken symlink: check_landing_file reports it
        return 0


def check_landing_file(contract: SourceContract, landing_dir: Path, path: Path) -> None:
    """A landing file must be a regular file inside the landing directory, and not empty.

    - A symlink is followed only when its target lies inside the landing directory (a registry linked from
      another day, say); one pointing outside it, or nowhere, is refused: loading must read only what was
      landed.
    - A 0-byte (or blank) file is almost always a failed export, whatever the format: it fails the load. A
      day without rows is a CSV with its header only, a JSON document with an empty record list, or no
      file at all (JSON Lines has no header, so a day without events has no file).
    """
    if path.is_symlink() or not path.resolve().is_relative_to(Path(landing_dir).resolve()):
        target = path.resolve()
        if not target.exists():
            raise LoadError(contract.name, path, f"broken symlink to {target}; refused")
        if not target.is_relative_to(Path(landing_dir).resolve()):
            raise LoadError(
                contract.name, path, f"symlink to {target}, outside the landing directory; refused"
            )
    size = path.stat().st_size
    if size == 0:
        raise LoadError(contract.name, path, "empty file (0 bytes): probably a failed export")
    if size <= 4096 and not path.read_bytes().lstrip(b"\xef\xbb\xbf").strip():
        raise LoadError(contract.name, path, "empty file (blank): probably a failed export")


def plan_batches(
    landing_dir: Path,
    contract: SourceContract,
    partition_dates: list[str],
    max_bytes: int = DEFAULT_BATCH_BYTES,
) -> list[list[str]]:
    """Split `partition_dates` (in order) into load batches of at most `max_bytes` of landing data each.

    A day is never split; a day larger than the budget is a batch of its own.
    """
    batches: list[list[str]] = []
    size = 0
    for day in partition_dates:
        day_size = sum(
            _landed_size(p) * (PARQUET_EXPANSION if p.suffix == ".parquet" else 1)
            for p in partition_files(landing_dir, contract, day)
        )
        if not batches or size + day_size > max_bytes:
            batches.append([])
            size = 0
        batches[-1].append(day)
        size += day_size
    return batches


def glob_escaped(path: Path) -> str:
    """The path as a DuckDB file pattern matching only itself: DuckDB's readers expand * ? and [...]."""
    return re.sub(r"([*?\[])", r"[\1]", str(path))


def file_literal(path: Path) -> str:
    return literal(glob_escaped(path))


def _check_duplicate_files(con, contract: SourceContract, days: list[str], files: dict[Path, str]) -> None:
    """A file byte-identical to another one in this batch, or to one loaded for another day, is an error.

    `files` holds only files with data rows: two empty exports (a header, no rows) are alike, not duplicates.
    Snapshot sources may repeat across days, never within one.
    """
    seen: dict[str, Path] = {}
    for path, digest in files.items():
        if digest in seen and (not contract.is_snapshot or seen[digest].parent == path.parent):
            first = seen[digest]
            name = first.name if first.parent == path.parent else f"{first.parent.name}/{first.name}"
            raise LoadError(contract.name, path, f"byte-identical duplicate of {name}; remove one of them")
        seen[digest] = path
    if not files or contract.is_snapshot:
        return
    digests = ", ".join(literal(d) for d in files.values())
    day_list = ", ".join(f"cast({literal(d)} as date)" for d in days)
    clash = con.execute(
        f"""select source_file, partition_date, file_sha256 from raw.load_log
            where source = ? and partition_date not in ({day_list}) and file_sha256 in ({digests}) limit 1""",
        [contract.name],
    ).fetchone()
    if clash:
        dup = next(p for p, d in files.items() if d == clash[2])
        raise LoadError(
            contract.name,
            dup,
            f"byte-identical duplicate of {clash[0]} already loaded for partition {clash[1]}",
        )


def _csv_header(contract: SourceContract, path: Path) -> list[str]:
    """The CSV file's header, checked: UTF-8, present, no repeated names, every required column."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            header = next(csv.reader(fh), None)
    except (UnicodeDecodeError, csv.Error) as exc:
        raise LoadError(contract.name, path, f"unparseable file: not a UTF-8 CSV ({exc})") from exc
    if not header:
        raise LoadError(contract.name, path, "unparseable file: empty, no header row")
    with path.open("rb") as fh:
        if fh.readline().count(b'"') % 2:  # records are numbered by line from line 2 on
            raise LoadError(contract.name, path, "unparseable file: the header is not one line", row=1)
    if len(set(header)) != len(header):
        dupes = sorted(h for h, n in Counter(header).items() if n > 1)
        raise LoadError(contract.name, path, f"header repeats column(s) {dupes}")
    _require_columns(contract, path, set(header))
    return header


def _csv_options(header: list[str]) -> str:
    """read_csv options: every column as text, strict quoting, broken lines kept in `_rejects_raw`."""
    columns = "{" + ", ".join(f"{literal(h)}: 'VARCHAR'" for h in header) + "}"
    return (
        f"columns = {columns}, header = false, skip = 1, delim = ',', quote = '\"', escape = '\"', "
        "auto_detect = false, strict_mode = true, store_rejects = true, "
        "rejects_table = '_rejects_raw', rejects_scan = '_rejects_scan'"
    )


# CSV records and their line numbers. DuckDB's reader is fast but, on a malformed file, it may swallow the
# lines after an unbalanced quote into one rejected "line", report a line twice, skip blank lines without
# a trace or number records by their position: row numbers and counts would be wrong. So each CSV file is
# first scanned (`_csv_layout`): a file whose every line holds balanced quotes and no line is blank has one
# record per line, and DuckDB reads it (its result is still checked against the line count). Any other file
# is split into records here (`_split_csv`), by one rule:
#   - a line that parses on its own, with balanced quotes, is one record;
#   - a line that opens a quoted field it does not close continues on the following lines until the quote
#     closes (an embedded newline), if and only if those lines together parse as one record with exactly
#     the header's number of fields; the record's row number is the line it starts on;
#   - otherwise the line alone is malformed: it is quarantined once, with its line number, and the next line
#     is read as a new record. A blank line is no record.
# Row numbers are always the file's physical line numbers (the header is line 1).


@dataclass
class _CsvLayout:
    simple: bool  # one record per line: every line has balanced quotes and none is blank
    data_lines: int  # lines after the header


def _csv_layout(path: Path) -> _CsvLayout:
    data = path.read_bytes()
    lines = data.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    body = lines[1:]
    if b'"' not in data:
        simple = all(line.strip() for line in body)
    else:
        simple = all(line.strip() and not line.count(b'"') % 2 for line in body)
    return _CsvLayout(simple, len(body))


def _parse_csv_record(text: str) -> list[str] | None:
    """The fields of `text` when it is exactly one well-formed CSV record, else None."""
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), strict=True))
    except csv.Error:
        return None
    return rows[0] if len(rows) == 1 else None


def _split_csv(path: Path, width: int) -> tuple[list[tuple[int, list[str]]], list[tuple[int, str, str]]]:
    """([(line, fields)], [(line, reason, raw line)]) of a CSV file, by the rule above."""
    lines = path.read_bytes().split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    records, rejects = [], []

    def text(first: int, last: int) -> str | None:
        try:
            return b"\n".join(lines[first : last + 1]).decode("utf-8").removesuffix("\r")
        except UnicodeDecodeError:
            return None

    i = 1  # lines[0] is the header (line 1)
    while i < len(lines):
        line = text(i, i)
        if line is None:
            rejects.append((i + 1, "malformed CSV line: not UTF-8", lines[i].decode("utf-8", "replace")))
            i += 1
            continue
        if not line.strip():
            i += 1
            continue
        fields = _parse_csv_record(line) if not lines[i].count(b'"') % 2 else None
        end = i
        if fields is None and lines[i].count(b'"') % 2:  # a quoted field left open: an embedded newline?
            end, odd = i, True
            while odd and end + 1 < len(lines):
                end += 1
                odd ^= bool(lines[end].count(b'"') % 2)  # parity of the quotes so far
            joined = None if odd else text(i, end)
            fields = _parse_csv_record(joined) if joined is not None else None
            if fields is None or len(fields) != width:
                fields, end = None, i
        if fields is None:
            reason = (
                "malformed CSV line: unbalanced quote; the line is quarantined alone"
                if lines[i].count(b'"') % 2
                else "malformed CSV line: misplaced quote"
            )
            rejects.append((i + 1, reason, line))
        elif len(fields) != width:
            kind = "TOO MANY COLUMNS" if len(fields) > width else "MISSING COLUMNS"
            rejects.append(
                (i + 1, f"malformed CSV line: {kind}: {len(fields)} fields, the header has {width}", line)
            )
        else:
            records.append((i + 1, fields))
        i = end + 1
    return records, rejects


def _stage_csv(con, contract: SourceContract, path: Path) -> None:
    """Stage a CSV file as text into `_stage` (+ structurally broken lines into `_rejects`)."""
    header = _csv_header(contract, path)
    _record_columns(con, path, header)
    layout = _csv_layout(path)
    if layout.simple and _stage_csv_duckdb(con, contract, path, header, layout.data_lines):
        return
    records, rejects = _split_csv(path, len(header))
    columns = list(zip(*(fields for _, fields in records), strict=True)) or [() for _ in header]
    selects = [f"unnest(?::varchar[]) as {ident(h)}" for h in header]
    con.execute(
        f"create or replace temp table _stage as select {', '.join(selects)}, unnest(?::bigint[]) as _row_number",
        [*(list(c) for c in columns), [line for line, _ in records]],
    )
    _create_rejects(con, rejects)


def _create_rejects(con, rejects: list[tuple[int, str, str]]) -> None:
    con.execute(
        "create or replace temp table _rejects(_row_number bigint, reason varchar, raw_record varchar)"
    )
    if rejects:
        con.executemany("insert into _rejects values (?, ?, ?)", rejects)


def _stage_csv_duckdb(con, contract: SourceContract, path: Path, header: list[str], data_lines: int) -> bool:
    """A one-record-per-line CSV file read by DuckDB; False when its records and rejects do not add up to
    the file's lines (then `_split_csv` reads it)."""
    opts = _csv_options(header)
    con.execute("drop table if exists _rejects_raw")
    con.execute("drop table if exists _rejects_scan")
    try:
        con.execute(
            f"create or replace temp table _stage_text as "
            f"select row_number() over () as _ordinal, * from read_csv({file_literal(path)}, {opts})"
        )
        # DuckDB may report one line twice: one reject per line.
        rejects = con.execute(
            """select line, min(error_type || ': ' || error_message), min(csv_line) from _rejects_raw
               group by line order by line"""
        ).fetchall()
    except duckdb.Error as exc:
        raise LoadError(contract.name, path, f"unparseable file: {exc}") from exc
    parsed = con.execute("select count(*) from _stage_text").fetchone()[0]
    if parsed + len(rejects) != data_lines or any("\n" in (r[2] or "").rstrip("\r\n") for r in rejects):
        return False
    # Line of the k-th parsed record = k + 1 (header) + rejected lines before it (one line per record);
    # reject j at line r_j has r_j - 1 - j parsed records before it.
    con.execute("create or replace temp table _reject_lines(line bigint, seq bigint)")
    if rejects:
        con.executemany(
            "insert into _reject_lines values (?, ?)", [(r[0], i + 1) for i, r in enumerate(rejects)]
        )
    con.execute(
        """create or replace temp table _stage as
           select s.* exclude (_ordinal),
                  s._ordinal + 1 + (select count(*) from _reject_lines r where r.line - 1 - r.seq < s._ordinal)
                      as _row_number
           from _stage_text s"""
    )
    _create_rejects(con, [(line, f"malformed CSV line: {msg}", raw) for line, msg, raw in rejects])
    return True


def _record_columns(con, path: Path, names) -> None:
    """Remember the columns (CSV header, JSON keys, Parquet schema) a file has: missing and unknown ones are
    reported as warnings."""
    names = list(names)
    if names:
        con.execute("insert into _columns_seen select ?, unnest(?::varchar[])", [str(path), names])


def _stage_json_records(con, contract: SourceContract, path: Path) -> None:
    """Stage JSON records (`records_sql` yields _row_number, rec json) as text into `_stage`."""
    present = con.execute(
        "select "
        + ", ".join(
            f"count(*) filter (where json_exists(rec, {literal(_column_path(c))}))" for c in contract.columns
        )
        + " from _records"
    ).fetchone()
    have = {c.name for c, n in zip(contract.columns, present, strict=True) if n}
    total = con.execute("select count(*) from _records").fetchone()[0]
    keys = con.execute("select distinct unnest(json_keys(rec)) from _records order by 1").fetchall()
    _record_columns(con, path, _seen_names(contract, [k for (k,) in keys], have))
    if total:
        _require_columns(contract, path, have)
    extracts = [f"{_extract('rec', c)} as {ident(c.name)}" for c in contract.columns]
    con.execute(
        f"create or replace temp table _stage as select {', '.join(extracts)}, _row_number from _records"
    )


def _json_path(key: str) -> str:
    return '$."' + key.replace('"', '\\"') + '"'


# Nested JSON records (Google Ads' REST rows): a column declaring `json_path` is read at that path, and the
# columns seen in a file are then the contract columns present (nested objects are not columns themselves).
def _column_path(c) -> str:
    return c.json_path or _json_path(c.name)


def _extract(rec: str, c) -> str:
    if c.json_path is None:  # the flat sources keep their original expression
        return f"{rec} {'->' if c.type == 'json' else '->>'} {literal(c.name)}"
    return f"{'json_extract' if c.type == 'json' else 'json_extract_string'}({rec}, {literal(c.json_path)})"


def _nested_roots(contract: SourceContract) -> set[str]:
    """Top-level record keys that hold nested columns ('customer' of '$.customer.id')."""
    return {c.json_path[2:].split(".")[0].split("[")[0] for c in contract.columns if c.json_path}


def _seen_names(contract: SourceContract, keys: list[str], have: set[str]) -> list[str]:
    roots = _nested_roots(contract)
    if not roots:
        return keys
    nested = {c.name for c in contract.columns if c.json_path}
    return sorted({k for k in keys if k not in roots} | (have & nested))


def _stage_json(con, contract: SourceContract, path: Path) -> None:
    try:
        con.execute(
            f"""create or replace temp table _records as
                with doc as (select cast(content as json) as j from read_text({file_literal(path)})),
                arr as (select cast(json_extract(j, {literal(contract.records_path or "$")}) as json[]) as a
                        from doc)
                select generate_subscripts(a, 1) as _row_number, unnest(a) as rec from arr"""
        )
    except duckdb.Error as exc:
        raise LoadError(
            contract.name,
            path,
            f"unparseable file: expected JSON with records at {contract.records_path} ({exc})",
        ) from exc
    _stage_json_records(con, contract, path)
    _create_rejects(con, [])


# JSON Lines are read line by line as text: JSON text cannot hold a raw \x1f, so each line is one value and
# bad lines are kept (quarantined with their line number).
JSONL_LINE_OPTIONS = (
    "columns = {'line': 'VARCHAR'}, header = false, delim = '\x1f', quote = '', escape = '', "
    "auto_detect = false, strict_mode = false"
)
JSON_OBJECT_LINE = (
    "coalesce((case when json_valid(line) then json_type(cast(line as json)) end) = 'OBJECT', false)"
)


def _stage_jsonl(con, contract: SourceContract, path: Path) -> None:
    try:
        con.execute(
            f"""create or replace temp table _lines as
                select row_number() over () as _row_number, line
                from read_csv({file_literal(path)}, {JSONL_LINE_OPTIONS})"""
        )
    except duckdb.Error as exc:
        raise LoadError(contract.name, path, f"unparseable file: {exc}") from exc
    con.execute(
        f"""create or replace temp table _records as
            select _row_number, cast(line as json) as rec from _lines
            where line is not null and {JSON_OBJECT_LINE}"""
    )
    _stage_json_records(con, contract, path)
    con.execute(
        f"""create or replace temp table _rejects as
            select _row_number, 'malformed JSON line: not a JSON object' as reason, line as raw_record
            from _lines
            where line is not null and trim(line) <> '' and not {JSON_OBJECT_LINE}"""
    )


def _require_columns(contract: SourceContract, path: Path, have: set[str]) -> None:
    for c in contract.columns:
        if c.required and c.name not in have:
            raise LoadError(contract.name, path, "required column is missing from the file", column=c.name)


def _stage_parquet(con, contract: SourceContract, path: Path) -> None:
    """Parquet landing (any source; large event exports): typed columns are re-checked like text ones."""
    try:
        have = {
            r[0] for r in con.execute(f"describe select * from read_parquet({file_literal(path)})").fetchall()
        }
    except duckdb.Error as exc:
        raise LoadError(contract.name, path, f"unparseable file: not a Parquet file ({exc})") from exc
    _require_columns(contract, path, have)
    _record_columns(con, path, sorted(have))
    # Text round trip so Parquet rows go through the same typing and quarantine rules as CSV and JSON
    # (timestamps render in the session's UTC, offsets included).
    cols = [
        f"cast({ident(c.name)} as varchar) as {ident(c.name)}" for c in contract.columns if c.name in have
    ]
    try:
        con.execute(
            f"create or replace temp table _stage as select {', '.join(cols)}, file_row_number + 1 as _row_number "
            f"from read_parquet({file_literal(path)}, file_row_number = true)"
        )
    except duckdb.Error as exc:
        raise LoadError(contract.name, path, f"unparseable file: {exc}") from exc
    _create_rejects(con, [])


STAGERS = {"csv": _stage_csv, "json": _stage_json, "jsonl": _stage_jsonl, "parquet": _stage_parquet}


def _stager(contract: SourceContract, path: Path):
    if is_api_page(contract, path):
        return _stage_api
    return STAGERS["parquet" if path.suffix == ".parquet" else contract.format]


# ---------------------------------------------------------------------------------------------- API pages
# A connector's pages (growthmart/ingest/api_pages.py): records at the spec's records path, each contract column
# read at its JSON path in the record or in the page's request context (`_api_ctx`, from the day's marker).


def _api_joined(table: str) -> str:
    return f"(select r.*, c.ctx from {table} r left join _api_ctx c on c._path = r._path) r"


def _api_present(con, contract: SourceContract, table: str) -> dict[str, tuple[int, set[str]]]:
    """{page path: (records, the contract columns some record has)}."""
    landing = api_landing(contract)
    counts = presence_counts(contract, landing)
    rows = con.execute(
        f"select r._path, count(*), {', '.join(counts)} from {_api_joined(table)} group by 1"
    ).fetchall()
    return {
        row[0]: (row[1], {c.name for c, n in zip(contract.columns, row[2:], strict=True) if n})
        for row in rows
    }


def _stage_api(con, contract: SourceContract, path: Path) -> None:
    landing = api_landing(contract)
    try:
        con.execute(
            f"create or replace temp table _records as select {literal(str(path))} as _path, _row_number, rec "
            f"from ({records_select(landing, file_literal(path))})"
        )
    except duckdb.Error as exc:
        raise LoadError(
            contract.name,
            path,
            f"unparseable file: expected an API page with records at {landing.records_path} ({exc})",
        ) from exc
    total, have = _api_present(con, contract, "_records").get(str(path), (0, set()))
    if total:
        _require_columns(contract, path, have)
        _record_columns(con, path, sorted(have))
    con.execute(
        f"create or replace temp table _stage as select {', '.join(column_selects(contract, landing))}, "
        f"r._row_number from {_api_joined('_records')}"
    )
    _create_rejects(con, [])


def _batch_api(con, contract: SourceContract, paths: list[Path]) -> None:
    landing = api_landing(contract)
    con.execute(f"create or replace temp table _api_records as {records_select(landing, _file_list(paths))}")
    _require_known_files(con, "_api_records", "_path")
    required = {c.name for c in contract.columns if c.required}
    for path, (total, have) in _api_present(con, contract, "_api_records").items():
        if total and required - have:
            raise _FileByFile  # the file-by-file path names the file and column
        _record_columns(con, path, sorted(have))
    con.execute(
        f"""insert into _stage_all by name
            select {", ".join(column_selects(contract, landing))}, r._row_number, f._source_file, f._partition_date
            from {_api_joined("_api_records")} join _files f on f._path = r._path"""
    )


# ---------------------------------------------------------------------------------------------- batch staging
# A backfill batch holds hundreds of small files per source (one or two a day). Staging them one by one costs
# about ten DuckDB statements per file whatever its size; the batch path reads all files of a source that
# share a layout in one read_csv / read_text statement (the `filename` column tells their rows apart; per-file
# row numbers and rejected lines are derived from it). A file that is not plainly loadable (unreadable
# header, missing column, parse error, unusual path) sends the whole batch down the file-by-file path, which
# raises exactly the error (source, file, row, column) it always did: the batch path never judges a file bad.
# DuckDB reports each file's path (`filename`) as it is on disk, which `_files` maps to its name and day.

FILE_COLUMN = "_gm_filename"  # read_csv's filename column in the batch path


class _FileByFile(Exception):
    """The batch path cannot stage this batch; stage it file by file."""


def _stage_batch(con, contract: SourceContract, entries: list[tuple[Path, str, str]]) -> None:
    """Stage every (path, name relative to the landing folder, day) of a batch into `_stage_all`/`_rejects_all`."""
    _create_batch_tables(con, contract)
    try:
        _stage_batch_together(con, contract, entries)
        for scratch in (
            "_stage_text",
            "_lines_all",
            "_records_all",
            "_api_records",
        ):  # free the memory before typing
            con.execute(f"drop table if exists {scratch}")
        return
    except _FileByFile:
        _create_batch_tables(con, contract)
    for path, rel, day in entries:
        _stager(contract, path)(con, contract, path)
        _append_staged_file(con, contract, rel, day)


def _stage_batch_together(con, contract: SourceContract, entries: list[tuple[Path, str, str]]) -> None:
    if not entries:
        return
    con.execute(
        """create or replace temp table _files as
           select unnest(?::varchar[]) as _path, unnest(?::varchar[]) as _source_file,
                  cast(unnest(?::varchar[]) as date) as _partition_date""",
        [[str(p) for p, _, _ in entries], [r for _, r, _ in entries], [d for _, _, d in entries]],
    )
    parquet = [path for path, _, _ in entries if path.suffix == ".parquet"]
    api = [path for path, _, _ in entries if is_api_page(contract, path)]
    native = [path for path, _, _ in entries if path.suffix != ".parquet" and path not in api]
    try:
        if parquet:
            _batch_parquet(con, contract, parquet)
        if api:
            _batch_api(con, contract, api)
        if native:
            BATCH_STAGERS[contract.format](con, contract, native)
    except duckdb.Error as exc:
        raise _FileByFile from exc


def _batch_parquet(con, contract: SourceContract, paths: list[Path]) -> None:
    """Parquet files with one schema read together, as `_stage_parquet` reads each."""
    schemas = con.execute(
        """select file_name, list(name order by column_id), list(duckdb_type order by column_id),
                  count(num_children)
           from parquet_schema(?) where column_id > 0 group by file_name""",
        [[glob_escaped(p) for p in paths]],
    ).fetchall()
    by_file = {file: (tuple(names), tuple(types), nested) for file, names, types, nested in schemas}
    groups: dict[tuple, list[Path]] = {}
    for path in paths:
        names, types, nested = by_file.get(str(path), ((), (), 1))
        if nested or {"file_row_number", FILE_COLUMN} & set(names):
            raise _FileByFile
        try:
            _require_columns(contract, path, set(names))
        except LoadError as exc:
            raise _FileByFile from exc
        groups.setdefault((names, types), []).append(path)
        _record_columns(con, path, names)
    for (names, _), group in groups.items():
        cols = ", ".join(
            f"cast(t.{ident(c.name)} as varchar) as {ident(c.name)}"
            for c in contract.columns
            if c.name in names
        )
        con.execute(
            f"""insert into _stage_all by name
                select {cols}, t.file_row_number + 1 as _row_number, f._source_file, f._partition_date
                from read_parquet({_file_list(group)}, filename = {literal(FILE_COLUMN)}, file_row_number = true) t
                left join _files f on f._path = t.{FILE_COLUMN}"""
        )
    if con.execute("select count(*) from _stage_all where _source_file is null").fetchone()[0]:
        raise _FileByFile


def _file_list(paths: list[Path]) -> str:
    return "[" + ", ".join(file_literal(p) for p in paths) + "]"


def _require_known_files(con, table: str, column: str) -> None:
    """Every staged row must come from a file of the batch (DuckDB reports each path as it was given)."""
    unknown = con.execute(
        f"select count(*) from (select distinct {column} as p from {table}) "
        "where p is null or p not in (select _path from _files)"
    ).fetchone()[0]
    if unknown:
        raise _FileByFile


def _batch_csv(con, contract: SourceContract, paths: list[Path]) -> None:
    groups: dict[tuple[str, ...], list[Path]] = {}
    lines: dict[str, int] = {}
    for path in paths:
        try:
            header = _csv_header(contract, path)
        except LoadError as exc:
            raise _FileByFile from exc
        if any(h == "_ordinal" or h.startswith("_gm_") for h in header):
            raise _FileByFile
        layout = _csv_layout(path)
        if not layout.simple:  # records span lines or lines are malformed: split it file by file
            raise _FileByFile
        lines[str(path)] = layout.data_lines
        groups.setdefault(tuple(header), []).append(path)
        _record_columns(con, path, header)
    for header, group in groups.items():
        _batch_csv_group(con, contract, list(header), group)
    # Every file's records and rejected lines must add up to its lines (see `_csv_layout`).
    counted = dict(
        con.execute(
            """select p, sum(n) from (
                   select f._path as p, count(s._row_number) as n
                   from _files f left join _stage_all s on s._source_file = f._source_file group by 1
                   union all
                   select f._path, count(r._row_number)
                   from _files f left join _rejects_all r on r._source_file = f._source_file group by 1)
               group by 1"""
        ).fetchall()
    )
    if any(counted.get(p) != n for p, n in lines.items()):
        raise _FileByFile


def _batch_csv_group(con, contract: SourceContract, header: list[str], paths: list[Path]) -> None:
    """Files sharing one header, read together; row numbers as in `_stage_csv`, counted within each file."""
    con.execute("drop table if exists _rejects_raw")
    con.execute("drop table if exists _rejects_scan")
    con.execute(
        f"create or replace temp table _stage_text as select row_number() over () as _ordinal, * "
        f"from read_csv({_file_list(paths)}, {_csv_options(header)}, filename = {literal(FILE_COLUMN)})"
    )
    con.execute(  # one reject per line: DuckDB may report a line twice
        """create or replace temp table _reject_lines as
           select _path, line, row_number() over (partition by _path order by line) as seq, reason, raw_record
           from (select s.file_path as _path, r.line,
                        min('malformed CSV line: ' || r.error_type || ': ' || r.error_message) as reason,
                        min(r.csv_line) as raw_record
                 from _rejects_raw r join _rejects_scan s using (scan_id, file_id)
                 group by all)"""
    )
    _require_known_files(con, "_stage_text", FILE_COLUMN)
    _require_known_files(con, "_reject_lines", "_path")
    present = set(header)
    cols = ", ".join(f"t.{ident(c.name)}" for c in contract.columns if c.name in present)
    # The k-th parsed record of a file is on line k + 1 (header) + the rejected lines before it.
    con.execute(
        f"""insert into _stage_all by name
            select {cols}, f._source_file, f._partition_date,
                   t._gm_k + 1 + (select count(*) from _reject_lines r
                                  where r._path = t.{FILE_COLUMN} and r.line - 1 - r.seq < t._gm_k)
                       as _row_number
            from (select *, _ordinal - min(_ordinal) over (partition by {FILE_COLUMN}) + 1 as _gm_k
                  from _stage_text) t
            join _files f on f._path = t.{FILE_COLUMN}"""
    )
    con.execute(
        """insert into _rejects_all
           select f._source_file, r.line, f._partition_date, r.reason, r.raw_record
           from _reject_lines r join _files f on f._path = r._path"""
    )


def _batch_records(con, contract: SourceContract) -> None:
    """`_records_all` (_path, _row_number, rec) → `_stage_all`, once every file with records has the required keys."""
    required = [c for c in contract.columns if c.required]
    if required:
        has_all = " and ".join(
            f"count(*) filter (where json_exists(rec, {literal(_column_path(c))})) > 0" for c in required
        )
        incomplete = con.execute(
            f"select count(*) from (select {has_all} as ok from _records_all group by _path) where not ok"
        ).fetchone()[0]
        if incomplete:
            raise _FileByFile
    _require_known_files(con, "_records_all", "_path")
    roots = _nested_roots(contract)
    con.execute(
        "insert into _columns_seen select distinct _path, k from "
        "(select _path, unnest(json_keys(rec)) as k from _records_all) where not list_contains(?::varchar[], k)",
        [sorted(roots)],
    )
    for c in contract.columns:
        if c.json_path:
            con.execute(
                "insert into _columns_seen select distinct _path, ? from _records_all "
                f"where json_exists(rec, {literal(c.json_path)})",
                [c.name],
            )
    extracts = ", ".join(f"{_extract('r.rec', c)} as {ident(c.name)}" for c in contract.columns)
    con.execute(
        f"""insert into _stage_all by name
            select {extracts}, r._row_number, f._source_file, f._partition_date
            from _records_all r join _files f on f._path = r._path"""
    )


def _batch_json(con, contract: SourceContract, paths: list[Path]) -> None:
    records_path = literal(contract.records_path or "$")
    con.execute(
        f"""create or replace temp table _records_all as
            with doc as (
                select filename as _path, cast(content as json) as j from read_text({_file_list(paths)})
            ),
            arr as (select _path, cast(json_extract(j, {records_path}) as json[]) as a from doc)
            select _path, generate_subscripts(a, 1) as _row_number, unnest(a) as rec from arr"""
    )
    _batch_records(con, contract)


def _batch_jsonl(con, contract: SourceContract, paths: list[Path]) -> None:
    con.execute(
        f"""create or replace temp table _lines_all as
            select {FILE_COLUMN} as _path,
                   _ordinal - min(_ordinal) over (partition by {FILE_COLUMN}) + 1 as _row_number,
                   line, line is not null and {JSON_OBJECT_LINE} as _is_object
            from (select row_number() over () as _ordinal, *
                  from read_csv({_file_list(paths)}, {JSONL_LINE_OPTIONS}, filename = {literal(FILE_COLUMN)}))"""
    )
    con.execute(
        "create or replace temp table _records_all as "
        "select _path, _row_number, cast(line as json) as rec from _lines_all where _is_object"
    )
    _batch_records(con, contract)
    con.execute(
        """insert into _rejects_all
           select f._source_file, l._row_number, f._partition_date, 'malformed JSON line: not a JSON object',
                  l.line
           from _lines_all l join _files f on f._path = l._path
           where l.line is not null and trim(l.line) <> '' and not l._is_object"""
    )


BATCH_STAGERS = {"csv": _batch_csv, "json": _batch_json, "jsonl": _batch_jsonl}


def _create_batch_tables(con, contract: SourceContract) -> None:
    text_cols = ", ".join(f"{ident(c.name)} varchar" for c in contract.columns)
    con.execute(
        f"create or replace temp table _stage_all ({text_cols}, _row_number bigint, _source_file varchar, "
        "_partition_date date)"
    )
    con.execute(
        "create or replace temp table _rejects_all (_source_file varchar, _row_number bigint, "
        "_partition_date date, reason varchar, raw_record varchar)"
    )
    con.execute("create or replace temp table _columns_seen (_path varchar, name varchar)")


def _append_staged_file(con, contract: SourceContract, rel: str, day: str) -> None:
    staged = {r[0] for r in con.execute("select column_name from (describe _stage)").fetchall()}
    cols = [ident(c.name) for c in contract.columns if c.name in staged]
    con.execute(
        f"insert into _stage_all by name select {', '.join(cols)}, _row_number, "
        f"{literal(rel)} as _source_file, cast({literal(day)} as date) as _partition_date from _stage"
    )
    con.execute(
        f"insert into _rejects_all select {literal(rel)}, _row_number, cast({literal(day)} as date), reason, "
        "raw_record from _rejects"
    )


def _type_batch(con, contract: SourceContract) -> None:
    """Type every staged row once for the whole batch, with why it is unacceptable ('' when it is fine).

    Each value is cleaned once (`__c<i>`), typed once (`__t<i>`), and the problems read both; the raw text
    of a bad row is packed only when it is quarantined (see `_write_partitions`).
    """
    cols = list(enumerate(contract.columns))
    clean = ", ".join(f"{cleaned(c)} as __c{i}" for i, c in cols)
    typed_cols = ", ".join(f"{typed(c, f'__c{i}')} as __t{i}" for i, c in cols)
    final = ", ".join(f"__t{i} as {ident(c.name)}" for i, c in cols)
    day = {contract.report_date_column: "_partition_date"}
    problems = ", ".join(problem(c, f"__c{i}", f"__t{i}", day.get(c.name)) for i, c in cols)
    nulls = ", ".join(f"null as {ident(c.name)}" for c in contract.columns)
    con.execute(
        f"""create or replace temp table _typed_all as
            with cleaned as (
                select {clean}, _source_file, _row_number, _partition_date from _stage_all
            ),
            typed as (select *, {typed_cols} from cleaned)
            select {final}, _source_file, _row_number, _partition_date,
                   concat_ws('; ', {problems}) as _reason, cast(null as varchar) as _raw_record
            from typed
            union all by name
            select {nulls}, _source_file, _row_number, _partition_date, reason as _reason,
                   raw_record as _raw_record
            from _rejects_all"""
    )


def _mark_duplicate_keys(con, contract: SourceContract) -> None:
    """Later rows repeating a primary key within a partition are quarantined, naming the first one."""
    key = ", ".join(ident(k) for k in contract.primary_key)
    label = literal(f"duplicate key ({', '.join(contract.primary_key)}) of ")
    con.execute(
        f"""update _typed_all t set _reason = {label} || d.first_file || ' row ' || d.first_row
            from (
                select _source_file, _row_number,
                       first_value(_source_file) over w as first_file,
                       first_value(_row_number) over w as first_row,
                       row_number() over w as n
                from _typed_all where _reason = ''
                window w as (partition by _partition_date, {key} order by _source_file, _row_number)
            ) d
            where d.n > 1 and t._source_file = d._source_file and t._row_number = d._row_number"""
    )


def load_partitions(
    con: duckdb.DuckDBPyConnection,
    contract: SourceContract,
    landing_dir: Path,
    partition_dates: list[str],
    run_id: str | None = None,
    max_bad_fraction: float = DEFAULT_MAX_BAD_FRACTION,
) -> list[PartitionLoad]:
    """Replace partitions `partition_dates` of `raw.<source>` with the rows of their landing files.

    The batch is typed, checked and written in one transaction: either every partition is replaced, or (on
    a `LoadError`) none is. Batching a backfill's days keeps the per-statement overhead per run, not per day.
    """
    landing_dir = Path(landing_dir)
    ensure_raw_tables(con, contract)
    files = {day: partition_files(landing_dir, contract, day) for day in partition_dates}
    for day_files in files.values():
        for path in day_files:
            check_landing_file(contract, landing_dir, path)
    digests = {path: sha256(path) for day_files in files.values() for path in day_files}
    _api_contexts(con, contract, landing_dir, files, digests)

    entries = [
        (p, str(p.relative_to(landing_dir)), day) for day, day_files in files.items() for p in day_files
    ]
    _stage_batch(con, contract, entries)
    _type_batch(con, contract)
    _mark_duplicate_keys(con, contract)

    per_file = {
        row[0]: row[1:]
        for row in con.execute(
            "select _source_file, count(*), count(*) filter (where _reason = '') from _typed_all group by 1"
        ).fetchall()
    }
    with_rows = {p: d for p, d in digests.items() if per_file.get(str(p.relative_to(landing_dir)), (0,))[0]}
    _check_duplicate_files(con, contract, partition_dates, with_rows)
    seen = dict(con.execute("select _path, list(distinct name) from _columns_seen group by 1").fetchall())
    results = []
    for day, day_files in files.items():
        result = PartitionLoad(contract.name, day)
        for path in day_files:
            rel = str(path.relative_to(landing_dir))
            landed, good = per_file.get(rel, (0, 0))
            load = FileLoad(rel, digests[path], landed, good, landed - good)
            if str(path) in seen:  # a JSON file without records has no keys to judge
                names = set(seen[str(path)])
                load.missing_columns = [c for c in contract.column_names if c not in names]
                load.unknown_columns = sorted(names - set(contract.column_names))
            result.files.append(load)
            _fail_if_mostly_bad(con, contract, path, rel, landed, landed - good, max_bad_fraction)
        results.append(result)

    _write_partitions(con, contract, partition_dates, run_id, results)
    reasons = con.execute(
        "select _partition_date, regexp_replace(_reason, '''.*''', '<value>'), count(*) from _typed_all "
        "where _reason <> '' group by all"
    ).fetchall()
    by_day = {r.partition_date: r for r in results}
    for day, reason, n in reasons:
        by_day[day.isoformat()].quarantine_reasons[reason] += n
    return results


def _api_contexts(con, contract: SourceContract, landing_dir: Path, files: dict, digests: dict) -> None:
    """`_api_ctx` (_path, ctx): each API page's request context, once its day's pull is known to be complete."""
    contexts: dict[str, dict] = {}
    for day, day_files in files.items():
        pages = [p for p in day_files if is_api_page(contract, p)]
        if pages:
            try:
                contexts |= day_contexts(landing_dir / contract.name / day, pages, digests)
            except IncompleteDay as exc:
                raise LoadError(contract.name, exc.path, str(exc)) from None
    con.execute(
        "create or replace temp table _api_ctx as "
        "select unnest(?::varchar[]) as _path, cast(unnest(?::varchar[]) as json) as ctx",
        [list(contexts), [json.dumps(c) for c in contexts.values()]],
    )


def load_partition(
    con: duckdb.DuckDBPyConnection,
    contract: SourceContract,
    landing_dir: Path,
    partition_date: str,
    run_id: str | None = None,
    max_bad_fraction: float = DEFAULT_MAX_BAD_FRACTION,
) -> PartitionLoad:
    """Replace one partition; see `load_partitions`."""
    return load_partitions(con, contract, landing_dir, [partition_date], run_id, max_bad_fraction)[0]


def _fail_if_mostly_bad(con, contract, path: Path, rel: str, landed: int, bad: int, max_bad_fraction: float):
    if not landed or bad / landed <= max_bad_fraction:
        return
    row, reason = con.execute(
        "select _row_number, _reason from _typed_all where _source_file = ? and _reason <> '' "
        "order by _row_number limit 1",
        [rel],
    ).fetchone()
    column = reason.split(":", 1)[0] if ":" in reason else None
    raise LoadError(
        contract.name,
        path,
        f"{bad} of {landed} rows break the contract (more than {max_bad_fraction:.0%}), first: {reason}",
        row=row,
        column=column if column in contract.column_names else None,
    )


def _write_partitions(con, contract: SourceContract, days: list[str], run_id, results: list[PartitionLoad]):
    cols = ", ".join(ident(c.name) for c in contract.columns)
    table = f"raw.{ident(contract.name)}"
    columns = ", ".join(literal(c) for c in contract.column_names)
    con.execute(
        "create or replace temp table _batch_days as select cast(unnest(?::varchar[]) as date) as d", [days]
    )
    con.execute("begin transaction")
    try:
        con.execute(f"delete from {table} where _partition_date in (select d from _batch_days)")
        con.execute(
            "delete from raw.quarantine_rows where source = ? and partition_date in (select d from _batch_days)",
            [contract.name],
        )
        for table_name in ("raw.load_log", "raw.load_warnings"):
            con.execute(
                f"delete from {table_name} where source = ? and partition_date in (select d from _batch_days)",
                [contract.name],
            )
        # By name: a table upgraded in place (raw_table_upgrade_ddl) has its newer columns after the lineage ones.
        con.execute(
            f"""insert into {table} ({cols}, _source_file, _row_number, _partition_date, _loaded_at)
                select {cols}, _source_file, _row_number, _partition_date, current_localtimestamp()
                from _typed_all where _reason = ''"""
        )
        packed = ", ".join(f"{ident(c.name)} := s.{ident(c.name)}" for c in contract.columns)
        con.execute(
            f"""insert into raw.quarantine_rows
               select ?, q._partition_date, q._source_file, q._row_number,
                      case when split_part(q._reason, ':', 1) in ({columns}) then split_part(q._reason, ':', 1) end,
                      q._reason, coalesce(q._raw_record, cast(to_json(struct_pack({packed})) as varchar)),
                      current_localtimestamp(), ?
               from _typed_all q
               left join _stage_all s on s._source_file = q._source_file and s._row_number = q._row_number
                   and q._raw_record is null
               where q._reason <> ''""",
            [contract.name, run_id],
        )
        log_rows = [
            (
                r.source,
                r.partition_date,
                f.source_file,
                f.sha256,
                f.rows_landed,
                f.rows_loaded,
                f.rows_quarantined,
            )
            for r in results
            for f in r.files
        ]
        if log_rows:  # one statement for the batch (executemany runs one insert per row)
            fields = list(zip(*log_rows, strict=True))
            con.execute(
                """insert into raw.load_log
                   select unnest(?::varchar[]), cast(unnest(?::varchar[]) as date), unnest(?::varchar[]),
                          unnest(?::varchar[]), unnest(?::bigint[]), unnest(?::bigint[]), unnest(?::bigint[]),
                          current_localtimestamp(), ?""",
                [*(list(f) for f in fields), run_id],
            )
        warnings = [
            (r.source, r.partition_date, f.source_file, column, message)
            for r in results
            for f in r.files
            for column, message in f.warnings(r.source)
        ]
        if warnings:
            fields = list(zip(*warnings, strict=True))
            con.execute(
                """insert into raw.load_warnings
                   select unnest(?::varchar[]), cast(unnest(?::varchar[]) as date), unnest(?::varchar[]),
                          unnest(?::varchar[]), unnest(?::varchar[]), current_localtimestamp(), ?""",
                [*(list(f) for f in fields), run_id],
            )
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise
