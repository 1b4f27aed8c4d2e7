"""CSV landing files: the header check, the record split and the quarantine of malformed lines.

Records and their line numbers. DuckDB's reader is fast but, on a malformed file, it may swallow the
lines after an unbalanced quote into one rejected "line", report a line twice, skip blank lines without
a trace or number records by their position: row numbers and counts would be wrong. So each CSV file is
first scanned (`_csv_layout`): a file whose every line holds balanced quotes and no line is blank has one
record per line, and DuckDB reads it (its result is still checked against the line count). Any other file
is split into records here (`_split_csv`), by one rule:
  - a line that parses on its own, with balanced quotes, is one record;
  - a line that opens a quoted field it does not close continues on the following lines until the quote
    closes (an embedded newline), if and only if those lines together parse as one record with exactly
    the header's number of fields; the record's row number is the line it starts on;
  - otherwise the line alone is malformed: it is quarantined once, with its line number, and the next line
    is read as a new record. A blank line is no record.
Row numbers are always the file's physical line numbers (the header is line 1).
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import duckdb

from growthmart.contracts import SourceContract
from growthmart.ingest.errors import LoadError
from growthmart.ingest.sql import ident, literal
from growthmart.ingest.staging import (
    FILE_COLUMN,
    FileByFile,
    create_rejects,
    file_list,
    file_literal,
    record_columns,
    require_columns,
    require_known_files,
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
    require_columns(contract, path, set(header))
    return header


def _csv_options(header: list[str]) -> str:
    """read_csv options: every column as text, strict quoting, broken lines kept in `_rejects_raw`."""
    columns = "{" + ", ".join(f"{literal(h)}: 'VARCHAR'" for h in header) + "}"
    return (
        f"columns = {columns}, header = false, skip = 1, delim = ',', quote = '\"', escape = '\"', "
        "auto_detect = false, strict_mode = true, store_rejects = true, "
        "rejects_table = '_rejects_raw', rejects_scan = '_rejects_scan'"
    )


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


def stage_csv(con, contract: SourceContract, path: Path) -> None:
    """Stage a CSV file as text into `_stage` (+ structurally broken lines into `_rejects`)."""
    header = _csv_header(contract, path)
    record_columns(con, path, header)
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
    create_rejects(con, rejects)


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
    create_rejects(con, [(line, f"malformed CSV line: {msg}", raw) for line, msg, raw in rejects])
    return True


def batch_csv(con, contract: SourceContract, paths: list[Path]) -> None:
    groups: dict[tuple[str, ...], list[Path]] = {}
    lines: dict[str, int] = {}
    for path in paths:
        try:
            header = _csv_header(contract, path)
        except LoadError as exc:
            raise FileByFile from exc
        if any(h == "_ordinal" or h.startswith("_gm_") for h in header):
            raise FileByFile
        layout = _csv_layout(path)
        if not layout.simple:  # records span lines or lines are malformed: split it file by file
            raise FileByFile
        lines[str(path)] = layout.data_lines
        groups.setdefault(tuple(header), []).append(path)
        record_columns(con, path, header)
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
        raise FileByFile


def _batch_csv_group(con, contract: SourceContract, header: list[str], paths: list[Path]) -> None:
    """Files sharing one header, read together; row numbers as in `stage_csv`, counted within each file."""
    con.execute("drop table if exists _rejects_raw")
    con.execute("drop table if exists _rejects_scan")
    con.execute(
        f"create or replace temp table _stage_text as select row_number() over () as _ordinal, * "
        f"from read_csv({file_list(paths)}, {_csv_options(header)}, filename = {literal(FILE_COLUMN)})"
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
    require_known_files(con, "_stage_text", FILE_COLUMN)
    require_known_files(con, "_reject_lines", "_path")
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
