"""Staging a load batch: all its files together when they allow it, else file by file.

A backfill batch holds hundreds of small files per source (one or two a day). Staging them one by one costs
about ten DuckDB statements per file whatever its size; the batch path reads all files of a source that
share a layout in one read_csv / read_text statement (the `filename` column tells their rows apart; per-file
row numbers and rejected lines are derived from it). A file that is not plainly loadable (unreadable
header, missing column, parse error, unusual path) sends the whole batch down the file-by-file path, which
raises exactly the error (source, file, row, column) it always did: the batch path never judges a file bad.
DuckDB reports each file's path (`filename`) as it is on disk, which `_files` maps to its name and day.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from growthmart.contracts import SourceContract
from growthmart.ingest.api_pages import is_api_page
from growthmart.ingest.csv_reader import batch_csv, stage_csv
from growthmart.ingest.parquet import batch_parquet, stage_parquet
from growthmart.ingest.records import (
    api_contexts,
    batch_api,
    batch_json,
    batch_jsonl,
    stage_api,
    stage_json,
    stage_jsonl,
)
from growthmart.ingest.staging import FileByFile, append_staged_file, create_batch_tables

STAGERS = {"csv": stage_csv, "json": stage_json, "jsonl": stage_jsonl, "parquet": stage_parquet}


def _stager(contract: SourceContract, path: Path):
    if is_api_page(contract, path):
        return stage_api
    return STAGERS["parquet" if path.suffix == ".parquet" else contract.format]


BATCH_STAGERS = {"csv": batch_csv, "json": batch_json, "jsonl": batch_jsonl}


def stage_batch(con, contract: SourceContract, entries: list[tuple[Path, str, str]], contexts: dict) -> None:
    """Stage every (path, name relative to the landing folder, day) of a batch into `_stage_all`/`_rejects_all`;
    `contexts`: the API pages' request contexts (records.page_contexts)."""
    api_contexts(con, contexts)
    create_batch_tables(con, contract)
    try:
        stage_batch_together(con, contract, entries)
        for scratch in (
            "_stage_text",
            "_lines_all",
            "_records_all",
            "_api_records",
        ):  # free the memory before typing
            con.execute(f"drop table if exists {scratch}")
        return
    except FileByFile:
        create_batch_tables(con, contract)
    for path, rel, day in entries:
        _stager(contract, path)(con, contract, path)
        append_staged_file(con, contract, rel, day)


def stage_batch_together(con, contract: SourceContract, entries: list[tuple[Path, str, str]]) -> None:
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
            batch_parquet(con, contract, parquet)
        if api:
            batch_api(con, contract, api)
        if native:
            BATCH_STAGERS[contract.format](con, contract, native)
    except duckdb.Error as exc:
        raise FileByFile from exc
