"""Landing files that arrive late, change, repeat, go missing or never exist, through the real CLI on the fault
suite's published baseline (the 14-day demo, 2026-05-01..14).

What a run promises about them:
- a file added late to an earlier day, or a day restated (a file replaced with other content), is loaded by the
  next run whatever day that run is for, the dbt window reaches back to it, and the publication equals a full
  rebuild's; the run summary lists the day and what changed;
- a file removed from a day's folder takes its rows out of raw at the next run (said in the summary), so a bad
  file, once removed, no longer fails the nightly run;
- a byte-identical file delivered twice under another name is refused, naming both files;
- a day without landing files (an empty folder or none) is said in the summary;
- a blocking check failure names the source, file, row, column, value and the days it checked, and leaves the
  previous publication as it was;
- sources a team does not use at all (no content, activities or experiments) publish.
"""

from __future__ import annotations

import csv
import shutil
import sys
from pathlib import Path

from harness import STATS, FaultEnv, publication_snapshot, reconcile

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "incremental"))
from published_compare import differences, published_tables  # noqa: E402

LATE_DAY, RESTATED_DAY = "2026-05-09", "2026-05-10"
UNUSED_SOURCES = ("content_items", "content_daily_stats", "activities", "experiments")


def only_file(folder: Path) -> Path:
    (path,) = sorted(folder.iterdir())
    return path


def rewrite_csv(path: Path, target: Path, change, rows: int | None = None) -> None:
    """Write `path`'s first `rows` rows (default all) to `target`, each changed by `change(row) -> row`."""
    with path.open(encoding="utf-8-sig", newline="") as fh:
        found = list(csv.DictReader(fh))[:rows]
    with target.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, list(found[0]))
        writer.writeheader()
        writer.writerows(change(dict(row)) for row in found)


def kpi(published: Path, day: str) -> tuple:
    import duckdb

    con = duckdb.connect(str(published / "growthmart.duckdb"), read_only=True)
    try:
        return con.execute(
            "select orders, net_revenue, spend from reports.rpt_kpi_daily where report_date = ?", [day]
        ).fetchone()
    finally:
        con.close()


def test_a_late_file_and_a_restated_day_are_loaded_by_the_next_run_and_publish_as_a_full_rebuild(
    fault_env: FaultEnv, tmp_path
):
    before = kpi(fault_env.published, LATE_DAY), kpi(fault_env.published, RESTATED_DAY)
    # late: two more paid orders for 2026-05-09, delivered after that day (and every later one) was published
    orders = only_file(fault_env.landing / "app_orders" / LATE_DAY)
    late = orders.with_name(f"late_app_orders_{LATE_DAY}.csv")
    paid = {"status": "paid", "refund_amount": "", "refunded_at": ""}
    rewrite_csv(orders, late, lambda r: r | paid | {"order_id": r["order_id"] + "L"}, rows=2)
    # restated: the platform re-exports 2026-05-10 with corrected spend, under the same file name
    ads = only_file(fault_env.landing / "ocean_engine_ad_stats" / RESTATED_DAY)
    restated = tmp_path / ads.name
    rewrite_csv(ads, restated, lambda r: r | {"消耗(元)": f"{float(r['消耗(元)']) + 100:.2f}"})
    shutil.move(restated, ads)

    run = fault_env.run("--first", "2026-05-14", "--last", "2026-05-14")  # the next nightly run: another day
    assert run.code == 0, run.text[-5000:]
    assert (
        f"LATE/CHANGED: app_orders {LATE_DAY} loaded again: new file(s) app_orders/{LATE_DAY}/{late.name}"
        in run.out
    )
    assert f"LATE/CHANGED: ocean_engine_ad_stats {RESTATED_DAY} loaded again: changed file(s)" in run.out
    assert f"partition window {LATE_DAY}..2026-05-14" in run.out  # dbt recounts from the late day
    reconcile(fault_env.warehouse)

    after = kpi(fault_env.published, LATE_DAY), kpi(fault_env.published, RESTATED_DAY)
    assert after[0][0] == before[0][0] + 2  # the late orders are published …
    assert after[1][2] > before[1][2]  # … and so is the restated spend

    # … exactly as a full rebuild from the same landing files publishes them
    full = FaultEnv(tmp_path / "full" / "data")
    shutil.copytree(fault_env.landing, full.landing)
    rebuilt = full.run()
    assert rebuilt.code == 0, rebuilt.text[-5000:]
    assert differences(published_tables(full.data), published_tables(fault_env.data)) == []


def test_a_failed_check_says_what_and_where_and_removing_the_bad_file_lets_the_next_day_publish(
    fault_env: FaultEnv,
):
    published = publication_snapshot(fault_env.published)
    baseline_tables = published_tables(fault_env.data)
    # a row the loader accepts (every value well-typed and in range) but the raw GE suite refuses: more clicks
    # than impressions (a rule across columns, which only the suite checks; negative spend is the loader's)
    ads_day = fault_env.landing / "ocean_engine_ad_stats" / "2026-05-14"
    bad = ads_day / "extra_ocean_engine_2026-05-14.csv"
    rewrite_csv(
        only_file(ads_day),
        bad,
        lambda r: r | {"广告ID": "7329999999999999999", "展示数": "3", "点击数": "50"},
        rows=1,
    )
    # a file delivered twice under another name, late, for an earlier day
    users = only_file(fault_env.landing / "app_users" / "2026-05-11")
    resent = users.with_name("resent_app_users_2026-05-11.csv")
    shutil.copy(users, resent)

    run = fault_env.run("--first", "2026-05-14", "--last", "2026-05-14")
    assert run.code == 1, run.text[-5000:]
    summary = run.out[run.out.index("== checks") :]
    assert "FAILED: raw/ocean_engine_ad_stats / ge_ocean_engine_ad_stats" in summary
    assert "checked: loaded by this run 2026-05-14" in summary
    assert "expect_column_pair_values_a_to_be_greater_than_b on 展示数, 点击数: 1 unexpected" in summary
    offending = (
        f"day 2026-05-14, file ocean_engine_ad_stats/2026-05-14/{bad.name}, row 2, column 展示数, 点击数: "
    )
    assert offending in summary
    assert "3" in summary.split(offending, 1)[1].splitlines()[0]  # the value as it stands in the row
    assert f"byte-identical duplicate of {users.name}" in summary and resent.name in summary
    assert "NOT published" in summary
    assert publication_snapshot(fault_env.published) == published

    # the bad file and the duplicate are removed; the next night's day has no files at all: one source's folder is
    # empty, the others have none
    bad.unlink()
    resent.unlink()
    (fault_env.landing / "app_events" / "2026-05-15").mkdir()
    run = fault_env.run("--first", "2026-05-15", "--last", "2026-05-15")
    assert run.code == 0, run.text[-5000:]
    STATS["runs_recovered"] += 1
    assert (
        "LATE/CHANGED: ocean_engine_ad_stats 2026-05-14 loaded again: removed file(s), their rows leave raw: "
        f"ocean_engine_ad_stats/2026-05-14/{bad.name}" in run.out
    )
    assert (
        "NO LANDING FILES for 2026-05-15 (empty folder(s) app_events, none for the other sources" in run.out
    )
    reconcile(fault_env.warehouse)
    # with the bad file's rows gone, what is published is the baseline again
    assert differences(baseline_tables, published_tables(fault_env.data)) == []


def test_sources_a_team_does_not_use_at_all_publish(baseline: FaultEnv, tmp_path):
    STATS["scenarios"] += 1
    env = FaultEnv(tmp_path / "data")
    shutil.copytree(
        baseline.landing, env.landing, ignore=lambda d, names: [n for n in names if n in UNUSED_SOURCES]
    )
    run = env.run()
    assert run.code == 0, run.text[-5000:]
    tables = publication_snapshot(env.published)["tables"]
    assert tables["reports.rpt_ab_tests"] == 0 and tables["reports.rpt_activity_review"] == 0
    assert tables["reports.rpt_kpi_daily"] > 0
    reconcile(env.warehouse)
