"""Sources a team does not use at all publish (issue 10, item 8): a team without content, activities, A/B tests,
brand monitoring or competitor watch has no landing files for them, and an empty report is broken only when its
inputs are not empty. The real CLI on the fault suite's demo landing files without those sources, in a fresh data
directory (it does not need the baseline's run, so it can run while another worker builds it)."""

from __future__ import annotations

import shutil

from harness import DATA_FOLDER, STATS, FaultEnv, publication_snapshot, reconcile

UNUSED_SOURCES = (
    "content_items", "content_daily_stats", "activities", "experiments",
    "brand_mentions", "competitor_prices", "competitor_creatives", "app_store_ranks",
)  # fmt: skip


def test_sources_a_team_does_not_use_at_all_publish(demo_landing, fault_dir):
    STATS["scenarios"] += 1
    env = FaultEnv(fault_dir / DATA_FOLDER)
    shutil.copytree(
        demo_landing, env.landing, ignore=lambda d, names: [n for n in names if n in UNUSED_SOURCES]
    )
    run = env.run()
    assert run.code == 0, run.text[-5000:]
    tables = publication_snapshot(env.published)["tables"]
    assert tables["reports.rpt_ab_tests"] == 0 and tables["reports.rpt_activity_review"] == 0
    assert tables["reports.rpt_kpi_daily"] == 14
    reconcile(env.warehouse)
