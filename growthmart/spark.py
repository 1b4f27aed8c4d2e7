"""A Spark session for a data directory (config.spark_settings), and `SparkCon`: the few calls of a DuckDB
connection the loader makes (`execute(sql, params).fetchall()/fetchone()`), answered by Spark SQL, so the
loader's engine-neutral steps run unchanged on either engine (growthmart/ingest/dialect.py spells the SQL).

With GROWTHMART_ENGINE=spark the pipeline's steps share one Spark session in the run's process (`spark_session`),
and stop it, Java process and all, before dbt starts its own (`stop_spark`): the embedded Derby metastore admits one
process at a time. `duckdb_copy` hands a DuckDB connection the Spark rows a step reads with DuckDB's SQL (the
checks' suites, the sentiment store, the publication).

pyspark is imported only here and only when a session is asked for: the DuckDB pipeline never loads it.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb

from growthmart.config import spark_dbt_env, spark_settings
from growthmart.ingest.dialect import SPARK

_session_dir: Path | None = None  # the data directory of this process's session, if one runs


def spark_session(data_dir: Path | str, app_name: str = "growthmart"):
    """The process's Spark session, configured for `data_dir` (created on first use; a session of another data
    directory is stopped first: its warehouse and metastore are fixed when its Java process starts)."""
    global _session_dir
    from pyspark.sql import SparkSession

    data = Path(data_dir).resolve()
    if _session_dir is not None and _session_dir != data:
        stop_spark()
    # Python workers (if a step ever needs one) run this interpreter, the venv's.
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    (data / "spark").mkdir(parents=True, exist_ok=True)
    builder = SparkSession.builder.appName(app_name)
    for key, value in spark_settings(data).items():
        builder = builder.config(key, value)
    spark = builder.enableHiveSupport().getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    _session_dir = data
    return spark


def stop_spark() -> bool:
    """Stop this process's Spark session and its Java process (which holds the Derby metastore's lock until it
    exits), so that another process — dbt — can open the metastore; the next `spark_session` starts a new one.
    Returns whether one was running."""
    global _session_dir
    _session_dir = None
    if "pyspark" not in sys.modules:
        return False
    from pyspark import SparkContext
    from pyspark.sql import SparkSession

    active = SparkSession.getActiveSession()
    if active is not None:
        active.stop()
    gateway = SparkContext._gateway
    if gateway is None:
        return active is not None
    proc = getattr(gateway, "proc", None)
    gateway.shutdown()
    if proc is not None:  # the gateway's Java process exits when its stdin closes
        if proc.stdin is not None:
            proc.stdin.close()
        try:
            proc.wait(timeout=60)
        except Exception:  # noqa: BLE001 - whatever keeps it alive, it must not keep Derby's lock
            proc.kill()
            proc.wait()
    SparkContext._gateway = None
    SparkContext._jvm = None
    return True


class _Result:
    def __init__(self, rows):
        self._rows = [tuple(r) for r in rows]

    def fetchall(self) -> list[tuple]:
        return self._rows

    def fetchone(self) -> tuple | None:
        return self._rows[0] if self._rows else None


class SparkCon:
    """Spark SQL behind the DuckDB-connection calls the loader uses; `dialect` and `engine` tell the loader how
    to spell its SQL and how to stage and write a batch (growthmart/ingest/spark_load.py)."""

    dialect = SPARK

    def __init__(self, spark):
        self.spark = spark

    @property
    def engine(self):
        from growthmart.ingest.spark_load import SPARK_ENGINE

        return SPARK_ENGINE

    def execute(self, sql: str, params: list | None = None) -> _Result:
        df = self.spark.sql(sql, args=list(params)) if params else self.spark.sql(sql)
        return _Result(df.collect())

    def table_exists(self, schema: str, table: str) -> bool:
        return bool(self.spark.catalog.tableExists(f"{schema}.{table}"))


@dataclass(frozen=True)
class Select:
    """Which rows and columns of a Spark table a step reads: `where` a Spark SQL condition (None: every row),
    `columns` (None: all), at most `limit` rows (None: no limit)."""

    where: str | None = None
    columns: tuple[str, ...] | None = None
    limit: int | None = None


EVERY_ROW = Select()


def spark_frame(spark, table: str, select: Select = EVERY_ROW):
    """A Spark table (`schema.name`) as a DataFrame with DuckDB's column types: Spark's session-zone `timestamp`
    as naive UTC (`timestamp_ntz`, the session is UTC), as the DuckDB warehouse keeps timestamps."""
    from pyspark.sql import functions as F
    from pyspark.sql.types import TimestampType

    frame = spark.table(table)
    if select.where:
        frame = frame.where(select.where)
    if select.columns is not None:
        frame = frame.select(*[f"`{c}`" for c in select.columns])
    if select.limit is not None:
        frame = frame.limit(select.limit)
    return frame.select(
        *[
            F.col(f"`{f.name}`").cast("timestamp_ntz").alias(f.name)
            if isinstance(f.dataType, TimestampType)
            else F.col(f"`{f.name}`")
            for f in frame.schema.fields
        ]
    )


def copy_to_duckdb(spark, con: duckdb.DuckDBPyConnection, table: str, select: Select = EVERY_ROW) -> int:
    """Copy what `select` takes of Spark's `schema.name` into the same-named table of `con`, as Arrow; returns
    the rows copied. A table Spark does not have is not created."""
    if not spark.catalog.tableExists(table):
        return 0
    schema, name = table.split(".", 1)
    arrow = spark_frame(spark, table, select).toArrow()
    con.execute(f'create schema if not exists "{schema}"')
    con.register("_from_spark", arrow)
    try:
        con.execute(f'create or replace table "{schema}"."{name}" as select * from _from_spark')
    finally:
        con.unregister("_from_spark")
    return arrow.num_rows


@contextmanager
def duckdb_copy(spark, tables: Mapping[str, Select]) -> Iterator[duckdb.DuckDBPyConnection]:
    """An in-memory DuckDB holding what a step reads of Spark's tables (`schema.name` -> Select). The step's
    DuckDB SQL (a quality suite's pushdown, the sentiment store) then runs unchanged on exactly what Spark
    selected."""
    con = duckdb.connect(":memory:")
    try:
        con.execute("set TimeZone = 'UTC'")
        for table, select in tables.items():
            copy_to_duckdb(spark, con, table, select)
        yield con
    finally:
        con.close()


def duckdb_file(
    spark, path: Path, schemas: tuple[str, ...], column_order: Mapping[tuple[str, str], list[str]]
) -> list[str]:
    """A DuckDB file at `path` (made anew) holding every Spark table of `schemas` (not views, not dbt's
    `__dbt_tmp` leftovers), the publication's source on Spark; returns the tables. Spark stores a partitioned
    table's partition columns last: a table whose columns are exactly those of `column_order[(schema, table)]`
    (its model's select, `model_column_order`) gets that order back, the order DuckDB keeps."""
    path.unlink(missing_ok=True)
    Path(f"{path}.wal").unlink(missing_ok=True)
    copied = []
    con = duckdb.connect(str(path))
    try:
        con.execute("set TimeZone = 'UTC'")
        for schema in schemas:
            if not spark.catalog.databaseExists(schema):
                continue
            for table in spark.catalog.listTables(schema):
                if table.isTemporary or table.tableType == "VIEW" or table.name.endswith("__dbt_tmp"):
                    continue
                qualified = f"{schema}.{table.name}"
                have = spark.table(qualified).columns
                wanted = column_order.get((schema, table.name.lower()), [])
                lower = {c.lower(): c for c in have}
                columns = [lower[c] for c in wanted] if sorted(wanted) == sorted(lower) else have
                copy_to_duckdb(spark, con, qualified, Select(columns=tuple(columns)))
                copied.append(qualified)
    finally:
        con.close()
    return copied


def model_column_order(spark, manifest: Path, schemas: tuple[str, ...]) -> dict[tuple[str, str], list[str]]:
    """The columns of each partitioned model of `schemas` in its select's order, by (schema, table): Spark analyses
    the SQL dbt compiled for it (the manifest of the Spark run, `compiled_code`) without running it."""
    nodes = json.loads(manifest.read_text(encoding="utf-8"))["nodes"].values()
    return {
        (node["schema"].lower(), (node.get("alias") or node["name"]).lower()): spark.sql(
            node["compiled_code"]
        ).columns
        for node in nodes
        if node["resource_type"] == "model"
        and node["schema"].lower() in schemas
        and node["config"].get("partition_by")
        and node.get("compiled_code")
    }


def replace_from_duckdb(spark, con: duckdb.DuckDBPyConnection, table: str) -> None:
    """Replace Spark's table `schema.name` by the same-named table of `con` (a small table a step rewrote)."""
    schema, name = table.split(".", 1)
    frame = spark.createDataFrame(
        con.execute(f'select * from "{schema}"."{name}"').df(), schema=_spark_schema(con, schema, name)
    )
    spark.sql(f"create database if not exists `{schema}`")
    frame.write.mode("overwrite").format("parquet").saveAsTable(f"`{schema}`.`{name}`")


# DuckDB type -> Spark type of a table written back; a naive TIMESTAMP stays naive (timestamp_ntz), as raw keeps it,
# so the process's time zone never shifts it on the way.
_SPARK_TYPES = {"VARCHAR": "string", "DOUBLE": "double", "BIGINT": "bigint", "INTEGER": "int", "TIMESTAMP": "timestamp_ntz",
                "DATE": "date", "BOOLEAN": "boolean"}  # fmt: skip


def _spark_schema(con: duckdb.DuckDBPyConnection, schema: str, name: str) -> str:
    rows = con.execute(
        "select column_name, data_type from information_schema.columns where table_schema = ? and table_name = ? "
        "order by ordinal_position",
        [schema, name],
    ).fetchall()
    return ", ".join(f"`{c}` {_SPARK_TYPES.get(t, t.lower())}" for c, t in rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m growthmart.spark")
    sub = parser.add_subparsers(dest="command", required=True)
    env = sub.add_parser(
        "env", help="print the exports a hand-run `dbt --target spark` needs for a data directory"
    )
    env.add_argument("--data-dir", type=Path, required=True)
    args = parser.parse_args(argv)
    import shlex

    for key, value in spark_dbt_env(args.data_dir.resolve()).items():
        print(f"export {key}={shlex.quote(value)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
