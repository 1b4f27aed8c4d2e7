"""The app database connector as a Dagster asset: pulls users and orders from PostgreSQL into landing files, upstream
of `raw/app_users` and `raw/app_orders`. In the definitions only when GROWTHMART_APP_DB_DSN is set (assembled in
orchestration/definitions.py), so `make run` stays file-based and offline."""

from pathlib import Path

import dagster as dg

from assets.ingest.raw_assets import RAW_GROUP_PREFIX, TRANSIENT_RETRY
from assets.partitions import daily_partitions
from assets.resources import WarehouseResource
from growthmart.connectors import app_db

APP_DB_KEY = dg.AssetKey(["landing", "app_db"])
KEY_CHANGES_CHECK = "app_db_key_changes"
APP_DB_SOURCES = tuple(t.source for t in app_db.TABLES)  # the raw assets downstream of the pull


def pull_metadata(results: list[app_db.TablePull], database: str) -> dict[str, dg.MetadataValue]:
    meta: dict[str, dg.MetadataValue] = {"database": dg.MetadataValue.text(database)}
    for r in results:
        meta |= {
            f"{r.table}_rows_pulled": dg.MetadataValue.int(r.rows_pulled),
            f"{r.table}_pages": dg.MetadataValue.int(r.pages),
            f"{r.table}_watermark_before": dg.MetadataValue.text(r.watermark_before or ""),
            f"{r.table}_watermark_after": dg.MetadataValue.text(r.watermark_after or ""),
            f"{r.table}_pulled_since": dg.MetadataValue.text(r.pulled_since or "the beginning"),
            f"{r.table}_landing_days": dg.MetadataValue.text(", ".join(r.days)),
            f"{r.table}_files_changed": dg.MetadataValue.int(r.files_changed),
            f"{r.table}_deleted": dg.MetadataValue.int(len(r.deleted)),
            f"{r.table}_rekeyed": dg.MetadataValue.int(len(r.rekeyed)),
            f"{r.table}_late_beyond_overlap": dg.MetadataValue.int(len(r.late_beyond_overlap)),
            f"{r.table}_other_files": dg.MetadataValue.int(len(r.other_files)),
        }
    meta["dagster/row_count"] = dg.MetadataValue.int(sum(r.rows_pulled for r in results))
    return meta


def key_changes_result(results: list[app_db.TablePull]) -> dg.AssetCheckResult:
    """WARN when the app deleted or re-keyed rows the warehouse had landed: they stay in raw (DECISIONLOG)."""
    lines = list(app_db.key_change_lines(results))
    return dg.AssetCheckResult(
        check_name=KEY_CHANGES_CHECK,
        passed=not lines,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={
            "deleted": dg.MetadataValue.int(sum(len(r.deleted) for r in results)),
            "rekeyed": dg.MetadataValue.int(sum(len(r.rekeyed) for r in results)),
            "changes": dg.MetadataValue.md("\n".join(f"- {line}" for line in lines) or "none"),
        },
    )


def build_app_db_asset() -> dg.AssetsDefinition:
    @dg.asset(
        key=APP_DB_KEY,
        group_name=f"{RAW_GROUP_PREFIX}users",
        description="Users and orders pulled from the app's PostgreSQL by updated_at watermark with an overlap, "
        "landed as landing/app_users|app_orders/<day>/app_db_*.csv (docs/sources.md, 'App database').",
        partitions_def=daily_partitions(),
        backfill_policy=dg.BackfillPolicy.single_run(),
        retry_policy=TRANSIENT_RETRY,
        kinds={"postgres", "csv"},
        check_specs=[
            dg.AssetCheckSpec(
                KEY_CHANGES_CHECK,
                asset=APP_DB_KEY,
                description="The app deleted or re-keyed no row the warehouse had landed (WARN: the landed rows are kept)",
            )
        ],
        metadata={"landing_path": "landing/{app_users,app_orders}/<YYYY-MM-DD>/app_db_*.csv"},
    )
    def _app_db(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
        settings = app_db.AppDbSettings.from_env()
        database = app_db.describe_dsn(settings.dsn)
        try:
            results = app_db.pull(
                settings, Path(warehouse.data_dir), warehouse.timezone, log=context.log.info
            )
        except app_db.AppDbError as exc:
            # Only an unreachable database is worth retrying (the pull is idempotent); anything else fails at once.
            raise dg.Failure(
                description=str(exc), metadata={"database": database}, allow_retries=exc.transient
            ) from None
        for line in [*app_db.key_change_lines(results), *app_db.other_file_lines(results)]:
            context.log.warning(line)
        # The pull is not per day: its figures go on the run's last partition only (as the raw assets' totals).
        context.add_asset_metadata(pull_metadata(results, database), partition_key=context.partition_keys[-1])
        return dg.MaterializeResult(check_results=[key_changes_result(results)])

    return _app_db
