"""Jobs select assets by group, never by importing asset functions.

Every job writes the one DuckDB warehouse; runs never interleave because each holds the data directory's writer lock
for its whole length (growthmart/runlock.py, taken by the warehouse resource), and every job runs its steps in the
run's own process (the in-process executor, set once for all jobs in orchestration/definitions.py).
"""

from __future__ import annotations

from functools import cache

import dagster as dg

from assets.ingest import LANDING_GROUP
from assets.ingest.raw_assets import RAW_GROUP_PREFIX
from assets.partitions import daily_partitions
from growthmart.contracts import CONTRACTS

DAILY_PIPELINE_JOB = "daily_pipeline_job"
INGEST_JOB = "ingest_job"
WEEKLY_REPORT_JOB = "weekly_report_job"
MONTHLY_REPORT_JOB = "monthly_report_job"


@cache
def build_jobs() -> dict[str, dg.UnresolvedAssetJobDefinition]:
    families = dict.fromkeys(c.family for c in CONTRACTS)  # the raw groups, in declaration order
    raw = dg.AssetSelection.groups(LANDING_GROUP, *[f"{RAW_GROUP_PREFIX}{f}" for f in families])
    reports_and_publish = dg.AssetSelection.groups("reports", "publish")
    jobs = [
        dg.define_asset_job(
            name=DAILY_PIPELINE_JOB,
            description="Load a day's (or a range's) landing files, score the new brand mentions' sentiment, rebuild "
            "the dbt models, check, publish, HTML reports.",
            selection=dg.AssetSelection.all(),
            partitions_def=daily_partitions(),
        ),
        dg.define_asset_job(
            name=INGEST_JOB,
            description="Pull the API sources that are configured, load landing files into the raw schema (with the raw checks).",
            selection=raw,
            partitions_def=daily_partitions(),
        ),
        dg.define_asset_job(
            name=WEEKLY_REPORT_JOB,
            description="Rebuild the report tables (rpt_kpi_weekly among them) from the current marts; publish; the week's HTML report.",
            selection=reports_and_publish,
            tags={"growthmart/cadence": "weekly"},
        ),
        dg.define_asset_job(
            name=MONTHLY_REPORT_JOB,
            description="Rebuild the report tables (rpt_kpi_monthly, rpt_cac_ltv_monthly); publish; the month's HTML report.",
            selection=reports_and_publish,
            tags={"growthmart/cadence": "monthly"},
        ),
    ]
    return {j.name: j for j in jobs}
