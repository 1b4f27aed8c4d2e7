"""A sensor that notices new or changed landing files and runs the daily pipeline for those days."""

import hashlib

import dagster as dg

from assets.partitions import daily_partitions
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
