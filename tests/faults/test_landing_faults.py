"""Landing files that are bad, late, changed, repeated, missing or never exist, through the real CLI on the fault
suite's published baseline (the 14-day demo, 2026-05-01..14). One week of a landing folder, each run facing what
the one before left:

1. every class of bad file at once (bad_files.py), in a data directory whose modes a deployment from before
   issue 10 left world-readable: a bad *file* fails its source (naming source, file and where known row, column
   and value) and its partitions keep what they held; the other sources load, their bad *rows* quarantined with a
   reason, their unknown or missing columns reported; the run fails, the publication stays as it was, and the
   run leaves raw data owner-only and the publication group-readable;
2. the bad files taken away, a file added late to an earlier day and a day restated (a file replaced with other
   content): the next run loads them whatever days it is for, the dbt window reaches back, the summary lists
   the days and what changed, and exactly the late orders and the restated spend reach the published KPIs; the
   rows quarantined before are quarantined again, once;
3. a row the loader accepts but the raw suite refuses, and a file delivered twice under another name: the
   blocking check names source, file, row, column, value and the days it checked, the duplicate is refused
   naming both files, and nothing is published;
4. both removed, and the next night's day without landing files: the removed file's rows leave raw (said in the
   summary), the empty day is said, and the publication is step 2's again — and a full rebuild's from the same
   landing folder.
After every step landed = loaded + quarantined per file, and no row is lost or counted twice.
"""

from __future__ import annotations

import csv
import shutil
import stat
import sys
from decimal import Decimal
from pathlib import Path

import duckdb
from bad_files import FIRST, LAST, demo_file, load_log, plant
from harness import DATA_FOLDER, STATS, FaultEnv, kill_group, publication_snapshot, reconcile

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "incremental"))
from published_compare import differences, published_tables  # noqa: E402

LATE_DAY, RESTATED_DAY = "2026-05-09", "2026-05-10"


def rewrite_csv(path: Path, target: Path, change, rows: int | None = None) -> list[dict]:
    """Write `path`'s first `rows` rows (default all) to `target`, each changed by `change(row) -> row`."""
    with path.open(encoding="utf-8-sig", newline="") as fh:
        found = [change(dict(row)) for row in list(csv.DictReader(fh))[:rows]]
    with target.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, list(found[0]))
        writer.writeheader()
        writer.writerows(found)
    return found


def kpi(published: Path, day: str) -> tuple:
    con = duckdb.connect(str(published / "growthmart.duckdb"), read_only=True)
    try:
        return con.execute(
            "select orders, net_revenue, spend from reports.rpt_kpi_daily where report_date = ?", [day]
        ).fetchone()
    finally:
        con.close()


def mode(path: Path) -> int:
    return stat.S_IMODE(path.lstat().st_mode)


def loosen_modes(env: FaultEnv) -> None:
    """What a deployment from before issue 10 left: everything world-readable."""
    for path in [env.data, *env.data.rglob("*")]:
        if not path.is_symlink():
            path.chmod(0o755 if path.is_dir() else 0o644)


def assert_modes(env: FaultEnv) -> None:
    """Raw data owner-only, the publication readable by the owner's group and nobody else."""
    wal = env.warehouse.with_name("warehouse.duckdb.wal")
    for path in [env.warehouse, *([wal] if wal.exists() else [])]:
        assert mode(path) & 0o077 == 0, f"{path} is {oct(mode(path))}"
    for folder in [env.landing, env.data / "dagster_home", env.data / "gx"]:
        assert mode(folder) == 0o700, f"{folder} is {oct(mode(folder))}"
    shared = [env.published, *(p for p in env.published.rglob("*") if not p.is_symlink())]
    wrong = {str(p): oct(mode(p)) for p in shared if p.name != ".publish.lock" and mode(p) & 0o047 != 0o040}
    assert wrong == {}, wrong


def test_a_week_of_bad_late_changed_repeated_and_missing_landing_files(fault_env: FaultEnv, fault_dir):
    env = fault_env
    baseline = publication_snapshot(env.published)

    # -- 1. every class of bad file, in a folder left world-readable ------------------------------------------------
    loosen_modes(env)
    warehouse_before = load_log(env.warehouse)
    planted = plant(env)
    run = env.run("--first", FIRST, "--last", LAST)
    assert run.code != 0, run.text[-3000:]
    assert_bad_files_judged(env, planted, run, warehouse_before)
    reconcile(env.warehouse)
    assert publication_snapshot(env.published) == baseline  # the failed run published nothing
    assert_modes(env)

    # -- 2. the bad files taken away; a late file and a restated day ------------------------------------------------
    for path, _ in planted["failing"].values():
        path.unlink()
    before = kpi(env.published, LATE_DAY), kpi(env.published, RESTATED_DAY)
    # late: two more paid orders for 2026-05-09 (both in CNY, both placed by day in Asia/Shanghai), delivered
    # after that day and every later one was published
    late = demo_file(env.landing, "app_orders", LATE_DAY).with_name(f"late_app_orders_{LATE_DAY}.csv")
    paid = {"status": "paid", "refund_amount": "", "refunded_at": ""}
    late_orders = rewrite_csv(
        demo_file(env.landing, "app_orders", LATE_DAY),
        late,
        lambda r: r | paid | {"order_id": r["order_id"] + "L"},
        rows=2,
    )
    assert {o["currency"] for o in late_orders} == {"CNY"}
    assert all("T00" <= o["created_at"][10:13] < "T16" for o in late_orders)  # before 24:00 in UTC+8
    # restated: the platform re-exports 2026-05-10 with 100 yuan more spend on every row, under the same name
    ads = demo_file(env.landing, "ocean_engine_ad_stats", RESTATED_DAY)
    restated = fault_dir / ads.name
    rows = rewrite_csv(ads, restated, lambda r: r | {"消耗(元)": f"{float(r['消耗(元)']) + 100:.2f}"})
    shutil.move(restated, ads)

    run = env.run("--first", FIRST, "--last", LAST)
    assert run.code == 0, run.text[-5000:]
    STATS["runs_recovered"] += 1
    assert (
        f"LATE/CHANGED: app_orders {LATE_DAY} loaded again: new file(s) app_orders/{LATE_DAY}/{late.name}"
        in run.out
    )
    assert f"LATE/CHANGED: ocean_engine_ad_stats {RESTATED_DAY} loaded again: changed file(s)" in run.out
    assert f"partition window {LATE_DAY}..{LAST}" in run.out  # dbt recounts from the late day
    reconcile(env.warehouse)
    after = kpi(env.published, LATE_DAY), kpi(env.published, RESTATED_DAY)
    assert after[0][0] == before[0][0] + 2  # exactly the late orders …
    assert after[0][1] == before[0][1] + sum(Decimal(o["amount"]) for o in late_orders)
    assert after[1][2] == before[1][2] + 100 * len(rows)  # … and the restated spend (decimals: exact)
    assert after[1][:2] == before[1][:2] and after[0][2] == before[0][2]  # and nothing else of those days
    assert_quarantined_once(env, planted)
    published = publication_snapshot(env.published)
    tables = published_tables(env.data)

    # -- 3. a row the raw suite refuses, and a file delivered twice --------------------------------------------------
    # a row the loader accepts (every value well-typed and in range) but the raw GE suite refuses: more clicks
    # than impressions (a rule across columns, which only the suite checks; negative spend is the loader's)
    ads_day = env.landing / "ocean_engine_ad_stats" / LAST
    bad = ads_day / f"extra_ocean_engine_{LAST}.csv"
    rewrite_csv(
        demo_file(env.landing, "ocean_engine_ad_stats", LAST),
        bad,
        lambda r: r | {"广告ID": "7329999999999999999", "展示数": "3", "点击数": "50"},
        rows=1,
    )
    users = demo_file(env.landing, "app_users", "2026-05-11")
    resent = users.with_name("resent_app_users_2026-05-11.csv")
    shutil.copy(users, resent)

    run = env.run("--first", LAST, "--last", LAST)
    assert run.code == 1, run.text[-5000:]
    summary = run.out[run.out.index("== checks") :]
    assert "FAILED: raw/ocean_engine_ad_stats / ge_ocean_engine_ad_stats" in summary
    assert f"checked: loaded by this run {LAST}" in summary
    assert "expect_column_pair_values_a_to_be_greater_than_b on 展示数, 点击数: 1 unexpected" in summary
    offending = f"day {LAST}, file ocean_engine_ad_stats/{LAST}/{bad.name}, row 2, column 展示数, 点击数: "
    assert offending in summary
    assert "3" in summary.split(offending, 1)[1].splitlines()[0]  # the value as it stands in the row
    assert f"byte-identical duplicate of {users.name}" in summary and resent.name in summary
    assert "NOT published" in summary
    assert publication_snapshot(env.published) == published
    reconcile(env.warehouse)

    # -- 4. both removed; the next night's day has no files: one source's folder is empty, the others have none -----
    bad.unlink()
    resent.unlink()
    (env.landing / "app_events" / "2026-05-15").mkdir()
    # a full rebuild from the same landing files (late, restated, removed and partly quarantined files included),
    # in a data directory of its own, started now so that it runs beside the night's run
    full = FaultEnv(fault_dir / "full" / DATA_FOLDER)
    shutil.copytree(env.landing, full.landing, symlinks=True)
    rebuilding = full.start()
    try:
        run = env.run("--first", "2026-05-15", "--last", "2026-05-15")
        assert run.code == 0, run.text[-5000:]
        STATS["runs_recovered"] += 1
        assert (
            f"LATE/CHANGED: ocean_engine_ad_stats {LAST} loaded again: removed file(s), their rows leave raw: "
            f"ocean_engine_ad_stats/{LAST}/{bad.name}" in run.out
        )
        assert (
            "NO LANDING FILES for 2026-05-15 (empty folder(s) app_events, none for the other sources"
            in run.out
        )
        reconcile(env.warehouse)
        # with the bad file's rows gone, what is published is step 2's publication again …
        assert differences(tables, published_tables(env.data)) == []
        # … and what the full rebuild from the same landing files publishes
        rebuilt = full.finish(rebuilding)
        assert rebuilt.code == 0, rebuilt.text[-5000:]
    finally:
        if rebuilding.poll() is None:  # a failed assertion above must not leave it running
            kill_group(rebuilding)
    assert differences(published_tables(full.data), published_tables(env.data)) == []


def assert_bad_files_judged(env: FaultEnv, planted: dict, run, warehouse_before: dict) -> None:
    # a bad file fails its source, naming source, file and (where known) row, column and value
    for source, (path, words) in planted["failing"].items():
        failure = next((line for line in run.text.splitlines() if f"source '{source}'" in line), None)
        assert failure, f"no failure naming {source}:\n{run.text[-4000:]}"
        for word in [str(path), *words]:
            assert word in failure, (source, word, failure)

    after = load_log(env.warehouse)
    con = duckdb.connect(str(env.warehouse), read_only=True)
    try:
        # a failed source keeps its partitions as they were; the other sources loaded in the same run
        for source in planted["failing"]:
            assert after[source] == warehouse_before[source], source
        for path, expected in planted["quarantining"].items():
            rel = str(path.relative_to(env.landing))
            source = rel.split("/")[0]
            assert after[source] != warehouse_before[source], source
            landed, loaded, bad = con.execute(
                "select rows_landed, rows_loaded, rows_quarantined from raw.load_log where source_file = ?",
                [rel],
            ).fetchone()
            lines = [line for line in path.read_text(encoding="utf-8").splitlines()[1:] if line]
            assert landed == (len(lines) if path.suffix == ".csv" else 3), rel
            assert (loaded, bad) == (landed - len(expected), len(expected)), rel
            rows = con.execute(
                "select row_number, column_name, reason, raw_record from raw.quarantine_rows "
                "where source_file = ? order by row_number",
                [rel],
            ).fetchall()
            assert [(r[0], r[1]) for r in rows] == [(n, c) for n, c, _ in expected], rel
            for (_, _, reason), r in zip(expected, rows, strict=True):
                assert r[2].startswith(reason) and r[3], (rel, r)
            numbers = [
                n
                for (n,) in con.execute(
                    f'select _row_number from raw."{source}" where _source_file = ? order by 1', [rel]
                ).fetchall()
            ]
            last = len(lines) + 1 if path.suffix == ".csv" else landed  # the file's last line / record
            assert len(numbers) == len(set(numbers)) and max(numbers) <= last, (rel, numbers)

        # the renamed optional column is reported in the run's output and kept with the partition
        renamed = f"ocean_engine_ad_stats/{LAST}/renamed.csv"
        warnings = con.execute(
            "select column_name, warning from raw.load_warnings where source_file = ? order by 1", [renamed]
        ).fetchall()
        assert [c for c, _ in warnings] == ["转化数", "转化次数"]
        assert "(renamed from '转化数'?)" in warnings[1][1]
        summary = run.text[run.text.index("columns the files and the contracts disagree on") :]
        for _, warning in warnings:
            assert f"ocean_engine_ad_stats {LAST} {renamed}: {warning}" in summary  # the run summary's list
    finally:
        con.close()


def assert_quarantined_once(env: FaultEnv, planted: dict) -> None:
    """The rows quarantined by the failed run are quarantined again by the next, once."""
    con = duckdb.connect(str(env.warehouse), read_only=True)
    try:
        kept = con.execute(
            "select source_file, count(*) from raw.quarantine_rows where source_file like '%/2026-05-1_/%' "
            "and source_file not like '%/demo_%' group by 1"
        ).fetchall()
    finally:
        con.close()
    expected = {str(p.relative_to(env.landing)): len(e) for p, e in planted["quarantining"].items() if e}
    assert dict(kept) == expected
