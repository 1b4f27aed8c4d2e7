"""The DuckDB warehouse resource shared by ingestion, checks and publishing."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
import duckdb

from growthmart.config import (
    DUCKDB_MEMORY_LIMIT_VAR,
    DUCKDB_TEMP_DIR_VAR,
    DUCKDB_THREADS_VAR,
    run_file_modes,
)
from growthmart.runlock import writer_lock
from growthmart.spark import Select

# How DuckDB and Python say that memory ran out.
OUT_OF_MEMORY_TEXT = "Out of Memory Error"


class WarehouseResource(dg.ConfigurableResource):
    """Connections to the working DuckDB warehouse under the data directory (single writer).

    In a run, the resource holds the data directory's writer lock (growthmart.runlock) from its set-up, before any
    step, to the end of the run: runs never interleave, whoever launched them (the CLI, the daemon, the UI). Once
    it holds the lock it recovers what killed runs left behind (assets/run_recovery.py).
    """

    data_dir: str
    timezone: str = "Asia/Shanghai"
    threads: int = 2
    memory_limit: str = "4GB"  # keep well under the machine's RAM: DuckDB spills to temp_dir beyond it
    temp_dir: str = ""  # default <data_dir>/tmp
    # duckdb | spark (growthmart.config ENGINE_VAR): where raw, dbt's tables and the checks' inputs live. On spark
    # the DuckDB warehouse file is not used: the steps share the run process's Spark session (growthmart/spark.py).
    engine: str = "duckdb"

    @property
    def on_spark(self) -> bool:
        return self.engine == "spark"

    @property
    def path(self) -> Path:
        return Path(self.data_dir) / "warehouse.duckdb"

    @contextmanager
    def yield_for_execution(self, context: dg.InitResourceContext) -> Iterator[WarehouseResource]:
        """Once per run process, for the whole run: the writer lock (waiting for it while another run holds it),
        then owner-only file modes, the publication shared after it (growthmart/config.py says who reads what);
        what killed runs left behind is recovered before the first step."""
        from assets.run_recovery import recover_dead_runs
        from assets.transform.dbt_assets import drop_stale_run_window

        log = context.log
        info = log.info if log else print
        warning = log.warning if log else print
        with writer_lock(self.data_dir, context.run_id or "", say=info), run_file_modes(self.data_dir):
            if context.instance is not None:
                recover_dead_runs(context.instance, context.run_id, say=warning)
            drop_stale_run_window(self, say=warning)
            try:
                yield self
            finally:
                if self.on_spark:  # its Java process holds the Derby metastore's lock
                    from growthmart.spark import stop_spark

                    stop_spark()

    @contextmanager
    def connect(self, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # DuckDB's limits are set when the database is opened: once it has spilled, setting temp_directory again
        # fails ("Cannot switch temporary directory after the current one has been used").
        config = {
            "threads": int(self.threads),
            "memory_limit": self.memory_limit,
            "temp_directory": self.temp_dir or str(Path(self.data_dir) / "tmp"),
        }
        con = duckdb.connect(str(self.path), read_only=read_only, config=config)
        try:
            # Raw timestamps are naive UTC; make the session agree so casts never shift them.
            con.execute("set TimeZone = 'UTC'")
            con.execute("set enable_progress_bar = false")  # it would be drawn into the run's log
            yield con
        finally:
            con.close()

    def spark(self):
        """The run process's Spark session for this data directory (engine spark)."""
        from growthmart.spark import spark_session

        return spark_session(self.data_dir)

    @contextmanager
    def raw_connection(self) -> Iterator:
        """What the loader writes raw through: the DuckDB warehouse, or Spark SQL (growthmart.spark.SparkCon)."""
        if not self.on_spark:
            with self.connect() as con:
                yield con
            return
        from growthmart.spark import SparkCon

        yield SparkCon(self.spark())

    @contextmanager
    def reading(
        self, tables: Mapping[str, Select], read_only: bool = False
    ) -> Iterator[duckdb.DuckDBPyConnection]:
        """A DuckDB connection to run a step's DuckDB SQL on (a quality suite, a run record): the warehouse itself,
        or on Spark an in-memory DuckDB holding what Spark selected of `tables` (`schema.name` -> which rows and
        columns, growthmart.spark.duckdb_copy)."""
        if not self.on_spark:
            with self.connect(read_only=read_only) as con:
                yield con
            return
        from growthmart.spark import duckdb_copy

        with duckdb_copy(self.spark(), tables) as con:
            yield con

    def out_of_memory_message(self, what: str, error: BaseException | str) -> str:
        return out_of_memory_message(
            what, error, self.memory_limit, self.threads, self.temp_dir or str(Path(self.data_dir) / "tmp")
        )


def is_out_of_memory(error: BaseException | str | None) -> bool:
    """Whether an error (or an error it was raised from) says memory ran out: DuckDB's OutOfMemoryException or
    its message (also when wrapped, e.g. in a loader error or dbt's output), or Python's MemoryError."""
    seen = set()
    while error is not None and id(error) not in seen:
        if isinstance(error, str):
            return OUT_OF_MEMORY_TEXT.lower() in error.lower()
        seen.add(id(error))
        if isinstance(error, MemoryError | duckdb.OutOfMemoryException):
            return True
        if OUT_OF_MEMORY_TEXT.lower() in str(error).lower():
            return True
        error = error.__cause__ or error.__context__
    return False


def memory_advice(memory_limit: str, threads: int | str, temp_dir: str) -> str:
    """Which limit memory ran out under and what to do about it."""
    return (
        f"DuckDB may use {DUCKDB_MEMORY_LIMIT_VAR}={memory_limit} with {DUCKDB_THREADS_VAR}={threads}. Raise "
        f"{DUCKDB_MEMORY_LIMIT_VAR} (default: half the RAM) or lower {DUCKDB_THREADS_VAR} (each thread needs its "
        f"own buffers), check that {DUCKDB_TEMP_DIR_VAR} ({temp_dir}) has free space to spill to, and run again. "
        "Not retried: the same data would need the same memory."
    )


def out_of_memory_message(
    what: str, error: BaseException | str, memory_limit: str, threads: int | str, temp_dir: str
) -> str:
    """Say that memory ran out, under which limit, and what to do (the step's failure description)."""
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    said = next(
        (line for line in lines if OUT_OF_MEMORY_TEXT.lower() in line.lower()),
        lines[0] if lines else type(error).__name__,
    )
    return f"Out of memory {what}. {memory_advice(memory_limit, threads, temp_dir)} The error: {said}"
