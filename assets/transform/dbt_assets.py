"""The dbt project (staging → intermediate → marts → reports) as Dagster assets, from a prepared manifest.

The manifest is produced once at setup (`make manifest` runs `dbt parse`); loading these definitions never
parses the project. dbt tests become Dagster asset checks; a failing ERROR test fails the dbt step, which
keeps everything downstream of it (publishing included) from running.
"""

import json
import os
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt import (
    DagsterDbtTranslator,
    DagsterDbtTranslatorSettings,
    DbtCliResource,
    DbtProject,
    dbt_assets,
)

from assets.ingest.raw_assets import WRITER_POOL
from assets.resources import WarehouseResource
from growthmart.config import DATA_DIR_VAR, DUCKDB_MEMORY_LIMIT_VAR, DUCKDB_TEMP_DIR_VAR, DUCKDB_THREADS_VAR

DBT_PROJECT_DIR = Path(__file__).resolve().parents[2] / "dbt_project"


class GrowthmartDbtTranslator(DagsterDbtTranslator):
    """Groups dbt models by layer folder (staging, intermediate, marts, reports); sources stay ["raw", x]."""

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        resource_type = dbt_resource_props["resource_type"]
        if resource_type == "model":
            fqn = dbt_resource_props["fqn"]
            return fqn[1] if len(fqn) > 2 else "models"
        if resource_type == "seed":
            return "seeds"
        return super().get_group_name(dbt_resource_props)


@cache
def dbt_project() -> DbtProject:
    return DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)


def manifest_path() -> Path:
    path = dbt_project().manifest_path
    if not path.exists():
        raise FileNotFoundError(f"dbt manifest not found at {path}: run `make manifest` (dbt parse) first")
    return path


class DbtBuildConfig(dg.Config):
    """Run-time switches of the dbt build."""

    full_refresh: bool = False  # rebuild incremental models from all of raw


def run_window(tags: Mapping[str, str]) -> list[str]:
    """The reporting-timezone days a run covers, from its partition tags (a day or a backfill range)."""
    if "dagster/asset_partition_range_start" in tags:
        return [tags["dagster/asset_partition_range_start"], tags["dagster/asset_partition_range_end"]]
    if "dagster/partition" in tags:
        return [tags["dagster/partition"]]
    return []


def build_args(partition_keys: list[str], full_refresh: bool = False) -> list[str]:
    """`dbt build` arguments for a run over `partition_keys` (reporting-timezone days).

    The window reaches the models as vars `partition_start` / `partition_end`; incremental models re-process raw
    rows landed on or after partition_start − incremental_lookback_days (no upper bound: a re-run of an old
    day must not let an older version win, see DECISIONLOG). No keys (or a full
    refresh) means everything.
    """
    args = ["build"]
    if partition_keys and not full_refresh:
        window = {"partition_start": min(partition_keys), "partition_end": max(partition_keys)}
        args += ["--vars", json.dumps(window)]
    if full_refresh:
        args.append("--full-refresh")
    return args


@cache
def build_dbt_assets() -> dg.AssetsDefinition:
    translator = GrowthmartDbtTranslator(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True))

    @dbt_assets(
        manifest=manifest_path(),
        project=dbt_project(),
        dagster_dbt_translator=translator,
        name="growthmart_dbt",
        pool=WRITER_POOL,
        # Not partitioned itself: the window comes from the run's partition tags (see run_window). Partitioning
        # the 45 models made Dagster record a materialization per model per day — at 10M events / 365 days,
        # 200 s of event writing on top of a 91 s dbt build (bench, 2026-11-26).
    )
    def growthmart_dbt(
        context: dg.AssetExecutionContext,
        config: DbtBuildConfig,
        dbt: DbtCliResource,
        warehouse: WarehouseResource,
    ):
        # The dbt profile reads the warehouse path and DuckDB's limits from the same settings as the resource;
        # set for the dbt subprocess only, then restored, so nothing leaks into later runs in this process.
        env = {
            DATA_DIR_VAR: warehouse.data_dir,
            DUCKDB_THREADS_VAR: str(warehouse.threads),
            DUCKDB_MEMORY_LIMIT_VAR: warehouse.memory_limit,
            DUCKDB_TEMP_DIR_VAR: warehouse.temp_dir or str(Path(warehouse.data_dir) / "tmp"),
        }
        args = build_args(run_window(context.run.tags), config.full_refresh)
        context.log.info(f"dbt {' '.join(args)}")
        # One stable target folder (runs are one at a time): no per-run folder piles up, and dbt's partial
        # parse state carries over from `make manifest` and from run to run.
        saved = {key: os.environ.get(key) for key in env}
        os.environ.update(env)
        try:
            yield from dbt.cli(
                args, context=context, target_path=DBT_PROJECT_DIR / "target" / "dagster"
            ).stream()
        finally:
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value

    return growthmart_dbt


def dbt_keys_in_groups(*groups: str) -> list[dg.AssetKey]:
    """Asset keys of the dbt models in the given layer groups (e.g. "reports", "marts")."""
    return sorted(
        (spec.key for spec in build_dbt_assets().specs if spec.group_name in groups),
        key=lambda k: k.to_user_string(),
    )
