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
- a CSV file's rows are numbered by physical line, and a malformed line costs that line only (csv_reader.py);
- a column the contract knows but a file lacks, or the other way round, is reported (`PartitionLoad.warnings`,
  `raw.load_warnings`).

Engines: DuckDB, and Spark (issue 15; GROWTHMART_ENGINE=spark) with the same promises, the raw tables Parquet
partitioned by day. Only staging the files and writing the partitions differ per engine (`Engine`: here for
DuckDB, spark_load.py for Spark); listing and checking the files, typing, quarantine, duplicate keys and the
per-file accounting are the same code, their SQL spelled per engine by dialect.py.

Speed: a backfill loads many days per transaction (`plan_batches`), and the files of a batch are read together
(one DuckDB statement per source and file layout, not ~10 per file): batch.py.

Here: which files a day holds and whether they may be loaded, the batch plan, and the partitions' replacement
with their bookkeeping (raw.load_log, raw.quarantine_rows, raw.load_warnings). Staging reads the files as text
(batch.py, one module per format: csv_reader.py, records.py for JSON / JSON Lines / API pages, parquet.py);
row_checks.py types the rows and marks the ones to quarantine.
"""

from __future__ import annotations

import difflib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from growthmart.connectors.landing import MARKER
from growthmart.contracts import SourceContract
from growthmart.ingest.api_pages import page_files
from growthmart.ingest.batch import stage_batch
from growthmart.ingest.dialect import Dialect, dialect_of
from growthmart.ingest.errors import LoadError
from growthmart.ingest.records import page_contexts
from growthmart.ingest.row_checks import mark_duplicate_keys, type_batch
from growthmart.ingest.sql import BOOKKEEPING_DDL, ident, literal, raw_table_ddl, raw_table_upgrade_ddl
from growthmart.landing_watch import sha256  # one fingerprint of a landing file, for the log and the watch

DEFAULT_MAX_BAD_FRACTION = 0.5
# A load batch (one transaction) holds whole days up to this much landing data. Every batch pays a fixed
# ~50 ms (staging, typing, replace, commit), so small sources load a year in one batch; the budget bounds the
# text staged in memory for big ones. Parquet counts PARQUET_EXPANSION times its size: it is compressed and
# staged as text.
DEFAULT_BATCH_BYTES = 128 << 20
PARQUET_EXPANSION = 4


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


@dataclass(frozen=True)
class Engine:
    """What differs per engine around the shared judging of a batch."""

    ensure_raw_tables: Callable  # (con, contract)
    stage_batch: (
        Callable  # (con, contract, entries, page contexts) -> _stage_all, _rejects_all, _columns_seen
    )
    write_partitions: Callable  # (con, contract, days, run_id, results): replace the days, with bookkeeping


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
    engine = engine_of(con)
    engine.ensure_raw_tables(con, contract)
    files = {day: partition_files(landing_dir, contract, day) for day in partition_dates}
    for day_files in files.values():
        for path in day_files:
            check_landing_file(contract, landing_dir, path)
    digests = {path: sha256(path) for day_files in files.values() for path in day_files}
    contexts = page_contexts(contract, landing_dir, files, digests)

    entries = [
        (p, str(p.relative_to(landing_dir)), day) for day, day_files in files.items() for p in day_files
    ]
    engine.stage_batch(con, contract, entries, contexts)
    type_batch(con, contract)
    mark_duplicate_keys(con, contract)

    per_file = {
        row[0]: row[1:]
        for row in con.execute(
            "select _source_file, count(*), count(*) filter (where _reason = '') from _typed_all group by 1"
        ).fetchall()
    }
    with_rows = {p: d for p, d in digests.items() if per_file.get(str(p.relative_to(landing_dir)), (0,))[0]}
    _check_duplicate_files(con, contract, partition_dates, with_rows)
    seen: dict[str, set[str]] = {}
    for path, name in con.execute("select distinct _path, name from _columns_seen").fetchall():
        seen.setdefault(path, set()).add(name)
    results = []
    for day, day_files in files.items():
        result = PartitionLoad(contract.name, day)
        for path in day_files:
            rel = str(path.relative_to(landing_dir))
            landed, good = per_file.get(rel, (0, 0))
            load = FileLoad(rel, digests[path], landed, good, landed - good)
            if str(path) in seen:  # a JSON file without records has no keys to judge
                names = seen[str(path)]
                load.missing_columns = [c for c in contract.column_names if c not in names]
                load.unknown_columns = sorted(names - set(contract.column_names))
            result.files.append(load)
            _fail_if_mostly_bad(con, contract, path, rel, landed, landed - good, max_bad_fraction)
        results.append(result)

    engine.write_partitions(con, contract, partition_dates, run_id, results)
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


def loaded_rows_select(contract: SourceContract, d: Dialect) -> tuple[str, str]:
    """(columns, select) of a batch's good rows as they are written to `raw.<source>`."""
    cols = ", ".join(d.ident(c.name) for c in contract.columns)
    return (
        f"{cols}, _source_file, _row_number, _partition_date, _loaded_at",
        f"""select {cols}, _source_file, _row_number, _partition_date, {d.now} as _loaded_at
            from _typed_all where _reason = ''""",
    )


def quarantine_select(contract: SourceContract, d: Dialect) -> str:
    """The batch's quarantined rows as `raw.quarantine_rows` holds them (parameters: source, run id): the column
    a reason names, and the raw text of the row (a rejected line's own, else the staged values as JSON)."""
    columns = ", ".join(d.literal(c) for c in contract.column_names)
    packed = d.pack_json([(c.name, f"s.{d.ident(c.name)}") for c in contract.columns])
    return f"""select ? as source, q._partition_date as partition_date, q._source_file as source_file,
                  q._row_number as row_number,
                  case when split_part(q._reason, ':', 1) in ({columns}) then split_part(q._reason, ':', 1) end
                      as column_name,
                  q._reason as reason, coalesce(q._raw_record, {packed}) as raw_record,
                  {d.now} as quarantined_at, ? as run_id
               from _typed_all q
               left join _stage_all s on s._source_file = q._source_file and s._row_number = q._row_number
                   and q._raw_record is null
               where q._reason <> ''"""


def bookkeeping_rows(results: list[PartitionLoad]) -> tuple[list[tuple], list[tuple]]:
    """The batch's `raw.load_log` rows and `raw.load_warnings` rows (without time stamp and run id)."""
    log = [
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
    warnings = [
        (r.source, r.partition_date, f.source_file, column, message)
        for r in results
        for f in r.files
        for column, message in f.warnings(r.source)
    ]
    return log, warnings


def _write_partitions(con, contract: SourceContract, days: list[str], run_id, results: list[PartitionLoad]):
    d = dialect_of(con)
    table = f"raw.{ident(contract.name)}"
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
        cols, select = loaded_rows_select(contract, d)
        con.execute(f"insert into {table} ({cols}) {select}")
        con.execute(
            f"insert into raw.quarantine_rows {quarantine_select(contract, d)}", [contract.name, run_id]
        )
        log_rows, warnings = bookkeeping_rows(results)
        if log_rows:  # one statement for the batch (executemany runs one insert per row)
            fields = list(zip(*log_rows, strict=True))
            con.execute(
                """insert into raw.load_log
                   select unnest(?::varchar[]), cast(unnest(?::varchar[]) as date), unnest(?::varchar[]),
                          unnest(?::varchar[]), unnest(?::bigint[]), unnest(?::bigint[]), unnest(?::bigint[]),
                          current_localtimestamp(), ?""",
                [*(list(f) for f in fields), run_id],
            )
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


DUCKDB_ENGINE = Engine(ensure_raw_tables, stage_batch, _write_partitions)


def engine_of(con) -> Engine:
    """The engine of a connection: a Spark one (growthmart.spark.SparkCon) says so, anything else is DuckDB."""
    return getattr(con, "engine", DUCKDB_ENGINE)
