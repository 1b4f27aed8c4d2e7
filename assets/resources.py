"""The DuckDB warehouse resource shared by ingestion, checks and publishing."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
import duckdb
from pydantic import PrivateAttr

from growthmart.config import PRIVATE_UMASK, make_private, published_dir, share_with_readers


class WarehouseResource(dg.ConfigurableResource):
    """Connections to the working DuckDB warehouse under the data directory (single writer)."""

    data_dir: str
    timezone: str = "Asia/Shanghai"
    threads: int = 2
    memory_limit: str = "4GB"  # keep well under the machine's RAM: DuckDB spills to temp_dir beyond it
    temp_dir: str = ""  # default <data_dir>/tmp
    _umask_before: int | None = PrivateAttr(default=None)

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        """For the run (once per run process): owner-only modes for everything created from here on, the
        warehouse's WAL and dbt's files included (dbt inherits the umask), and for the existing private files
        (growthmart/config.py says who reads what)."""
        self._umask_before = os.umask(PRIVATE_UMASK)
        make_private(self.data_dir)

    def teardown_after_execution(self, context: dg.InitResourceContext) -> None:
        """After the run: what the run wrote under published/ (HTML reports, run records, Data Docs) made
        readable by the BI readers' group again, then the process's umask back."""
        try:
            share_with_readers(published_dir(self.data_dir))
        finally:
            if self._umask_before is not None:
                os.umask(self._umask_before)
                self._umask_before = None

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
