"""The daily partitioning every raw source shares (reporting timezone, Asia/Shanghai by default)."""

from __future__ import annotations

from functools import cache

import dagster as dg

from growthmart.config import settings


@cache
def daily_partitions() -> dg.DailyPartitionsDefinition:
    cfg = settings()
    return dg.DailyPartitionsDefinition(start_date=cfg.start_date, timezone=cfg.timezone)
