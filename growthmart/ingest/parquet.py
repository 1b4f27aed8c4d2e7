"""Parquet landing files (any source; large event exports), staged as text like the other formats."""

from __future__ import annotations

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
    glob_escaped,
    record_columns,
    require_columns,
)


def stage_parquet(con, contract: SourceContract, path: Path) -> None:
    """Parquet landing (any source; large event exports): typed columns are re-checked like text ones."""
    try:
        have = {
            r[0] for r in con.execute(f"describe select * from read_parquet({file_literal(path)})").fetchall()
        }
    except duckdb.Error as exc:
        raise LoadError(contract.name, path, f"unparseable file: not a Parquet file ({exc})") from exc
    require_columns(contract, path, have)
    record_columns(con, path, sorted(have))
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
    create_rejects(con, [])


def batch_parquet(con, contract: SourceContract, paths: list[Path]) -> None:
    """Parquet files with one schema read together, as `stage_parquet` reads each."""
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
            raise FileByFile
        try:
            require_columns(contract, path, set(names))
        except LoadError as exc:
            raise FileByFile from exc
        groups.setdefault((names, types), []).append(path)
        record_columns(con, path, names)
    for (names, _), group in groups.items():
        cols = ", ".join(
            f"cast(t.{ident(c.name)} as varchar) as {ident(c.name)}"
            for c in contract.columns
            if c.name in names
        )
        con.execute(
            f"""insert into _stage_all by name
                select {cols}, t.file_row_number + 1 as _row_number, f._source_file, f._partition_date
                from read_parquet({file_list(group)}, filename = {literal(FILE_COLUMN)}, file_row_number = true) t
                left join _files f on f._path = t.{FILE_COLUMN}"""
        )
    if con.execute("select count(*) from _stage_all where _source_file is null").fetchone()[0]:
        raise FileByFile
