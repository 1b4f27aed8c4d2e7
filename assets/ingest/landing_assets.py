"""One daily-partitioned Dagster asset per API source, `landing/<source>`: pulls the report into landing/.

It exists only when the source's connector variables are set (growthmart/connectors/specs), so `make run` stays
offline and file-based. A run for day D pulls the restatement window ending with D (GROWTHMART_CONNECTOR_
RESTATEMENT_DAYS, default 7; before the run's first day only days landed already): restated earlier days become
changed landing files, which the raw asset reloads (growthmart/landing_watch.py). Each source is its own concurrency pool (limit 1, orchestration/dagster.yaml): two
runs never pull one platform at once.
"""

from collections.abc import Mapping, Sequence
from pathlib import Path

import dagster as dg

from assets.partitions import daily_partitions
from assets.resources import WarehouseResource
from growthmart.config import settings
from growthmart.connectors.errors import ConnectorError, NotConfigured
from growthmart.connectors.pull import PullResult, days_to_pull, pull
from growthmart.connectors.settings import pull_settings
from growthmart.connectors.spec import ConnectorSpec

LANDING_GROUP = "landing"


def landing_key(source: str) -> dg.AssetKey:
    return dg.AssetKey(["landing", source])


def pull_metadata(result: PullResult) -> dict[str, dg.MetadataValue]:
    """What a pull fetched, for the run summary and the UI (never a credential)."""
    return {
        "days_pulled": dg.MetadataValue.json(result.days),
        "pages": dg.MetadataValue.int(result.pages),
        "rows": dg.MetadataValue.int(result.rows),
        "requests": dg.MetadataValue.int(result.requests),
        "retries": dg.MetadataValue.int(result.retries),
        "rate_limit_waits": dg.MetadataValue.int(result.rate_limit_waits),
        "waited_seconds": dg.MetadataValue.float(result.waited_seconds),
        "token_refreshes": dg.MetadataValue.int(result.token_refreshes),
    }


def build_landing_asset(spec: ConnectorSpec) -> dg.AssetsDefinition:
    @dg.asset(
        key=landing_key(spec.source),
        group_name=LANDING_GROUP,
        description=f"{spec.title}: {spec.endpoint}, pulled into landing/{spec.source}/<day>/ (raw pages).",
        partitions_def=daily_partitions(),
        backfill_policy=dg.BackfillPolicy.single_run(),
        pool=f"connector_{spec.source}",
        kinds={"api"},
        metadata={"landing_path": f"landing/{spec.source}/<YYYY-MM-DD>/api-<account>-p<NNNN>.json"},
    )
    def _landing(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
        keys = context.partition_keys
        days = days_to_pull(
            keys,
            pull_settings().restatement_days,
            Path(warehouse.data_dir) / "landing",
            spec.source,
            settings().start_date,
        )
        try:
            result = pull(spec, days, warehouse.data_dir, log=context.log.info)
        except (ConnectorError, NotConfigured) as exc:
            meta = {"source": spec.source}
            if isinstance(exc, ConnectorError):
                meta |= {"day": exc.day, "page": exc.page}
            raise dg.Failure(description=str(exc), allow_retries=False, metadata=meta) from None
        for key in keys:  # each partition its own day's figures; the pull's totals on the last one
            day = result.days.get(key, {"pages": 0, "rows": 0})
            meta = {
                "pages_of_day": dg.MetadataValue.int(day["pages"]),
                "rows_of_day": dg.MetadataValue.int(day["rows"]),
            }
            context.add_asset_metadata(
                meta | (pull_metadata(result) if key == keys[-1] else {}), partition_key=key
            )
        context.log.info(
            f"{spec.source}: pulled {len(days)} day(s) {days[0]}..{days[-1]}: {result.pages} pages, {result.rows} rows, "
            f"{result.retries} retries, {result.rate_limit_waits} rate-limit waits"
        )
        return dg.MaterializeResult()

    return _landing


def enabled_specs(specs: Sequence[ConnectorSpec], env: Mapping[str, str]) -> list[ConnectorSpec]:
    """The connectors whose variables are all set: their sources are pulled, the others stay file-based."""
    return [s for s in specs if s.configured(env)]


def build_landing_assets(specs: Sequence[ConnectorSpec]) -> list[dg.AssetsDefinition]:
    return [build_landing_asset(s) for s in specs]
