"""The BI publication: report and mart tables copied to data/published/ once every blocking check passed."""

from pathlib import Path

import dagster as dg

from assets.resources import WarehouseResource
from assets.transform import dbt_keys_in_groups
from assets.transform.dbt_assets import manifest_path
from growthmart.config import SPARK_DIR
from growthmart.publish import PUBLISHED_SCHEMAS, manifest_docs, publish

PUBLISH_KEY = dg.AssetKey(["published", "growthmart_bi"])


def build_publish_asset() -> dg.AssetsDefinition:
    # Depending on every published model makes their blocking checks (GE suites, reconciliation) and the
    # dbt tests gate this asset: if any fails, Dagster does not run it and the last publication stays.
    deps = dbt_keys_in_groups(*PUBLISHED_SCHEMAS)

    @dg.asset(
        key=PUBLISH_KEY,
        deps=deps,
        group_name="publish",
        kinds={"duckdb", "parquet"},
        description=(
            "data/published/growthmart.duckdb (opens in DuckDB 1.x and 2.x; dbt descriptions as comments) and "
            "data/published/parquet/ for BI tools (read-only)."
        ),
    )
    def growthmart_bi(
        context: dg.AssetExecutionContext, warehouse: WarehouseResource
    ) -> dg.MaterializeResult:
        published_dir = Path(warehouse.data_dir) / "published"
        # The descriptions of the manifest the dbt assets were loaded from: the project that built these tables.
        docs = manifest_docs(manifest_path(), PUBLISHED_SCHEMAS)
        source = warehouse.path
        if warehouse.on_spark:  # the Spark tables, copied into a DuckDB file the publication is made from
            from assets.transform.dbt_assets import dbt_target_path
            from growthmart.spark import duckdb_file, model_column_order

            spark = warehouse.spark()
            source = Path(warehouse.data_dir) / SPARK_DIR / "publication_source.duckdb"
            run_manifest = dbt_target_path(warehouse.data_dir, warehouse.engine) / "manifest.json"
            order = model_column_order(spark, run_manifest, PUBLISHED_SCHEMAS)
            copied = duckdb_file(spark, source, PUBLISHED_SCHEMAS, order)
            context.log.info(
                f"copied {len(copied)} Spark tables of {', '.join(PUBLISHED_SCHEMAS)} to {source}"
            )
        tables = publish(source, published_dir, run_id=context.run_id, docs=docs)
        rewritten = [t.qualified for t in tables if t.rewritten]
        context.log.info(
            f"published {len(tables)} tables to {published_dir / 'growthmart.duckdb'}: {len(rewritten)} changed "
            f"and rewritten, {len(tables) - len(rewritten)} unchanged and carried over"
        )
        return dg.MaterializeResult(
            metadata={
                "path": dg.MetadataValue.path(str(published_dir / "growthmart.duckdb")),
                "parquet_dir": dg.MetadataValue.path(str(published_dir / "parquet")),
                "tables": dg.MetadataValue.json({t.qualified: t.rows for t in tables}),
                "table_count": dg.MetadataValue.int(len(tables)),
                "tables_rewritten": dg.MetadataValue.json(rewritten),
            }
        )

    return growthmart_bi
