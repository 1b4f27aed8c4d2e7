"""Sensors: one notices new or changed landing files and runs the daily pipeline for those days; one delivers the
data-problem alerts of a failed run that could not publish (the alerts asset runs only after a publication)."""

import hashlib

import dagster as dg

from assets.partitions import daily_partitions
from assets.publish import ALERTS_KEY, deliver_unpublished_run
from growthmart.config import settings
from growthmart.contracts import CONTRACTS
from growthmart.landing_watch import changed_partitions, scan_landing
from orchestration.jobs import DAILY_PIPELINE_JOB


@dg.sensor(
    name="landing_files_sensor",
    job_name=DAILY_PIPELINE_JOB,
    minimum_interval_seconds=300,
    default_status=dg.DefaultSensorStatus.STOPPED,
    description="Runs daily_pipeline_job for every landing day whose files are new, changed or removed, as soon "
    "as it notices (every run, the nightly one included, also picks up such earlier days by itself).",
)
def landing_files_sensor(context: dg.SensorEvaluationContext):
    current = scan_landing(settings().landing_dir, [c.name for c in CONTRACTS])
    days, cursor = changed_partitions(current, context.cursor)
    valid = set(daily_partitions().get_partition_keys())
    for day in days:
        if day in valid:
            yield dg.RunRequest(partition_key=day, run_key=f"{day}:{cursor_digest(cursor)}")
        else:
            context.log.warning(f"landing folder {day} is outside the partition range; ignored")
    context.update_cursor(cursor)


def cursor_digest(cursor: str) -> str:
    return hashlib.sha256(cursor.encode()).hexdigest()[:12]


@dg.run_failure_sensor(
    name="alerts_on_failed_run_sensor",
    default_status=dg.DefaultSensorStatus.STOPPED,
    description="After a failed run that did not deliver its alerts (a blocking check failed, so nothing was "
    "published): sends its data problems to the GROWTHMART_ALERT_URLS channels, each alert once.",
)
def alerts_on_failed_run_sensor(context: dg.RunFailureSensorContext):
    run = context.dagster_run
    delivered = context.instance.get_latest_materialization_event(ALERTS_KEY)
    if delivered is not None and delivered.run_id == run.run_id:
        return  # the run delivered after its publication; it failed later
    report = deliver_unpublished_run(context.instance, run.run_id, run.tags, settings().data_dir)
    sent = ", ".join(f"{c.channel}: {c.delivered} sent" for c in report.channels if c.ok) or "none"
    failed = "; ".join(f"{c.channel}: {c.error}" for c in report.failures)
    context.log.info(
        f"run {run.run_id}: {len(report.alerts)} data alerts; delivered: {sent}"
        + (f"; FAILED {failed}" if failed else "")
    )
