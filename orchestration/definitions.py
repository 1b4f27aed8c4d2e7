"""The one Dagster `Definitions` of growthmart: it only assembles the per-concern modules."""

from __future__ import annotations

import os

import dagster as dg

from assets.ingest import build_landing_assets, build_raw_assets, enabled_specs
from assets.ingest.app_db import APP_DB_KEY, APP_DB_SOURCES, build_app_db_asset
from assets.nlp import build_mention_sentiment_asset
from assets.publish import (
    build_alerts_asset,
    build_data_docs_asset,
    build_html_reports_asset,
    build_pg_publish_asset,
    build_publish_asset,
)
from assets.quality import build_raw_checks, build_report_checks
from assets.transform import build_dbt_assets
from growthmart.connectors import app_db
from growthmart.connectors.specs import SPECS
from growthmart.contracts import CONTRACTS
from orchestration import instance_storage
from orchestration.jobs import build_jobs
from orchestration.resources import build_resources
from orchestration.schedules import build_schedules
from orchestration.sensors import alerts_on_failed_run_sensor, landing_files_sensor


def build_definitions() -> dg.Definitions:
    # Every process that runs steps loads these definitions (the CLI, `dagster dev`'s code server, a launched run's
    # worker): each then writes Dagster's SQLite event log without an fsync per event (instance_storage.py).
    instance_storage.install()
    # A source is pulled when its connector's variables are set (API platforms: base URL and credentials; the app
    # database: its DSN); without them every source stays file-based, and `make run` offline.
    pulled = enabled_specs(SPECS, os.environ)
    landed_by: dict[str, list[dg.AssetKey]] = {s.source: [dg.AssetKey(["landing", s.source])] for s in pulled}
    if app_db.enabled():
        for source in APP_DB_SOURCES:
            landed_by.setdefault(source, []).append(APP_DB_KEY)
    return dg.Definitions(
        assets=[
            *build_landing_assets(pulled),
            *([build_app_db_asset()] if app_db.enabled() else []),
            *build_raw_assets(CONTRACTS, landed_by),
            # after raw.brand_mentions, before dbt: the dbt source nlp.mention_sentiment is this asset's key
            build_mention_sentiment_asset(),
            build_dbt_assets(),
            build_publish_asset(),
            build_pg_publish_asset(),
            build_data_docs_asset(),
            build_html_reports_asset(),
            build_alerts_asset(),
        ],
        asset_checks=[*build_raw_checks(CONTRACTS), *build_report_checks()],
        jobs=list(build_jobs().values()),
        schedules=build_schedules(),
        sensors=[landing_files_sensor, alerts_on_failed_run_sensor],
        resources=build_resources(),
        # Every job, the UI's ad-hoc materializations included, runs its steps in the run's process: that process
        # holds the writer lock for the whole run (assets/resources.py), and DuckDB allows one writing process.
        executor=dg.in_process_executor,
    )


@dg.definitions
def defs() -> dg.Definitions:
    return build_definitions()
