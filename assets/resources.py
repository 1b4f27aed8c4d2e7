"""The DuckDB warehouse resource shared by ingestion, checks and publishing."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
import duckdb

from growthmart.config import run_file_modes


class WarehouseResource(dg.ConfigurableResource):
    """Connections to the working DuckDB warehouse under the data directory (single writer)."""

    data_dir: str
    timezone: str = "Asia/Shanghai"
    threads: int = 2
    memory_limit: str = "4GB"  # keep well under the machine's RAM: DuckDB spills to temp_dir beyond it
    temp_dir: str = ""  # default <data_dir>/tmp

    @contextmanager
    def yield_for_execution(self, context: dg.InitResourceContext) -> Iterator[WarehouseResource]:
        """A run (once per run process) works under owner-only file modes; the publication is shared after it
        (growthmart/config.py says who reads what)."""
        with run_file_modes(self.data_dir):
            yield self

    @property
    def path(self) -> Path:
        return Path(self.data_dir) / "warehouse.duckdb"

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
