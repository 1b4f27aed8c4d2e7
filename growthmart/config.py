"""Run-time settings, read from environment variables (each named once, here).

Nothing is read at import time: call `settings()` where a value is needed.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

DATA_DIR_VAR = "GROWTHMART_DATA_DIR"  # feeds the Dagster resources and the dbt profile alike
TIMEZONE_VAR = "GROWTHMART_TIMEZONE"
START_DATE_VAR = "GROWTHMART_START_DATE"  # first daily partition
DEFAULT_TIMEZONE = "Asia/Shanghai"
DEFAULT_START_DATE = "2026-01-01"


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    timezone: str
    start_date: str

    @property
    def landing_dir(self) -> Path:
        return self.data_dir / "landing"

    @property
    def warehouse_path(self) -> Path:
        return self.data_dir / "warehouse.duckdb"

    @property
    def published_dir(self) -> Path:
        return self.data_dir / "published"

    @property
    def published_db_path(self) -> Path:
        return self.published_dir / "growthmart.duckdb"

    @property
    def published_parquet_dir(self) -> Path:
        return self.published_dir / "parquet"


def settings() -> Settings:
    data_dir = Path(os.environ.get(DATA_DIR_VAR, "data")).expanduser().resolve()
    return Settings(
        data_dir=data_dir,
        timezone=os.environ.get(TIMEZONE_VAR, DEFAULT_TIMEZONE),
        start_date=os.environ.get(START_DATE_VAR, DEFAULT_START_DATE),
    )
