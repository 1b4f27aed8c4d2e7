"""Resources, configured from environment variables (GROWTHMART_DATA_DIR feeds the warehouse and dbt)."""

from __future__ import annotations

from dagster_dbt import DbtCliResource

from assets.resources import WarehouseResource
from assets.transform import DBT_PROJECT_DIR
from growthmart.config import settings


def build_resources() -> dict:
    cfg = settings()
    return {
        "warehouse": WarehouseResource(data_dir=str(cfg.data_dir), timezone=cfg.timezone),
        "dbt": DbtCliResource(project_dir=str(DBT_PROJECT_DIR), profiles_dir=str(DBT_PROJECT_DIR)),
    }
