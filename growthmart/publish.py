"""Publish report and mart tables for BI: a fresh DuckDB file and Parquet files, swapped in atomically.

Readers never see a half-written state and never touch the pipeline's working warehouse (and so never hit
its write lock): everything is written under a temporary name first, then `os.replace` swaps the DuckDB file
and a symlink swap moves `parquet/` to the new version. A reader that opened the old file keeps reading it.
Tables CRM and push tools import (CSV_EXPORTS) are also written as CSV next to their Parquet file, in the same
version directory, so they swap with it.
"""

from __future__ import annotations

import os
import shutil
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

PUBLISHED_SCHEMAS = ("reports", "marts")
KEEP_PARQUET_VERSIONS = 2
# Published as CSV too: the user list a CRM or push tool imports for targeted recalls (docs/metrics.md).
CSV_EXPORTS = (("reports", "rpt_user_segments"),)
# UTF-8 byte order mark: Excel and common CRM importers read a BOM-less CSV in the system code page (GBK on a
# Chinese Windows), which garbles the Chinese tier labels and actions.
UTF8_BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True)
class PublishedTable:
    schema: str
    name: str
    rows: int

    @property
    def qualified(self) -> str:
        return f"{self.schema}.{self.name}"


def _tables(con: duckdb.DuckDBPyConnection, catalog: str, schemas: tuple[str, ...]) -> list[tuple[str, str]]:
    marks = ", ".join("?" for _ in schemas)
    return con.execute(
        f"""select table_schema, table_name from information_schema.tables
            where table_catalog = ? and table_schema in ({marks}) and table_type = 'BASE TABLE'
            order by 1, 2""",
        [catalog, *schemas],
    ).fetchall()


def publish(
    warehouse_path: Path,
    published_dir: Path,
    schemas: tuple[str, ...] = PUBLISHED_SCHEMAS,
    run_id: str | None = None,
) -> list[PublishedTable]:
    """Copy every table of `schemas` from the warehouse into `published_dir` (DuckDB + Parquet)."""
    published_dir.mkdir(parents=True, exist_ok=True)
    token = datetime.now(UTC).strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:8]
    tmp_db = published_dir / f".growthmart.{token}.duckdb.tmp"
    versions = published_dir / ".parquet_versions"
    parquet_version = versions / token
    parquet_version.mkdir(parents=True)
    published: list[PublishedTable] = []
    try:
        con = duckdb.connect(str(tmp_db))
        try:
            con.execute(f"attach '{warehouse_path}' as wh (read_only)")
            for schema, name in _tables(con, "wh", schemas):
                con.execute(f"create schema if not exists {schema}")
                con.execute(f'create table {schema}."{name}" as select * from wh.{schema}."{name}"')
                rows = con.execute(f'select count(*) from {schema}."{name}"').fetchone()[0]
                (parquet_version / schema).mkdir(exist_ok=True)
                target = parquet_version / schema / f"{name}.parquet"
                con.execute(f"copy {schema}.\"{name}\" to '{target}' (format parquet)")
                if (schema, name) in CSV_EXPORTS:
                    _write_csv(con, f'{schema}."{name}"', parquet_version / schema / f"{name}.csv")
                published.append(PublishedTable(schema, name, rows))
            if not published:
                raise RuntimeError(f"nothing to publish: no tables in schemas {schemas} of {warehouse_path}")
            con.execute(
                """create table main.publication as
                   select cast(? as timestamp) as published_at, ? as run_id,
                          unnest(?::varchar[]) as table_name, unnest(?::bigint[]) as row_count""",
                [
                    datetime.now(UTC).replace(tzinfo=None),
                    run_id,
                    [t.qualified for t in published],
                    [t.rows for t in published],
                ],
            )
            con.execute("detach wh")
            con.execute("checkpoint")
        finally:
            con.close()
        os.replace(tmp_db, published_dir / "growthmart.duckdb")
        _swap_symlink(published_dir / "parquet", parquet_version)
    except BaseException:
        tmp_db.unlink(missing_ok=True)
        shutil.rmtree(parquet_version, ignore_errors=True)
        raise
    _prune_versions(versions, keep=KEEP_PARQUET_VERSIONS)
    return published


def _write_csv(con: duckdb.DuckDBPyConnection, table: str, target: Path) -> None:
    """`table` as CSV with a header, UTF-8 with a BOM; DuckDB writes it, Python only prepends the BOM (streamed)."""
    plain = target.with_name(f".{target.name}.nobom")
    con.execute(f"copy {table} to '{plain}' (format csv, header true, delimiter ',', quote '\"')")
    with target.open("wb") as out, plain.open("rb") as body:
        out.write(UTF8_BOM)
        shutil.copyfileobj(body, out, length=1 << 20)
    plain.unlink()


def _swap_symlink(link: Path, target: Path) -> None:
    if link.exists() and not link.is_symlink():
        shutil.rmtree(link)  # a plain directory from an older layout
    tmp_link = link.with_name(f".{link.name}.{uuid.uuid4().hex[:8]}")
    tmp_link.symlink_to(target.relative_to(link.parent))
    os.replace(tmp_link, link)


def _prune_versions(versions: Path, keep: int) -> None:
    for old in sorted(p for p in versions.iterdir() if p.is_dir())[:-keep]:
        shutil.rmtree(old, ignore_errors=True)
