"""The fault suite's baseline: the small demo's run publishes, in a folder whose path needs quoting, without
parsing the dbt project again, and the invariants hold on it."""

from harness import REPARSE, STATS, orphans, publication_snapshot, reconcile


def test_the_baseline_publishes_and_reconciles(baseline):
    STATS["scenarios"] += 1
    assert "'" in str(baseline.data) and " " in str(baseline.data)
    assert REPARSE not in baseline.first_run.out + baseline.first_run.log, (
        "dbt parsed the project again in a new data directory"
    )
    snapshot = publication_snapshot(baseline.published)
    assert "reports.rpt_kpi_daily" in snapshot["tables"]
    figures = reconcile(baseline.warehouse)
    assert figures["files"] > 0 and figures["rows_lost"] == 0
    assert orphans(baseline.data, grace=0) == []
