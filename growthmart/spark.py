"""A Spark session for a data directory (config.spark_settings), and `SparkCon`: the few calls of a DuckDB
connection the loader makes (`execute(sql, params).fetchall()/fetchone()`), answered by Spark SQL, so the
loader's engine-neutral steps run unchanged on either engine (growthmart/ingest/dialect.py spells the SQL).

pyspark is imported only here and only when a session is asked for: the DuckDB pipeline never loads it.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from growthmart.config import spark_settings
from growthmart.ingest.dialect import SPARK


def spark_session(data_dir: Path | str, app_name: str = "growthmart"):
    """The process's Spark session, configured for `data_dir` (created on first use)."""
    from pyspark.sql import SparkSession

    # Python workers (if a step ever needs one) run this interpreter, the venv's.
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    builder = SparkSession.builder.appName(app_name)
    for key, value in spark_settings(data_dir).items():
        builder = builder.config(key, value)
    spark = builder.enableHiveSupport().getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    return spark


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
