"""Thresholds of the data-quality checks, in one place so a deployment can tune them."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class QualitySettings:
    # Currencies money may arrive in; the app_orders contract names CNY, USD and HKD. Add a currency here
    # together with its daily fx_rates row.
    accepted_currencies: tuple[str, ...] = ("CNY", "USD", "HKD")
    # Volume: the latest partition's rows vs the median of up to this many earlier partitions.
    volume_history_partitions: int = 7
    # Outside [0.3x, 3x] of the recent median is unusual for daily exports (a weekend dip is ~0.6x, a 618
    # or 双11 peak ~2x in the demo data); both bounds only warn.
    volume_min_ratio: float = 0.3
    volume_max_ratio: float = 3.0
    # Freshness: days the latest loaded partition may trail "yesterday" in the reporting timezone.
    # Ocean Engine spend settles ~10:00 the next day, so a one-day gap is normal; two is tolerated.
    freshness_max_lag_days: int = 2
    # GX itself validates at most this many rows of a raw source per check: the first rows, in load order,
    # of the newest partition a run loaded (every row of every loaded partition is covered in SQL, see
    # pushdown.py). Bounds the pandas frame (~0.4 s read + ~0.3 s GX per 280k events on this box).
    max_rows_per_batch: int = 500_000
