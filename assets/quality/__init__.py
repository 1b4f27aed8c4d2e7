"""Data-quality asset checks: raw sources (GE contract suites, volume, freshness) and reports (blocking)."""

from assets.quality.raw_checks import build_raw_checks
from assets.quality.report_checks import build_report_checks

__all__ = ["build_raw_checks", "build_report_checks"]
