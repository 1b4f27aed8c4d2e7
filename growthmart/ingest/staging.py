"""What every stager shares: the staging tables' shape, per-file helpers, the signal to stage file by file.

A stager reads one landing file as text into `_stage` (contract columns as varchar, `_row_number`) and its
structurally broken lines into `_rejects` (`_row_number`, reason, raw_record); a batch stager reads many files
at once straight into `_stage_all` / `_rejects_all`, which also carry `_source_file` and `_partition_date`.
"""

from __future__ import annotations

import re
from pathlib import Path

from growthmart.contracts import SourceContract
from growthmart.ingest.errors import LoadError
from growthmart.ingest.sql import ident, literal

FILE_COLUMN = "_gm_filename"  # read_csv's filename column in the batch path


class FileByFile(Exception):
    """The batch path cannot stage this batch; stage it file by file."""


def glob_escaped(path: Path) -> str:
    """The path as a DuckDB file pattern matching only itself: DuckDB's readers expand * ? and [...]."""
    return re.sub(r"([*?\[])", r"[\1]", str(path))


def file_literal(path: Path) -> str:
    return literal(glob_escaped(path))


def file_list(paths: list[Path]) -> str:
    return "[" + ", ".join(file_literal(p) for p in paths) + "]"


def record_columns(con, path: Path, names) -> None:
    """Remember the columns (CSV header, JSON keys, Parquet schema) a file has: missing and unknown ones are
    reported as warnings."""
    names = list(names)
    if names:
        con.execute("insert into _columns_seen select ?, unnest(?::varchar[])", [str(path), names])


def require_columns(contract: SourceContract, path: Path, have: set[str]) -> None:
    for c in contract.columns:
        if c.required and c.name not in have:
            raise LoadError(contract.name, path, "required column is missing from the file", column=c.name)


def create_rejects(con, rejects: list[tuple[int, str, str]]) -> None:
    con.execute(
        "create or replace temp table _rejects(_row_number bigint, reason varchar, raw_record varchar)"
    )
    if rejects:
        con.executemany("insert into _rejects values (?, ?, ?)", rejects)


def require_known_files(con, table: str, column: str) -> None:
    """Every staged row must come from a file of the batch (DuckDB reports each path as it was given)."""
    unknown = con.execute(
        f"select count(*) from (select distinct {column} as p from {table}) "
        "where p is null or p not in (select _path from _files)"
    ).fetchone()[0]
    if unknown:
        raise FileByFile


def create_batch_tables(con, contract: SourceContract) -> None:
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


def append_staged_file(con, contract: SourceContract, rel: str, day: str) -> None:
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
