"""Read-only probes of the DuckDB warehouse used by the quality checks.

Everything here is SQL over a DuckDB connection; only `partition_slice` and `report_frame` bring rows
into pandas, and only a bounded slice (at most N rows of one raw partition, or a small report table).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

import duckdb
import pandas as pd

RAW_SCHEMA = "raw"
REPORTS_SCHEMA = "reports"
MARTS_SCHEMA = "marts"
LOAD_LOG = "load_log"


def quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def qualified(schema: str, table: str) -> str:
    return f"{quote(schema)}.{quote(table)}"


def table_exists(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    sql = "select count(*) from information_schema.tables where table_schema = ? and table_name = ?"
    return con.execute(sql, [schema, table]).fetchone()[0] > 0


def find_table(con: duckdb.DuckDBPyConnection, names: Sequence[str]) -> tuple[str, str] | None:
    """(schema, table) of the first of `names` that exists in any schema; dbt may prefix schemas."""
    rows = con.execute(
        "select table_schema, table_name from information_schema.tables where table_name in "
        f"({', '.join('?' * len(names))})",
        list(names),
    ).fetchall()
    found = {table: schema for schema, table in rows}
    return next(((found[n], n) for n in names if n in found), None)


def column_types(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> dict[str, str]:
    rows = con.execute(
        "select column_name, data_type from information_schema.columns "
        "where table_schema = ? and table_name = ? order by ordinal_position",
        [schema, table],
    ).fetchall()
    return dict(rows)


def column_contract_frame(actual: dict[str, str], expected: dict[str, str]) -> pd.DataFrame:
    """One row per column on either side: "<column> <TYPE>" as found and as contracted (None if absent)."""
    rows = [
        {
            "column_name": name,
            "actual": f"{name} {actual[name]}" if name in actual else None,
            "expected": f"{name} {expected[name]}" if name in expected else None,
        }
        for name in [*expected, *(c for c in actual if c not in expected)]
    ]
    return pd.DataFrame(rows, columns=["column_name", "actual", "expected"], dtype=object)


def partitions_loaded_by_run(con: duckdb.DuckDBPyConnection, source: str, run_id: str | None) -> list[date]:
    if not run_id or not table_exists(con, RAW_SCHEMA, LOAD_LOG):
        return []
    sql = (
        f"select distinct partition_date from {qualified(RAW_SCHEMA, LOAD_LOG)} "
        "where source = ? and run_id = ? order by 1"
    )
    return [r[0] for r in con.execute(sql, [source, run_id]).fetchall()]


def loaded_partitions(con: duckdb.DuckDBPyConnection, source: str) -> list[date]:
    """Every partition ever loaded: from the load log (which also records empty days) and the table."""
    parts: set[date] = set()
    if table_exists(con, RAW_SCHEMA, LOAD_LOG):
        sql = f"select distinct partition_date from {qualified(RAW_SCHEMA, LOAD_LOG)} where source = ?"
        parts |= {r[0] for r in con.execute(sql, [source]).fetchall()}
    if table_exists(con, RAW_SCHEMA, source):
        sql = f"select distinct _partition_date from {qualified(RAW_SCHEMA, source)}"
        parts |= {r[0] for r in con.execute(sql).fetchall()}
    return sorted(p for p in parts if p is not None)


def partition_row_counts(
    con: duckdb.DuckDBPyConnection, source: str, partitions: Sequence[date]
) -> dict[date, int]:
    """Rows per partition in the raw table (0 for a partition with no rows)."""
    if not partitions:
        return {}
    sql = (
        f"select _partition_date, count(*) from {qualified(RAW_SCHEMA, source)} "
        f"where _partition_date in ({', '.join('?' * len(partitions))}) group by 1"
    )
    counts = dict(con.execute(sql, list(partitions)).fetchall())
    return {p: int(counts.get(p, 0)) for p in partitions}


def empty_sources(con: duckdb.DuckDBPyConnection, sources: Sequence[str]) -> list[str]:
    """The raw sources of `sources` without a row (a table not created yet counts as empty)."""
    return [
        s
        for s in sources
        if not table_exists(con, RAW_SCHEMA, s)
        or not con.execute(f"select exists (select 1 from {qualified(RAW_SCHEMA, s)})").fetchone()[0]
    ]


def loaded_days(con: duckdb.DuckDBPyConnection) -> int:
    """The days of marts.dim_dates (first loaded day .. data end); 0 before dbt has built it."""
    if not table_exists(con, MARTS_SCHEMA, "dim_dates"):
        return 0
    return int(con.execute(f"select count(*) from {qualified(MARTS_SCHEMA, 'dim_dates')}").fetchone()[0])


def partition_slice(con: duckdb.DuckDBPyConnection, source: str, partition: date, limit: int) -> pd.DataFrame:
    """The first `limit` rows of one partition in load order (file, then line): a bounded, repeatable slice."""
    sql = (
        f"select * from {qualified(RAW_SCHEMA, source)} where _partition_date = ? "
        "order by _source_file, _row_number limit ?"
    )
    return con.execute(sql, [partition, int(limit)]).df()


def report_frame(con: duckdb.DuckDBPyConnection, table: str) -> pd.DataFrame:
    return con.execute(f"select * from {qualified(REPORTS_SCHEMA, table)}").df()


def latest_loaded_at(con: duckdb.DuckDBPyConnection, source: str) -> datetime | None:
    if not table_exists(con, RAW_SCHEMA, source):
        return None
    return con.execute(f"select max(_loaded_at) from {qualified(RAW_SCHEMA, source)}").fetchone()[0]
