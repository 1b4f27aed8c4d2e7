"""The benchmark harness end to end at a tiny size, and the honesty of its SQL floor.

Timing is not asserted (that is what the benchmark reports); what is: the harness runs the real pipeline
and every baseline, writes a JSON in which every stage and baseline has wall_s, peak_rss_mb and rows_per_s,
and the plain-SQL floor computes the same numbers as the published dbt reports.
"""

import json

import duckdb
import pytest

from bench.__main__ import main
from bench.agreement import MARTS, compare
from bench.report import markdown

EVENTS = 5000
DAYS = 3
FIGURES = ("wall_s", "peak_rss_mb", "rows_per_s")


@pytest.fixture(scope="module")
def bench_run(tmp_path_factory, dbt_manifest):
    root = tmp_path_factory.mktemp("bench")
    code = main(
        ["--events", str(EVENTS), "--days", str(DAYS), "--skip-nightly", "--skip-dbt-alone", "--keep-scratch",
         "--data-dir", str(root / "data"), "--results-dir", str(root / "results")]
    )  # fmt: skip
    report = json.loads((root / "results" / "latest.json").read_text())
    return {"root": root, "code": code, "report": report}


def test_the_harness_runs_the_pipeline_to_a_publication(bench_run):
    report = bench_run["report"]
    total = next(e for e in report["stages"] if e["name"] == "total")
    assert bench_run["code"] == 0 and total["status"] == "SUCCESS", total
    assert report["benchmark"]["events"] > 0
    assert report["benchmark"]["history_days"] == DAYS
    assert (bench_run["root"] / "data" / "run" / "published" / "growthmart.duckdb").exists()


def test_every_stage_and_baseline_has_wall_time_peak_rss_and_rows_per_second(bench_run):
    report = bench_run["report"]
    names = [e["name"] for e in report["stages"] + report["baselines"]]
    assert names == [
        "ingest", "dbt build", "checks", "publish", "reports", "orchestration overhead", "total",
        "core marts: dbt", "core marts: SQL floor", "core marts: pandas",
    ]  # fmt: skip
    for entry in report["stages"] + report["baselines"]:
        for figure in FIGURES:
            assert isinstance(entry[figure], int | float) and entry[figure] > 0, (
                entry["name"],
                figure,
                entry,
            )
        assert entry["scope"] in {"stage", "run", "run remainder"}
    for key in ("cores", "ram_gb", "cpu_model", "versions"):
        assert report["machine"][key]
    ratios = [r["name"] for r in report["ratios"]]
    for expected in ("core marts: dbt ÷ SQL floor", "pandas ÷ SQL floor"):
        assert any(name.startswith(expected) for name in ratios), ratios
    assert "| core marts: SQL floor |" in markdown(report)
    assert (bench_run["root"] / "results" / "latest.md").read_text() == markdown(report)


def test_both_baselines_agree_with_the_published_reports(bench_run):
    agreement = bench_run["report"]["agreement"]
    for baseline in ("sql", "pandas"):
        assert agreement[baseline]["agrees"], json.dumps(agreement[baseline], indent=2, default=str)


def test_the_sql_floor_retention_and_cac_equal_the_published_rpt_tables(bench_run):
    """Checked here independently of the harness's own comparison: the floor is honest."""
    root = bench_run["root"] / "data"
    con = duckdb.connect(str(root / "scratch" / "warehouse.duckdb"), read_only=True)
    con.execute(f"attach '{root / 'run' / 'published' / 'growthmart.duckdb'}' as pub (read_only)")
    retention = con.execute(
        "select count(*), sum(retained_users), sum(unbounded_retained_users) from pub.reports.rpt_retention_cohorts"
    ).fetchone()
    assert retention[0] > 0 and retention[1] > 0
    floor = con.execute(
        "select count(*), sum(retained_users), sum(unbounded_retained_users) from floor.retention_cohorts"
    ).fetchone()
    assert floor == retention
    cac = "select channel, new_users, spend, cac from {} order by acquisition_month, channel"
    assert (
        con.execute(cac.format("floor.cac_ltv_monthly")).fetchall()
        == con.execute(cac.format("pub.reports.rpt_cac_ltv_monthly")).fetchall()
    )
    for result in compare(con, {m: f"floor.{m}" for m in MARTS}, report_schema="pub.reports"):
        assert result.agrees, result
    con.close()
