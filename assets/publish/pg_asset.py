"""The PostgreSQL publication: the DuckDB publication's tables loaded into PostgreSQL for BI on other hosts.

Off unless GROWTHMART_PG_DSN is set: then the step runs and records no materialization (the summary says why). It
runs after published/growthmart_bi and reads that file only, so its failure fails this asset alone, visibly, and
never touches the DuckDB publication or the HTML reports and alerts that follow it.
"""

import os
import time
from pathlib import Path

import dagster as dg

from assets.publish.publish_asset import PUBLISH_KEY
from assets.resources import WarehouseResource
from growthmart.config import PG_DSN_VAR
from growthmart.publish import DB_NAME
from growthmart.publish_pg import BI_ROLE, CRM_ROLE, PgPublishError, describe_dsn, publish_pg

PG_PUBLISH_KEY = dg.AssetKey(["published", "growthmart_pg"])


def pg_dsn() -> str:
    return os.environ.get(PG_DSN_VAR, "").strip()


def build_pg_publish_asset() -> dg.AssetsDefinition:
    @dg.asset(
        key=PG_PUBLISH_KEY,
        deps=[PUBLISH_KEY],
        group_name="publish",
        kinds={"postgres"},
        output_required=False,
        description=(
            f"The reports and marts in PostgreSQL (schemas reports, marts; swapped in whole) for BI on other hosts: "
            f"role {BI_ROLE} reads them, {CRM_ROLE} the user-level tables. Only with {PG_DSN_VAR} set."
        ),
    )
    def growthmart_pg(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
        dsn = pg_dsn()
        if not dsn:
            context.log.info(f"PostgreSQL publication skipped: {PG_DSN_VAR} is not set")
            return
        source = Path(warehouse.data_dir) / "published" / DB_NAME
        target = describe_dsn(dsn)
        started = time.monotonic()
        try:
            result = publish_pg(source, dsn, log=context.log.debug)
        except PgPublishError as exc:  # its message is scrubbed of the DSN
            raise dg.Failure(
                description=f"PostgreSQL publication to {target} failed: {exc}. The DuckDB publication stands; "
                "PostgreSQL readers keep the previous publication.",
                metadata={"target": target},
                allow_retries=False,
            ) from None
        seconds = time.monotonic() - started
        user_level = [t.qualified for t in result.tables if t.user_level]
        context.log.info(
            f"published {len(result.tables)} tables ({result.rows} rows) to PostgreSQL {target} in {seconds:.1f}s "
            f"(swap {result.swap_ms:.0f} ms); {len(user_level)} user-level tables readable by {CRM_ROLE} only"
            + (
                f"; swapped-out schemas a reader still held, dropped next time: {result.old_kept}"
                if result.old_kept
                else ""
            )
        )
        yield dg.MaterializeResult(
            metadata={
                "target": target,
                "run_id_published": result.run_id or "",
                "tables": dg.MetadataValue.json({t.qualified: t.rows for t in result.tables}),
                "table_count": len(result.tables),
                "rows": result.rows,
                "user_level_tables": dg.MetadataValue.json(user_level),
                "seconds": round(seconds, 2),
                "load_seconds": round(result.load_seconds, 2),
                "swap_ms": round(result.swap_ms, 1),
                "debris_dropped": dg.MetadataValue.json(result.debris_dropped),
                "old_schemas_kept": dg.MetadataValue.json(result.old_kept),
            }
        )

    return growthmart_pg
