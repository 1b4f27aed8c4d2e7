"""Resources, configured from environment variables (GROWTHMART_DATA_DIR feeds the warehouse and dbt)."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from dagster_dbt import DbtCliResource

from assets.resources import WarehouseResource
from assets.transform import DBT_PROJECT_DIR
from growthmart.child_guard import guarded
from growthmart.config import settings


def dbt_executable() -> str:
    """The dbt installed beside this interpreter (.venv/bin/dbt), also when .venv/bin is not on PATH."""
    return shutil.which("dbt") or str(Path(sys.executable).with_name("dbt"))


def guarded_dbt_executable() -> str:
    """dbt started through a guard that makes it die with the run's process, kill -9 included
    (growthmart/child_guard.py); the guard lives beside dbt's target folder."""
    return guarded(dbt_executable(), DBT_PROJECT_DIR / "target")


def build_resources() -> dict:
    cfg = settings()
    return {
        "warehouse": WarehouseResource(
            data_dir=str(cfg.data_dir),
            timezone=cfg.timezone,
            threads=cfg.duckdb_threads,
            memory_limit=cfg.duckdb_memory_limit,
            temp_dir=str(cfg.duckdb_temp_dir),
        ),
        "dbt": DbtCliResource(
            project_dir=str(DBT_PROJECT_DIR),
            profiles_dir=str(DBT_PROJECT_DIR),
            dbt_executable=guarded_dbt_executable(),
        ),
    }
