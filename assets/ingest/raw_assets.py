"""One daily-partitioned Dagster asset per raw source, loading landing files through the contract loader."""

import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
import duckdb

from assets.partitions import daily_partitions
from assets.resources import WarehouseResource, is_out_of_memory
from growthmart.contracts import SourceContract
from growthmart.ingest import LoadError, PartitionLoad, load_partitions, plan_batches
from growthmart.ingest.loader import engine_of
from growthmart.landing_watch import DayChange, changed_days, loaded_files

RAW_GROUP_PREFIX = "raw_"

# Only transient failures are retried, with backoff (transient_only below): the warehouse locked by another
# process (a BI tool, a hand-run dbt), a landing file that cannot be opened yet (still being copied or moved in).
# Everything else fails at once with allow_retries=False: a contract violation (retrying cannot fix a bad
# file), out of memory (the same data needs the same memory), a bug.
TRANSIENT_RETRY = dg.RetryPolicy(
    max_retries=3, delay=2, backoff=dg.Backoff.EXPONENTIAL, jitter=dg.Jitter.PLUS_MINUS
)
# DuckDB, when another process holds the file; when a file cannot be opened or read.
WAREHOUSE_LOCKED = re.compile(r"Could not set lock on file|Conflicting lock is held", re.IGNORECASE)
FILE_NOT_READY = re.compile(r"No files found|Cannot open file|No such file|Permission denied", re.IGNORECASE)


def is_transient(error: BaseException) -> bool:
    """Whether trying again later may succeed: a lock held by another process, a file not (yet) readable."""
    if isinstance(error, duckdb.IOException):
        return bool(WAREHOUSE_LOCKED.search(str(error)) or FILE_NOT_READY.search(str(error)))
    return isinstance(error, FileNotFoundError | PermissionError | BlockingIOError | InterruptedError)


@contextmanager
def transient_only(
    warehouse: WarehouseResource, doing: str, metadata: dict[str, str] | None = None
) -> Iterator[None]:
    """Let only transient errors reach the retry policy; any other error (out of memory, bad input, a bug) fails
    the step at once, since the same input would fail again. `doing` names the work in the out-of-memory
    message ("loading raw.app_events")."""
    try:
        yield
    except dg.Failure:
        raise
    except Exception as exc:
        if is_out_of_memory(exc):
            raise dg.Failure(
                description=warehouse.out_of_memory_message(doing, exc),
                allow_retries=False,
                metadata=metadata,
            ) from exc
        if is_transient(exc):
            raise
        raise dg.Failure(
            description=f"{type(exc).__name__}: {exc}", allow_retries=False, metadata=metadata
        ) from exc


def partition_metadata(part: PartitionLoad) -> dict[str, dg.MetadataValue]:
    """One partition's materialization metadata: that day's files and rows (landed = loaded + quarantined)."""
    meta = {
        "files": dg.MetadataValue.int(len(part.files)),
        "rows_landed": dg.MetadataValue.int(part.rows_landed),
        "rows_loaded": dg.MetadataValue.int(part.rows_loaded),
        "rows_quarantined": dg.MetadataValue.int(part.rows_quarantined),
        "dagster/row_count": dg.MetadataValue.int(part.rows_loaded),
    }
    if part.quarantine_reasons:
        meta["quarantine_reasons"] = dg.MetadataValue.json(dict(part.quarantine_reasons))
    if part.warnings:  # columns missing from a file or unknown to the contract (also in raw.load_warnings)
        meta["warnings"] = dg.MetadataValue.json(part.warnings)
    return meta


def days_to_load(
    con, contract: SourceContract, landing: Path, keys: list[str], log
) -> tuple[list[str], list[DayChange]]:
    """The run's days, plus every earlier landing day whose files changed since they were loaded (a late file, a
    restated or removed one: growthmart/landing_watch.py); minus run days whose folder is absent but that were
    loaded before (an archived landing folder must not empty raw). Returns (days in order, the late days)."""
    late = changed_days(con, contract, landing, min(keys), set(daily_partitions().get_partition_keys()))
    for change in late:
        log.warning(
            f"{contract.name}: landing day {change.day} changed since it was loaded ({change.describe()}); "
            "this run loads it again"
        )
    logged = loaded_files(con, contract.name)
    kept = [d for d in keys if d in logged and not (landing / contract.name / d).is_dir()]
    if kept:
        log.warning(
            f"{contract.name}: no landing folder for {', '.join(kept)}, loaded before: the rows loaded from it "
            "are kept (an empty folder, not a missing one, empties a day)"
        )
    return sorted({*(d for d in keys if d not in kept), *(c.day for c in late)}), late


def build_raw_asset(contract: SourceContract, deps: Sequence[dg.AssetKey] = ()) -> dg.AssetsDefinition:
    """`deps`: what lands its files first, when a connector pulls the source (assets/ingest/app_db.py)."""

    @dg.asset(
        key=["raw", contract.name],
        deps=list(deps),
        group_name=f"{RAW_GROUP_PREFIX}{contract.family}",
        description=contract.description,
        partitions_def=daily_partitions(),
        backfill_policy=dg.BackfillPolicy.single_run(),
        retry_policy=TRANSIENT_RETRY,
        kinds={"duckdb", contract.format},
        metadata={
            "dagster/table_name": f"warehouse.raw.{contract.name}",
            "landing_path": f"landing/{contract.name}/<YYYY-MM-DD>/{contract.file_glob}",
            "primary_key": ", ".join(contract.primary_key),
        },
    )
    def _raw_asset(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
        landing = Path(warehouse.data_dir) / "landing"
        keys = context.partition_keys
        landed = loaded = quarantined = files = done = 0
        reasons: dict[str, int] = {}
        with (
            transient_only(warehouse, f"loading raw.{contract.name}", {"source": contract.name}),
            warehouse.raw_connection() as con,
        ):
            engine_of(con).ensure_raw_tables(con, contract)  # the load log may not exist yet
            days, late = days_to_load(con, contract, landing, keys, context.log)
            # Backfills load in batches of whole days (one transaction each, sized by landing bytes).
            for batch in plan_batches(landing, contract, days):
                try:
                    parts = load_partitions(con, contract, landing, batch, run_id=context.run_id)
                except LoadError as exc:
                    if is_out_of_memory(exc):
                        raise  # not the file's fault: transient_only says memory ran out
                    raise dg.Failure(
                        description=str(exc),
                        allow_retries=False,
                        metadata={
                            "source": contract.name,
                            "file": exc.file,
                            "row": exc.row or -1,
                            "column": exc.column or "",
                            "partitions": f"{batch[0]}..{batch[-1]}",
                        },
                    ) from exc
                done += len(batch)
                for part in parts:
                    landed += part.rows_landed
                    loaded += part.rows_loaded
                    quarantined += part.rows_quarantined
                    files += len(part.files)
                    for reason, n in part.quarantine_reasons.items():
                        reasons[reason] = reasons.get(reason, 0) + n
                    # Each partition's materialization carries its own day's figures only: metadata
                    # without a partition key would be copied, range totals and all, into every one of
                    # a backfill's per-partition events.
                    if part.partition_date in keys:  # a late day is no partition of this run
                        context.add_asset_metadata(
                            partition_metadata(part), partition_key=part.partition_date
                        )
                    for warning in part.warnings:
                        context.log.warning(warning)
                context.log.info(
                    f"{contract.name}: {done}/{len(days)} partitions, {landed} rows landed, "
                    f"{loaded} loaded, {quarantined} quarantined"
                )
        if late:  # on the run's last partition: the run summary lists them
            context.add_asset_metadata(
                {"late_days_loaded": dg.MetadataValue.json({c.day: c.describe() for c in late})},
                partition_key=keys[-1],
            )
        if not files:
            context.log.warning(f"{contract.name}: no landing files for {keys[0]}..{keys[-1]}")
        if len(keys) > 1 and reasons:
            context.log.info(f"{contract.name}: quarantine reasons over {keys[0]}..{keys[-1]}: {reasons}")
        return dg.MaterializeResult()

    return _raw_asset


def build_raw_assets(
    contracts: Sequence[SourceContract], landed_by: dict[str, Sequence[dg.AssetKey]] | None = None
) -> list[dg.AssetsDefinition]:
    """`landed_by`: source name -> the connector assets landing its files (none: files dropped by hand)."""
    return [build_raw_asset(c, (landed_by or {}).get(c.name, ())) for c in contracts]
