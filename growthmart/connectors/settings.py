"""The connectors' run-time settings, each read from one environment variable when a pull starts."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

RESTATEMENT_DAYS_VAR = "GROWTHMART_CONNECTOR_RESTATEMENT_DAYS"
MAX_ATTEMPTS_VAR = "GROWTHMART_CONNECTOR_MAX_ATTEMPTS"
BACKOFF_VAR = "GROWTHMART_CONNECTOR_BACKOFF_SECONDS"
TIMEOUT_VAR = "GROWTHMART_CONNECTOR_TIMEOUT_SECONDS"


@dataclass(frozen=True)
class PullSettings:
    # Platforms restate recent days (late conversions; Ocean Engine spend settles ~10:00 the next day): each pull
    # re-fetches this many days ending with the partition's.
    restatement_days: int = 7
    max_attempts: int = 6  # per request, the first included
    backoff_seconds: float = 1.0  # first wait without a platform delay; doubles, plus jitter of the same size
    max_wait_seconds: float = 120.0  # no single wait longer (a Retry-After beyond it is capped)
    timeout_seconds: float = 60.0


def pull_settings(env: Mapping[str, str] | None = None) -> PullSettings:
    env = os.environ if env is None else env
    default = PullSettings()
    out = PullSettings(
        restatement_days=int(env.get(RESTATEMENT_DAYS_VAR) or default.restatement_days),
        max_attempts=int(env.get(MAX_ATTEMPTS_VAR) or default.max_attempts),
        backoff_seconds=float(env.get(BACKOFF_VAR) or default.backoff_seconds),
        timeout_seconds=float(env.get(TIMEOUT_VAR) or default.timeout_seconds),
    )
    if out.restatement_days < 1 or out.max_attempts < 1:
        raise ValueError(f"{RESTATEMENT_DAYS_VAR} and {MAX_ATTEMPTS_VAR} must be at least 1")
    return out
