"""Alert delivery (异常预警) after each publication and its HTML reports: the published reports.rpt_alerts plus the run's data problems
(a source late, a blocking check failed), sent through growthmart/alerts to the GROWTHMART_ALERT_URLS channels.

A run whose blocking check fails publishes nothing, and Dagster skips this asset with the publication; its data
alerts are delivered by `deliver_unpublished_run` instead, which the CLI calls after such a run and the
`alerts_on_failed_run_sensor` calls for runs the daemon launched (schedules, the landing sensor). The delivery log
makes the two paths idempotent. A failed delivery never fails this asset: it is in its metadata and the summary.
"""

from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import dagster as dg

from assets.check_outcomes import check_name, check_outcomes, run_check_evaluations
from assets.publish.html_reports import REPORTS_KEY, report_scope
from assets.publish.publish_asset import PUBLISH_KEY
from assets.resources import WarehouseResource
from growthmart.alerts import (
    Alert,
    DeliveryReport,
    channel_urls,
    check_failed_alert,
    deliver,
    published_alerts,
    source_late_alert,
)
from growthmart.config import published_dir, settings

ALERTS_KEY = dg.AssetKey(["published", "alerts"])
FRESHNESS_CHECK = "freshness"


def _value(metadata: dict, key: str):
    value = metadata.get(key)
    return getattr(value, "value", value)


def alert_day(tags: dict[str, str], timezone: str) -> date:
    """The day a run's data problems are about: its last partition (or report day), else yesterday."""
    scope = report_scope(tags)
    if "range" in scope:
        return scope["range"][1]
    if "day" in scope:
        return scope["day"]
    return datetime.now(ZoneInfo(timezone)).date() - timedelta(days=1)


def data_alerts(evaluations, day: date) -> list[Alert]:
    """A critical alert per failed ERROR check (each blocks the publication), a warning per late source (the
    freshness check). Other warnings (volume) stay in the run summary and the Data Docs."""
    _, failed, warned = check_outcomes(evaluations)
    out = [check_failed_alert(check_name(e), day, e.description) for e in failed]
    for e in warned:
        if e.check_name != FRESHNESS_CHECK:
            continue
        meta = e.metadata
        expected = _value(meta, "expected_latest_partition")
        out.append(
            source_late_alert(
                e.asset_key.path[-1],
                date.fromisoformat(expected) if expected else day,
                _value(meta, "latest_partition"),
                _value(meta, "lag_days"),
                _value(meta, "max_lag_days") or 0,
            )
        )
    return out


def deliver_run_alerts(
    instance: dg.DagsterInstance, run_id: str, tags: dict[str, str], data_dir: Path, published: bool
) -> DeliveryReport:
    """The run's data alerts, plus the published rpt_alerts when this run published, to every channel."""
    cfg = settings()
    alerts = data_alerts(run_check_evaluations(instance, run_id), alert_day(tags, cfg.timezone))
    pub = published_dir(data_dir)
    if published:
        alerts += published_alerts(pub / "growthmart.duckdb")
    return deliver(alerts, channel_urls(), data_dir, run_id, pub)


def deliver_unpublished_run(
    instance: dg.DagsterInstance, run_id: str, tags: dict[str, str], data_dir: Path
) -> DeliveryReport:
    """A run that did not publish: its data problems (why it did not) still go out."""
    return deliver_run_alerts(instance, run_id, tags, data_dir, published=False)


def report_metadata(report: DeliveryReport) -> dict[str, dg.MetadataValue]:
    meta = report.metadata()
    return {
        "alerts": dg.MetadataValue.int(len(report.alerts)),
        "alert_list": dg.MetadataValue.json(meta["alerts"]),
        "channels": dg.MetadataValue.json(meta["channels"]),
        "delivery_failures": dg.MetadataValue.int(len(report.failures)),
    }


def build_alerts_asset() -> dg.AssetsDefinition:
    @dg.asset(
        key=ALERTS_KEY,
        # after the pages its messages link to
        deps=[PUBLISH_KEY, REPORTS_KEY],
        group_name="publish",
        kinds={"python"},
        description="Delivers reports.rpt_alerts (as published) and the run's data problems to the channels of "
        "GROWTHMART_ALERT_URLS, each alert once per channel (data/alerts/deliveries.jsonl).",
    )
    def alerts(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
        report = deliver_run_alerts(
            context.instance, context.run_id, context.run.tags, Path(warehouse.data_dir), published=True
        )
        sent = ", ".join(f"{c.channel}: {c.delivered} sent" for c in report.channels if c.ok) or "none"
        context.log.info(f"{len(report.alerts)} alerts; delivered: {sent}")
        for c in report.failures:
            context.log.warning(f"alert delivery to {c.channel} failed: {c.error}")
        return dg.MaterializeResult(metadata=report_metadata(report))

    return alerts
