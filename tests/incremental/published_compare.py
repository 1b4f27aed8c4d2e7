"""Reading and comparing the BI publication of a data directory (or the same tables built on Spark), table by table,
as sorted rows."""

from __future__ import annotations

import math
from decimal import Decimal
from pathlib import Path

import duckdb

PUBLISHED_SCHEMAS = ("reports", "marts")
FLOAT_TOLERANCE = 1e-9
# When dbt (re)wrote a row: differs between a nightly run and a full build by design, so not compared.
RUN_METADATA_COLUMNS = {"dbt_built_at"}

Tables = dict[str, tuple[list[str], list[tuple]]]


def published_tables(data_dir: Path) -> Tables:
    """Every published table of `data_dir` as (columns, rows sorted on all columns)."""
    con = duckdb.connect(str(data_dir / "published" / "growthmart.duckdb"), read_only=True)
    try:
        names = con.execute(
            "select table_schema, table_name from information_schema.tables "
            "where table_schema in (?, ?) and table_type = 'BASE TABLE' order by 1, 2",
            list(PUBLISHED_SCHEMAS),
        ).fetchall()
        tables: Tables = {}
        for schema, name in names:
            columns = [row[0] for row in con.execute(f'describe {schema}."{name}"').fetchall()]
            columns = [c for c in columns if c not in RUN_METADATA_COLUMNS]
            listed = ", ".join(f'"{c}"' for c in columns)
            rows = con.execute(f'select {listed} from {schema}."{name}" order by all').fetchall()
            tables[f"{schema}.{name}"] = (columns, rows)
        return tables
    finally:
        con.close()


def sort_rows(rows: list[tuple]) -> list[tuple]:
    """Rows in one engine-independent order: by every column, NULLs last (DuckDB's `order by all`)."""
    return sorted(rows, key=lambda row: tuple((v is None, v if v is not None else 0) for v in row))


def spark_tables(spark, expected: Tables) -> Tables:
    """The tables of `expected` as a Spark session holds them, in `expected`'s column order (Spark moves partition
    columns last) when they have the same columns, rows as sort_rows orders them."""
    tables: Tables = {}
    for table, (expected_columns, _) in expected.items():
        if not spark.catalog.tableExists(table):
            continue
        frame = spark.table(table)
        columns = [c for c in frame.columns if c not in RUN_METADATA_COLUMNS]
        if sorted(columns) == sorted(expected_columns):
            columns = expected_columns
        rows = [tuple(row) for row in frame.select(*[f"`{c}`" for c in columns]).collect()]
        tables[table] = (columns, sort_rows(rows))
    return tables


def _same_value(a: object, b: object) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        if a is None or b is None:
            return a is b
        return math.isclose(float(a), float(b), rel_tol=FLOAT_TOLERANCE, abs_tol=FLOAT_TOLERANCE)
    if isinstance(a, Decimal) and isinstance(b, Decimal):
        return a == b
    return a == b


def _same_rows(left: list[tuple], right: list[tuple]) -> bool:
    return len(left) == len(right) and all(
        len(x) == len(y) and all(_same_value(a, b) for a, b in zip(x, y, strict=True))
        for x, y in zip(left, right, strict=True)
    )


def differences(expected: Tables, actual: Tables) -> list[str]:
    """One line per table that is missing, has other columns, or holds other rows (floats within 1e-9)."""
    found = []
    for table in sorted(expected.keys() | actual.keys()):
        if table not in expected or table not in actual:
            found.append(f"{table}: only in {'expected' if table in expected else 'actual'}")
            continue
        (exp_columns, exp_rows), (act_columns, act_rows) = expected[table], actual[table]
        if exp_columns != act_columns:
            found.append(f"{table}: columns {exp_columns} != {act_columns}")
        elif not _same_rows(exp_rows, act_rows):
            missing = [r for r in exp_rows if r not in act_rows][:2]
            extra = [r for r in act_rows if r not in exp_rows][:2]
            found.append(
                f"{table}: {len(exp_rows)} rows expected, {len(act_rows)} found; e.g. missing {missing}, extra {extra}"
            )
    return found
