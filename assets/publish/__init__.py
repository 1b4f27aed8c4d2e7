from assets.publish.alerts_asset import ALERTS_KEY, build_alerts_asset, deliver_unpublished_run
from assets.publish.data_docs_asset import DATA_DOCS_KEY, build_data_docs_asset
from assets.publish.html_reports import REPORTS_KEY, build_html_reports_asset
from assets.publish.pg_asset import PG_PUBLISH_KEY, build_pg_publish_asset
from assets.publish.publish_asset import PUBLISH_KEY, build_publish_asset

__all__ = [
    "ALERTS_KEY",
    "DATA_DOCS_KEY",
    "PG_PUBLISH_KEY",
    "PUBLISH_KEY",
    "REPORTS_KEY",
    "build_alerts_asset",
    "build_data_docs_asset",
    "build_html_reports_asset",
    "build_pg_publish_asset",
    "build_publish_asset",
    "deliver_unpublished_run",
]
