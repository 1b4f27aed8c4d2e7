"""The Great Expectations Data Docs of the recent runs, rebuilt after each publication.

Every check records its validations under <data>/gx/validations/<run_id>/ (growthmart/quality/data_docs.py);
this asset, downstream of the publication (so after every blocking check of the run), prunes that store to
the last runs and rebuilds <data>/published/data_docs/index.html from it. When a blocking check fails, this
asset does not run: the failing check rebuilds the site itself (data_docs.recording), so failures show too.
"""

from pathlib import Path

import dagster as dg

from assets.publish.publish_asset import PUBLISH_KEY
from assets.resources import WarehouseResource
from growthmart.quality import data_docs

DATA_DOCS_KEY = dg.AssetKey(["published", "data_docs"])


def build_data_docs_asset() -> dg.AssetsDefinition:
    @dg.asset(
        key=DATA_DOCS_KEY,
        deps=[PUBLISH_KEY],
        group_name="publish",
        kinds={"html"},
        description="Great Expectations Data Docs (static, offline HTML) of the validations of the last "
        f"{data_docs.KEEP_RUNS} runs: data/published/data_docs/index.html.",
    )
    def data_docs_site(
        context: dg.AssetExecutionContext, warehouse: WarehouseResource
    ) -> dg.MaterializeResult:
        data_dir = Path(warehouse.data_dir)
        site = data_docs.build_site(data_dir, data_dir / "published")
        context.log.info(
            f"Data Docs: {site.validations} validations of {site.runs} run(s) at {site.index} "
            f"({site.pages_rendered} pages rendered in {site.seconds:.2f}s)"
        )
        meta = data_docs.summary(site)
        return dg.MaterializeResult(
            metadata={
                "path": dg.MetadataValue.path(str(site.index)),
                "runs": dg.MetadataValue.int(site.runs),
                "validations": dg.MetadataValue.int(site.validations),
                "failed": dg.MetadataValue.int(site.failed),
                "errors": dg.MetadataValue.int(site.errors),
                "pages_rendered": dg.MetadataValue.int(site.pages_rendered),
                "pruned_runs": dg.MetadataValue.json(meta["pruned_runs"]),
                "seconds": dg.MetadataValue.float(meta["seconds"]),
            }
        )

    return data_docs_site
