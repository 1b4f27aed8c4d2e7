"""Load one day's landing files of one source into `raw.<source>`, quarantining rows that break the contract.

Guarantees, per (source, partition day):
- idempotent: the partition's previous rows, quarantine rows and load-log rows are replaced in one
  transaction;
- nothing is lost: every landed row ends up either in `raw.<source>` or in `raw.quarantine_rows` with a
  reason, and `raw.load_log` records landed = loaded + quarantined per file;
- a file that cannot be parsed, misses a required column, duplicates another file byte for byte, or has more
  than `max_bad_fraction` of its rows bad fails the whole load with a `LoadError` naming source, file, row
  and column; the landing files are never modified.
"""

from __future__ import annotations

import csv
import hashlib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from growthmart.contracts import SourceContract
from growthmart.ingest.sql import BOOKKEEPING_DDL, cleaned, ident, literal, problem, raw_table_ddl, typed

DEFAULT_MAX_BAD_FRACTION = 0.5


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


def ensure_raw_tables(con: duckdb.DuckDBPyConnection, contract: SourceContract) -> None:
    for ddl in BOOKKEEPING_DDL:
        con.execute(ddl)
    con.execute(raw_table_ddl(contract))


def partition_files(landing_dir: Path, contract: SourceContract, partition_date: str) -> list[Path]:
    """A day's landing files: the contract's native format, plus Parquet with the same column names."""
    folder = Path(landing_dir) / contract.name / partition_date
    if not folder.is_dir():
        return []
    found = {*folder.glob(contract.file_glob), *folder.glob("*.parquet")}
    return sorted(p for p in found if p.is_file() and not p.name.startswith("."))


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


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


def _stage_csv(con, contract: SourceContract, path: Path) -> None:
    """Stage a CSV file as text into `_stage` (+ structurally broken lines into `_rejects`)."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            header = next(csv.reader(fh), None)
    except (UnicodeDecodeError, csv.Error) as exc:
        raise LoadError(contract.name, path, f"unparseable file: not a UTF-8 CSV ({exc})") from exc
    if not header:
        raise LoadError(contract.name, path, "unparseable file: empty, no header row")
    if len(set(header)) != len(header):
        dupes = sorted(h for h, n in Counter(header).items() if n > 1)
        raise LoadError(contract.name, path, f"header repeats column(s) {dupes}")
    _require_columns(contract, path, set(header))
    columns = "{" + ", ".join(f"{literal(h)}: 'VARCHAR'" for h in header) + "}"
    opts = (
        f"columns = {columns}, header = false, skip = 1, delim = ',', quote = '\"', escape = '\"', "
        "auto_detect = false, strict_mode = true, store_rejects = true, "
        "rejects_table = '_rejects_raw', rejects_scan = '_rejects_scan'"
    )
    con.execute("drop table if exists _rejects_raw")
    con.execute("drop table if exists _rejects_scan")
    try:
        con.execute(
            f"create or replace temp table _stage_text as "
            f"select row_number() over () as _ordinal, * from read_csv({literal(str(path))}, {opts})"
        )
        rejects = con.execute(
            "select line, error_type || ': ' || error_message, csv_line from _rejects_raw order by line"
        ).fetchall()
    except duckdb.Error as exc:
        raise LoadError(contract.name, path, f"unparseable file: {exc}") from exc
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
    con.execute(
        "create or replace temp table _rejects(_row_number bigint, reason varchar, raw_record varchar)"
    )
    if rejects:
        con.executemany(
            "insert into _rejects values (?, ?, ?)",
            [(line, f"malformed CSV line: {msg}", raw) for line, msg, raw in rejects],
        )


def _stage_json_records(con, contract: SourceContract, path: Path) -> None:
    """Stage JSON records (`records_sql` yields _row_number, rec json) as text into `_stage`."""
    present = con.execute(
        "select "
        + ", ".join(
            f"count(*) filter (where json_exists(rec, {literal(_json_path(c.name))}))"
            for c in contract.columns
        )
        + " from _records"
    ).fetchone()
    have = {c.name for c, n in zip(contract.columns, present, strict=True) if n}
    total = con.execute("select count(*) from _records").fetchone()[0]
    if total:
        _require_columns(contract, path, have)
    extracts = []
    for c in contract.columns:
        op = "->" if c.type == "json" else "->>"
        extracts.append(f"rec {op} {literal(c.name)} as {ident(c.name)}")
    con.execute(
        f"create or replace temp table _stage as select {', '.join(extracts)}, _row_number from _records"
    )


def _json_path(key: str) -> str:
    return '$."' + key.replace('"', '\\"') + '"'


def _stage_json(con, contract: SourceContract, path: Path) -> None:
    try:
        con.execute(
            f"""create or replace temp table _records as
                with doc as (select cast(content as json) as j from read_text({literal(str(path))})),
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
    con.execute(
        "create or replace temp table _rejects(_row_number bigint, reason varchar, raw_record varchar)"
    )


def _stage_jsonl(con, contract: SourceContract, path: Path) -> None:
    # Read line by line: JSON text cannot hold a raw \x1f, so each line is one value; bad lines are kept.
    try:
        con.execute(
            f"""create or replace temp table _lines as
                select row_number() over () as _row_number, line
                from read_csv({literal(str(path))}, columns = {{'line': 'VARCHAR'}}, header = false,
                              delim = '\x1f', quote = '', escape = '', auto_detect = false,
                              strict_mode = false)"""
        )
    except duckdb.Error as exc:
        raise LoadError(contract.name, path, f"unparseable file: {exc}") from exc
    con.execute(
        """create or replace temp table _records as
           select _row_number, cast(line as json) as rec from _lines
           where line is not null and (case when json_valid(line) then json_type(cast(line as json)) end) = 'OBJECT'"""
    )
    _stage_json_records(con, contract, path)
    con.execute(
        """create or replace temp table _rejects as
           select _row_number, 'malformed JSON line: not a JSON object' as reason, line as raw_record
           from _lines
           where line is not null and trim(line) <> ''
             and coalesce((case when json_valid(line) then json_type(cast(line as json)) end) <> 'OBJECT', true)"""
    )


def _require_columns(contract: SourceContract, path: Path, have: set[str]) -> None:
    for c in contract.columns:
        if c.required and c.name not in have:
            raise LoadError(contract.name, path, "required column is missing from the file", column=c.name)


def _stage_parquet(con, contract: SourceContract, path: Path) -> None:
    """Parquet landing (any source; large event exports): typed columns are re-checked like text ones."""
    try:
        have = {
            r[0] for r in con.execute(f"describe select * from read_parquet({literal(str(path))})").fetchall()
        }
    except duckdb.Error as exc:
        raise LoadError(contract.name, path, f"unparseable file: not a Parquet file ({exc})") from exc
    _require_columns(contract, path, have)
    # Text round trip so Parquet rows go through the same typing and quarantine rules as CSV and JSON
    # (timestamps render in the session's UTC, offsets included).
    cols = [
        f"cast({ident(c.name)} as varchar) as {ident(c.name)}" for c in contract.columns if c.name in have
    ]
    try:
        con.execute(
            f"create or replace temp table _stage as select {', '.join(cols)}, file_row_number + 1 as _row_number "
            f"from read_parquet({literal(str(path))}, file_row_number = true)"
        )
    except duckdb.Error as exc:
        raise LoadError(contract.name, path, f"unparseable file: {exc}") from exc
    con.execute(
        "create or replace temp table _rejects(_row_number bigint, reason varchar, raw_record varchar)"
    )


STAGERS = {"csv": _stage_csv, "json": _stage_json, "jsonl": _stage_jsonl, "parquet": _stage_parquet}


def _stager(contract: SourceContract, path: Path):
    return STAGERS["parquet" if path.suffix == ".parquet" else contract.format]


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
    problems = ", ".join(problem(c, f"__c{i}", f"__t{i}") for i, c in cols)
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
    digests = {path: _sha256(path) for day_files in files.values() for path in day_files}

    _create_batch_tables(con, contract)
    for day, day_files in files.items():
        for path in day_files:
            _stager(contract, path)(con, contract, path)
            _append_staged_file(con, contract, str(path.relative_to(landing_dir)), day)
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
    results = []
    for day, day_files in files.items():
        result = PartitionLoad(contract.name, day)
        for path in day_files:
            rel = str(path.relative_to(landing_dir))
            landed, good = per_file.get(rel, (0, 0))
            result.files.append(FileLoad(rel, digests[path], landed, good, landed - good))
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
        con.execute(
            "delete from raw.load_log where source = ? and partition_date in (select d from _batch_days)",
            [contract.name],
        )
        con.execute(
            f"""insert into {table}
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
        if log_rows:
            con.executemany(
                "insert into raw.load_log "
                "values (?, cast(? as date), ?, ?, ?, ?, ?, current_localtimestamp(), ?)",
                [(*row, run_id) for row in log_rows],
            )
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise
