"""Resources, configured from environment variables (GROWTHMART_DATA_DIR feeds the warehouse and dbt)."""

from __future__ import annotations

import shutil
import sys
from functools import cached_property
from importlib.metadata import version
from pathlib import Path

from dagster_dbt import DbtCliResource
from packaging.version import Version

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


class GrowthmartDbtCliResource(DbtCliResource):
    """dagster-dbt's resource without two start-up costs it pays on every run and growthmart never uses (~4.5 s of
    a one-day run, measured): running `dbt --version` in a subprocess to learn whether the executable is dbt Core
    or Fusion (it is the dbt-core installed beside this interpreter), and loading the project's macros into an
    in-process adapter that serves only `fetch_row_counts()` / `fetch_column_metadata()`, which the dbt asset does
    not call. Both override private methods of the pinned dagster-dbt; tests/orchestration/test_resources.py
    fails when an upgrade renames them."""

    @cached_property
    def _cli_version(self) -> Version:
        return Version(version("dbt-core"))

    def _initialize_dbt_core_adapter(self, args):  # noqa: ARG002 — the signature dagster-dbt calls
        return None


def build_resources() -> dict:
    cfg = settings()
    return {
        "warehouse": WarehouseResource(
            data_dir=str(cfg.data_dir),
            timezone=cfg.timezone,
            threads=cfg.duckdb_threads,
            memory_limit=cfg.duckdb_memory_limit,
            temp_dir=str(cfg.duckdb_temp_dir),
            engine=cfg.engine,
        ),
        "dbt": GrowthmartDbtCliResource(
            project_dir=str(DBT_PROJECT_DIR),
            profiles_dir=str(DBT_PROJECT_DIR),
            dbt_executable=guarded_dbt_executable(),
        ),
    }
