"""The static HTML reports (growthmart/report), rebuilt after each publication from the published DuckDB.

A partitioned run rebuilds only the pages of its days (their weeks and months) and the index, so a nightly run's
cost grows with the day, not with the history; a weekly / monthly report run rebuilds the page of its period; an
unpartitioned materialization (the UI) rebuilds every page. Before that, the run's check outcomes, quarantine and
source freshness are written to published/run_records/<run_id>.json for the pages' data-quality panel.
"""

from datetime import date
from pathlib import Path

import dagster as dg

from assets.check_outcomes import check_name, check_outcomes, run_check_evaluations
from assets.publish.publish_asset import PUBLISH_KEY
from assets.resources import WarehouseResource
from growthmart.report import build_range, build_reports, index_path, write_run_record
from growthmart.report.run_record import quarantine_counts, source_freshness
from growthmart.spark import Select

REPORTS_KEY = dg.AssetKey(["published", "html_reports"])
RANGE_START_TAG = "dagster/asset_partition_range_start"
RANGE_END_TAG = "dagster/asset_partition_range_end"
PARTITION_TAG = "dagster/partition"
CADENCE_TAG = "growthmart/cadence"
REPORT_THROUGH_TAG = "growthmart/report_through"


def report_scope(tags: dict[str, str]) -> dict:
    """Which pages a run rebuilds, from its tags: {"range": (first, last)} | {"period": p, "day": d} | {}."""
    if tags.get(RANGE_START_TAG) and tags.get(RANGE_END_TAG):
        return {"range": (date.fromisoformat(tags[RANGE_START_TAG]), date.fromisoformat(tags[RANGE_END_TAG]))}
    if tags.get(PARTITION_TAG):
        day = date.fromisoformat(tags[PARTITION_TAG])
        return {"range": (day, day)}
    if tags.get(CADENCE_TAG) in ("weekly", "monthly") and tags.get(REPORT_THROUGH_TAG):
        return {"period": tags[CADENCE_TAG], "day": date.fromisoformat(tags[REPORT_THROUGH_TAG])}
    return {}


def describe_scope(scope: dict) -> str:
    if "range" in scope:
        first, last = scope["range"]
        return f"days {first}..{last}, their weeks and months, the index"
    if "period" in scope:
        return f"the {scope['period']} page containing {scope['day']}, the index"
    return "every page"


def record_run(context: dg.AssetExecutionContext, warehouse: WarehouseResource, published_dir: Path) -> Path:
    passed, failed, warned = check_outcomes(run_check_evaluations(context.instance, context.run_id))
    quarantine, freshness = [], []
    if warehouse.on_spark or warehouse.path.exists():
        bookkeeping = {"raw.load_log": Select(), "raw.quarantine_rows": Select()}  # what Spark copies
        with warehouse.reading(bookkeeping, read_only=True) as con:
            has_raw = con.execute(
                """select count(*) from information_schema.tables
                   where table_schema = 'raw' and table_name in ('load_log', 'quarantine_rows')"""
            ).fetchone()[0]
            if has_raw == 2:
                quarantine = quarantine_counts(con)
                freshness = source_freshness(con)
    return write_run_record(
        published_dir,
        context.run_id,
        checks_passed=[check_name(e) for e in passed],
        checks_failed=[check_name(e) for e in failed],
        checks_warned=[check_name(e) for e in warned],
        quarantine=quarantine,
        freshness=freshness,
    )


def build_html_reports_asset() -> dg.AssetsDefinition:
    @dg.asset(
        key=REPORTS_KEY,
        deps=[PUBLISH_KEY],
        group_name="publish",
        kinds={"html"},
        description="data/published/reports/: daily, weekly and monthly HTML reports and their index (offline).",
    )
    def html_reports(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
        published_dir = Path(warehouse.data_dir) / "published"
        record = record_run(context, warehouse, published_dir)
        scope = report_scope(context.run.tags)
        if "range" in scope:
            written = build_range(published_dir, *scope["range"])
        else:
            written = build_reports(published_dir, period=scope.get("period"), day=scope.get("day"))
        pages = [p for p in written if p.name != "index.html"]
        index = index_path(published_dir)
        context.log.info(f"{len(pages)} report pages written; index {index}")
        return dg.MaterializeResult(
            metadata={
                "index": dg.MetadataValue.path(str(index)),
                "pages_written": dg.MetadataValue.int(len(pages)),
                "largest_page_bytes": dg.MetadataValue.int(
                    max((p.stat().st_size for p in written), default=0)
                ),
                "run_record": dg.MetadataValue.path(str(record)),
                "scope": dg.MetadataValue.text(describe_scope(scope)),
            }
        )

    return html_reports
