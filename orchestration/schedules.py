"""Nightly, weekly and monthly schedules in the reporting timezone (Asia/Shanghai by default).

The nightly run is for yesterday, but it also loads every earlier landing day whose files were added, replaced
or removed since they were loaded (assets/ingest/raw_assets.py, growthmart/landing_watch.py), and its dbt window
reaches back to them: a late file needs neither the landing sensor nor a hand-run backfill.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import dagster as dg

from growthmart.config import settings
from orchestration.jobs import DAILY_PIPELINE_JOB, MONTHLY_REPORT_JOB, WEEKLY_REPORT_JOB, build_jobs


def yesterday(scheduled: datetime, timezone: str) -> str:
    """The last complete reporting-timezone day at `scheduled`: the partition a report run covers."""
    return (scheduled.astimezone(ZoneInfo(timezone)).date() - timedelta(days=1)).isoformat()


def _report_schedule(name: str, job_name: str, cron: str, timezone: str) -> dg.ScheduleDefinition:
    @dg.schedule(name=name, job_name=job_name, cron_schedule=cron, execution_timezone=timezone)
    def _schedule(context: dg.ScheduleEvaluationContext):
        day = yesterday(context.scheduled_execution_time, timezone)
        # The report models are rebuilt whole; the tag records which day the report run closes.
        return dg.RunRequest(run_key=f"{name}:{day}", tags={"growthmart/report_through": day})

    return _schedule


def build_schedules() -> list[dg.ScheduleDefinition]:
    tz = settings().timezone
    jobs = build_jobs()
    nightly = dg.build_schedule_from_partitioned_job(
        jobs[DAILY_PIPELINE_JOB],
        name="nightly_schedule",
        hour_of_day=2,  # 02:00: yesterday is complete and platform spend has mostly settled
        minute_of_hour=0,
        default_status=dg.DefaultScheduleStatus.STOPPED,
    )
    # Monday 03:30 and the 1st at 04:30, after the nightly run; both cover up to yesterday.
    weekly = _report_schedule("weekly_report_schedule", WEEKLY_REPORT_JOB, "30 3 * * 1", tz)
    monthly = _report_schedule("monthly_report_schedule", MONTHLY_REPORT_JOB, "30 4 1 * *", tz)
    return [nightly, weekly, monthly]
