"""Guards the Dagster graph: everything the README promises exists, and the definitions load and validate."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import dagster as dg
import pytest

from growthmart.contracts import CONTRACTS

ROOT = Path(__file__).resolve().parents[2]
PROMISE = re.compile(r"^- (job|schedule|sensor|check) `([^`]+)`", re.MULTILINE)


@pytest.fixture(scope="module")
def defs(dbt_manifest) -> dg.Definitions:
    from orchestration.definitions import build_definitions

    return build_definitions()


def readme_promises() -> dict[str, set[str]]:
    found: dict[str, set[str]] = {"job": set(), "schedule": set(), "sensor": set(), "check": set()}
    for kind, name in PROMISE.findall((ROOT / "README.md").read_text(encoding="utf-8")):
        found[kind].add(name)
    return found


def test_every_job_schedule_sensor_and_check_the_readme_names_exists(defs):
    promised = readme_promises()
    assert promised["job"] and promised["schedule"] and promised["sensor"] and promised["check"]
    repo = defs.get_repository_def()
    assert promised["job"] <= {j.name for j in repo.get_all_jobs()}
    assert promised["schedule"] == {s.name for s in repo.schedule_defs}
    assert promised["sensor"] == {s.name for s in repo.sensor_defs}
    check_names = {key.name for key in repo.asset_graph.asset_check_keys}
    missing = {c for c in promised["check"] if c not in check_names}
    assert not missing, f"README names checks that do not exist: {missing}"


def test_every_raw_source_is_a_daily_partitioned_asset_feeding_dbt(defs):
    graph = defs.get_repository_def().asset_graph
    for contract in CONTRACTS:
        key = dg.AssetKey(["raw", contract.name])
        node = graph.get(key)
        assert node.partitions_def is not None, key
        assert node.child_keys, f"{key} feeds no dbt model"


def test_sentiment_is_scored_in_the_daily_pipeline_after_raw_mentions_and_before_dbt_reads_it(defs):
    from orchestration.jobs import DAILY_PIPELINE_JOB

    key = dg.AssetKey(["nlp", "mention_sentiment"])
    graph = defs.get_repository_def().asset_graph
    assert graph.get(key).parent_keys == {dg.AssetKey(["raw", "brand_mentions"])}
    # the dbt source nlp.mention_sentiment is the asset itself (dagster-dbt's default source key), so the staging
    # model reading it waits for the scoring
    assert key in graph.get(dg.AssetKey(["staging", "stg_nlp__mention_sentiment"])).parent_keys
    job = defs.resolve_job_def(DAILY_PIPELINE_JOB)
    assert key in job.asset_layer.selected_asset_keys


def test_publication_depends_on_every_report(defs):
    from growthmart.quality.suites import REPORTS

    graph = defs.get_repository_def().asset_graph
    parents = graph.get(dg.AssetKey(["published", "growthmart_bi"])).parent_keys
    assert len(REPORTS) == 22
    assert {dg.AssetKey(["reports", r]) for r in REPORTS} <= parents


def test_every_asset_check_targets_an_asset_the_pipeline_materializes(defs):
    """A check on a key no asset defines gets a stand-in asset nothing materializes: it never runs, never
    blocks. (The report checks once targeted `rpt_x` while dbt keys the reports `reports/rpt_x`.)"""
    graph = defs.get_repository_def().asset_graph
    materializable = {key for key in graph.get_all_asset_keys() if graph.get(key).is_materializable}
    orphans = sorted(c.to_user_string() for c in graph.asset_check_keys if c.asset_key not in materializable)
    assert not orphans, f"checks on assets nothing materializes: {orphans}"
    report_checks = {c.name for c in graph.asset_check_keys if c.asset_key.path[0] == "reports"}
    # the GE suites, and dbt's tests of the reports (a singular test shown on its report through meta.dagster.ref)
    assert {"ge_rpt_kpi_daily", "assert_activity_phases_partition_total"} <= report_checks


def test_nightly_schedule_runs_yesterday_at_two_in_shanghai(defs):
    schedule = defs.get_repository_def().get_schedule_def("nightly_schedule")
    assert schedule.cron_schedule == "0 2 * * *"
    assert schedule.execution_timezone == "Asia/Shanghai"
    when = datetime(2026, 6, 19, 2, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    with dg.build_schedule_context(scheduled_execution_time=when) as context:
        requests = list(schedule.evaluate_tick(context).run_requests)
    assert [r.partition_key for r in requests] == ["2026-06-18"]


def test_weekly_and_monthly_schedules_fire_on_monday_and_the_first(defs):
    repo = defs.get_repository_def()
    assert repo.get_schedule_def("weekly_report_schedule").cron_schedule.endswith("* * 1")
    assert repo.get_schedule_def("monthly_report_schedule").cron_schedule.endswith("1 * *")


def test_landing_sensor_requests_a_run_per_new_day_then_nothing(defs, data_dir):
    day = data_dir / "landing" / "fx_rates" / "2026-06-18"
    day.mkdir(parents=True)
    (day / "fx.csv").write_text("rate_date,currency,rate_to_cny\n2026-06-18,USD,7.2\n")
    sensor = defs.get_repository_def().get_sensor_def("landing_files_sensor")
    with dg.build_sensor_context(cursor=None, repository_def=defs.get_repository_def()) as context:
        first = sensor.evaluate_tick(context)
    assert [r.partition_key for r in first.run_requests] == ["2026-06-18"]
    with dg.build_sensor_context(cursor=first.cursor, repository_def=defs.get_repository_def()) as context:
        assert sensor.evaluate_tick(context).run_requests == []


def test_dagster_definitions_validate_passes(dbt_manifest):
    dagster = Path(sys.executable).with_name("dagster")
    env = {
        k: v for k, v in os.environ.items() if k != "DAGSTER_HOME"
    }  # as a user's shell: a temporary instance
    proc = subprocess.run(
        [str(dagster), "definitions", "validate", "-w", "workspace.yaml"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]


def test_dbt_gets_the_partition_window_from_the_run_tags_and_full_refresh_on_request():
    from assets.transform.dbt_assets import build_args, run_window, window_bounds

    assert run_window({"dagster/partition": "2026-06-02"}) == ["2026-06-02"]
    assert run_window(
        {
            "dagster/asset_partition_range_start": "2026-06-01",
            "dagster/asset_partition_range_end": "2026-06-09",
        }
    ) == ["2026-06-01", "2026-06-09"]
    assert run_window({}) == []

    # The arguments never change with the window (changing --vars would make dbt re-parse the project).
    assert build_args() == ["build", "--exclude-resource-type", "unit_test"]
    assert build_args(full_refresh=True) == [
        "build",
        "--exclude-resource-type",
        "unit_test",
        "--full-refresh",
    ]
    assert window_bounds(["2026-06-03", "2026-06-01", "2026-06-02"]) == ("2026-06-01", "2026-06-03")
    assert window_bounds([]) is None
    assert window_bounds(["2026-06-01"], full_refresh=True) is None


def test_the_run_window_table_exists_only_while_dbt_runs_and_matches_the_dbt_var(tmp_path):
    import duckdb
    import yaml

    from assets.resources import WarehouseResource
    from assets.transform.dbt_assets import DBT_PROJECT_DIR, RUN_WINDOW_TABLE, run_window_table

    project = yaml.safe_load((DBT_PROJECT_DIR / "dbt_project.yml").read_text())
    assert project["vars"]["run_window_relation"] == RUN_WINDOW_TABLE

    warehouse = WarehouseResource(data_dir=str(tmp_path))

    def window() -> list[tuple]:
        con = duckdb.connect(str(warehouse.path), read_only=True)
        try:
            found = con.execute(
                "select count(*) from information_schema.tables where table_schema || '.' || table_name = ?",
                [RUN_WINDOW_TABLE],
            ).fetchone()[0]
            if not found:
                return []
            return con.execute(
                f"select partition_start::varchar, partition_end::varchar, run_id from {RUN_WINDOW_TABLE}"
            ).fetchall()
        finally:
            con.close()

    with run_window_table(warehouse, ("2026-06-01", "2026-06-03"), "run-1"):
        assert window() == [("2026-06-01", "2026-06-03", "run-1")]
    assert window() == []

    # A stale window (a killed run) is replaced; a failing dbt still removes it; no window writes no table.
    with run_window_table(warehouse, ("2026-01-01", "2026-01-01"), "stale"):
        pass
    with pytest.raises(RuntimeError), run_window_table(warehouse, ("2026-06-04", "2026-06-04"), "run-2"):
        assert window() == [("2026-06-04", "2026-06-04", "run-2")]
        raise RuntimeError("dbt failed")
    assert window() == []
    with run_window_table(warehouse, None, "full-refresh"):
        assert window() == []


def test_each_dbt_invocation_reads_its_own_run_window(tmp_path, monkeypatch, dbt_manifest):
    """partition_window() reads the window table once per dbt invocation and keeps the row in `graph` under the
    invocation's id: a second invocation on the same parsed manifest (dbtRunner(manifest=...), whose `graph` dict
    lives on) reads the window it is given, not the first one's."""
    from dbt.cli.main import dbtRunner

    from assets.resources import WarehouseResource
    from assets.transform.dbt_assets import DBT_PROJECT_DIR, prepare_target, run_window_table
    from growthmart.config import dbt_profile_env

    # the same DuckDB settings as dbt's profile (a process opens a database file with one configuration only)
    warehouse = WarehouseResource(data_dir=str(tmp_path), temp_dir="tmp")
    for key, value in dbt_profile_env(
        tmp_path, warehouse.threads, warehouse.memory_limit, tmp_path / "tmp"
    ).items():
        monkeypatch.setenv(key, value)
    monkeypatch.chdir(tmp_path)  # the profile names the warehouse relative to the data directory
    target = tmp_path / "dbt_target"
    prepare_target(target)
    args = ["--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR)]
    args += ["--target-path", str(target), "--quiet"]
    parsed = dbtRunner().invoke(["parse", *args])
    assert parsed.success, parsed.exception
    runner = dbtRunner(manifest=parsed.result)
    seen = []
    for window in [("2026-06-01", "2026-06-03"), ("2026-07-05", "2026-07-05")]:
        with run_window_table(warehouse, window, "run"):
            shown = runner.invoke(
                [
                    "show",
                    "--inline",
                    "select '{{ partition_window().start }}..{{ partition_window().end }}' as w",
                ]
                + args
            )
        assert shown.success, shown.exception
        seen.append(shown.result.results[0].agate_table.rows[0][0])
    assert seen == ["2026-06-01..2026-06-03", "2026-07-05..2026-07-05"]


def test_weekly_report_schedule_runs_monday_for_yesterdays_partition(defs):
    schedule = defs.get_repository_def().get_schedule_def("weekly_report_schedule")
    when = datetime(2026, 6, 22, 3, 30, tzinfo=ZoneInfo("Asia/Shanghai"))  # a Monday
    with dg.build_schedule_context(
        scheduled_execution_time=when, repository_def=defs.get_repository_def()
    ) as context:
        requests = list(schedule.evaluate_tick(context).run_requests)
    assert [r.tags["growthmart/report_through"] for r in requests] == ["2026-06-21"]


def test_every_job_runs_in_the_runs_process_and_no_step_waits_for_a_pool(defs):
    """The run's process holds the writer lock for the whole run (assets/resources.py): steps in other processes
    would take it step by step, letting another run in between. Pools are records a killed run holds forever."""
    repo = defs.get_repository_def()
    jobs = [*repo.get_all_jobs(), defs.resolve_implicit_global_asset_job_def()]
    assert {j.executor_def.name for j in jobs} == {dg.in_process_executor.name}
    pools = {node.name: node.pool for job in jobs for node in job.all_node_defs if node.pool}
    assert pools == {}
