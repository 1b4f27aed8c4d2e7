"""Development bridge: copy a DuckDB build's raw layer into Spark tables, so the dbt project can be built on Spark.

Issue 15, part 1 (the dbt layer on Spark) needs raw tables on Spark before ingest can write them there: this copies
the `raw` and `nlp` schemas (every dbt source) of `<data>/warehouse.duckdb` into the Spark warehouse of the same
data directory (`<data>/spark`, profile output `spark` in dbt_project/profiles.yml), each raw table partitioned by
its landing day `_partition_date` as DuckDB's loader partitions it. It is a stopgap: with GROWTHMART_ENGINE=spark the
pipeline ingests into Spark itself; nothing in the pipeline calls it. tests/spark/test_spark_parity.py still uses it
to build the dbt layer on Spark from exactly DuckDB's raw rows.

    python -m tools.spark_raw_from_duckdb --data-dir <data>   # after `python -m orchestration.cli run --demo ...`
"""

from __future__ import annotations

import argparse
from pathlib import Path

import duckdb

from growthmart.spark import spark_session, stop_spark

SCHEMAS = ("raw", "nlp")  # the schemas the dbt sources read
PARTITION_COLUMN = "_partition_date"  # raw tables' landing day (growthmart/ingest/loader.py)


def copy_raw(data_dir: Path, spark, through: str | None = None) -> list[str]:
    """Replace the Spark tables of SCHEMAS with the DuckDB warehouse's; returns the tables copied. `through`
    (YYYY-MM-DD): only the raw partitions landed up to that day, as if the later days had not landed yet (a first
    build before a nightly run)."""
    staging = data_dir / "spark" / "bridge"
    staging.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(data_dir / "warehouse.duckdb"), read_only=True)
    try:
        tables = con.execute(
            "select table_schema, table_name from information_schema.tables "
            f"where table_schema in ({', '.join('?' for _ in SCHEMAS)}) and table_type = 'BASE TABLE' order by 1, 2",
            list(SCHEMAS),
        ).fetchall()
        copied = []
        for schema, table in tables:
            columns = con.execute(
                "select column_name, data_type from information_schema.columns "
                "where table_schema = ? and table_name = ? order by ordinal_position",
                [schema, table],
            ).fetchall()
            path = staging / f"{schema}.{table}.parquet"
            partitioned = any(name == PARTITION_COLUMN for name, _ in columns)
            landed = (
                f" where {PARTITION_COLUMN} <= cast('{through}' as date)" if through and partitioned else ""
            )
            con.execute(f"copy (select * from {schema}.\"{table}\"{landed}) to '{path}' (format parquet)")
            # DuckDB's naive TIMESTAMP reads back as Spark's TIMESTAMP_NTZ: cast to TIMESTAMP (the session is UTC,
            # so the wall clock is kept), the type dbt.type_timestamp() and every model use on Spark.
            select = ", ".join(
                f"cast(`{name}` as timestamp) as `{name}`" if kind == "TIMESTAMP" else f"`{name}`"
                for name, kind in columns
            )
            spark.sql(f"create database if not exists {schema}")
            spark.sql(f"drop table if exists {schema}.`{table}`")
            spark.sql(
                f"create table {schema}.`{table}` using parquet "
                + (f"partitioned by ({PARTITION_COLUMN}) " if partitioned else "")
                + f"as select {select} from parquet.`{path}`"
            )
            copied.append(f"{schema}.{table}")
        return copied
    finally:
        con.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--data-dir", type=Path, required=True, help="holds warehouse.duckdb; Spark's under spark/"
    )
    parser.add_argument("--through", help="YYYY-MM-DD: copy only the raw partitions landed up to this day")
    args = parser.parse_args(argv)
    data_dir = args.data_dir.resolve()
    spark = spark_session(data_dir)
    try:
        for table in copy_raw(data_dir, spark, args.through):
            print(f"copied {table}")
    finally:
        stop_spark()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
