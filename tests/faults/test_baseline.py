"""The fault suite's baseline: the small demo's run publishes, and the invariants hold on it."""

from harness import STATS, orphans, publication_snapshot, reconcile


def test_the_baseline_publishes_and_reconciles(baseline):
    STATS["scenarios"] += 1
    snapshot = publication_snapshot(baseline.published)
    assert "reports.rpt_kpi_daily" in snapshot["tables"]
    figures = reconcile(baseline.warehouse)
    assert figures["files"] > 0 and figures["rows_lost"] == 0
    assert orphans(baseline.data, grace=0) == []
