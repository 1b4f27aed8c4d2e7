"""Pure verdicts of the volume and freshness checks (no I/O, so they are tested on their own)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from statistics import median
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class Verdict:
    passed: bool
    reason: str
    metadata: dict


def volume_verdict(
    partition: date, rows: int, history: dict[date, int], min_ratio: float, max_ratio: float
) -> Verdict:
    """Rows of `partition` against the median of earlier partitions' rows (`history`)."""
    meta: dict = {
        "partition": partition.isoformat(),
        "rows": rows,
        "history_partitions": len(history),
        "history_rows": {d.isoformat(): n for d, n in sorted(history.items())},
        "min_ratio": min_ratio,
        "max_ratio": max_ratio,
    }
    if not history:
        return Verdict(True, f"no earlier partitions to compare {partition} with yet", meta)
    baseline = float(median(history.values()))
    meta["baseline_median"] = baseline
    if baseline == 0:
        passed = rows == 0
        reason = "earlier partitions are empty" + ("" if passed else f"; {partition} has {rows} rows")
        meta["unexpected_count"] = 0 if passed else 1
        return Verdict(passed, reason, meta)
    ratio = rows / baseline
    meta["ratio"] = round(ratio, 3)
    passed = min_ratio <= ratio <= max_ratio
    meta["unexpected_count"] = 0 if passed else 1
    where = "within" if passed else "outside"
    reason = f"{rows} rows on {partition} is {ratio:.2f}x the median {baseline:g}, {where} [{min_ratio}, {max_ratio}]"
    return Verdict(passed, reason, meta)


def expected_latest_partition(now: datetime, timezone: str) -> date:
    """Yesterday in the reporting timezone: the newest complete day a nightly load can have."""
    return now.astimezone(ZoneInfo(timezone)).date() - timedelta(days=1)


def freshness_verdict(
    latest_partition: date | None,
    latest_loaded_at: datetime | None,
    now: datetime,
    timezone: str,
    max_lag_days: int,
) -> Verdict:
    """Passes while the newest loaded partition trails yesterday (reporting timezone) by <= max_lag_days."""
    expected = expected_latest_partition(now, timezone)
    meta: dict = {
        "expected_latest_partition": expected.isoformat(),
        "max_lag_days": max_lag_days,
        "latest_loaded_at_utc": latest_loaded_at.isoformat() if latest_loaded_at else None,
    }
    if latest_partition is None:
        meta["unexpected_count"] = 1
        return Verdict(False, "no partition has been loaded", meta)
    lag = (expected - latest_partition).days
    meta |= {"latest_partition": latest_partition.isoformat(), "lag_days": lag}
    passed = lag <= max_lag_days
    meta["unexpected_count"] = 0 if passed else 1
    reason = f"latest partition {latest_partition} is {lag} day(s) behind {expected} (allowed {max_lag_days})"
    return Verdict(passed, reason, meta)


def failure_lines(meta: dict) -> list[str]:
    """A failed validation's metadata as text: one line per failed expectation (expectation, column, count)
    and one per offending row it names (day, source file, row number, column, value)."""
    out = []
    for f in meta.get("failed_expectations") or []:
        column = f" on {f['column']}" if f.get("column") else ""
        observed = f"; observed {f['observed']}" if f.get("observed") and not f.get("rows") else ""
        out.append(f"{f['expectation']}{column}: {f['unexpected_count']} unexpected{observed}")
        out += [
            f"  day {r.get('partition', '?')}, file {r.get('file', '?')}, row {r.get('row', '?')}, "
            f"column {r.get('column')}: {r.get('value')!r}"
            for r in f.get("rows") or []
        ]
    return out
