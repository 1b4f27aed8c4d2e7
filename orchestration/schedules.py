"""Nightly, weekly and monthly schedules in the reporting timezone (Asia/Shanghai by default)."""

from __future__ import annotations

import dagster as dg

from growthmart.config import settings
from orchestration.jobs import DAILY_PIPELINE_JOB, MONTHLY_REPORT_JOB, WEEKLY_REPORT_JOB, build_jobs


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
    weekly = dg.ScheduleDefinition(
        name="weekly_report_schedule",
        job=jobs[WEEKLY_REPORT_JOB],
        cron_schedule="30 3 * * 1",  # Monday 03:30, after the nightly run
        execution_timezone=tz,
    )
    monthly = dg.ScheduleDefinition(
        name="monthly_report_schedule",
        job=jobs[MONTHLY_REPORT_JOB],
        cron_schedule="30 4 1 * *",  # the 1st, 04:30
        execution_timezone=tz,
    )
    return [nightly, weekly, monthly]
