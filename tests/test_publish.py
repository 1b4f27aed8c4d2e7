"""Publishing: an atomic swap that readers never see half-done, and that a failure leaves untouched."""

from __future__ import annotations

import csv
import errno
import fcntl
import hashlib
import json
import os
import shutil
import signal
import stat
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

import growthmart.publish as publish_module
from assets.resources import WarehouseResource
from growthmart.publish import (
    COLUMN_DOCS_KEY,
    DOCS_KEY,
    STORAGE_VERSION,
    PublishLockedError,
    TableDocs,
    publish,
)

ROOT = Path(__file__).resolve().parents[1]


def make_warehouse(path, value: int) -> None:
    con = duckdb.connect(str(path))
    con.execute(
        "create schema if not exists reports; create schema if not exists marts; create schema if not exists staging"
    )
    con.execute(f"create or replace table reports.rpt_kpi_daily as select {value} as new_users")
    con.execute("create or replace table marts.dim_users as select 'u1' as user_id")
    con.execute("create or replace table staging.stg_x as select 1 as x")
    con.close()


def test_publish_copies_reports_and_marts_to_duckdb_and_parquet(tmp_path):
    wh = tmp_path / "warehouse.duckdb"
    make_warehouse(wh, 7)
    tables = publish(wh, tmp_path / "published", run_id="r1")
    assert sorted(t.qualified for t in tables) == ["marts.dim_users", "reports.rpt_kpi_daily"]
    con = duckdb.connect(str(tmp_path / "published" / "growthmart.duckdb"), read_only=True)
    assert con.execute("select new_users from reports.rpt_kpi_daily").fetchone() == (7,)
    assert con.execute("select count(*) from main.publication where run_id = 'r1'").fetchone() == (2,)
    assert not con.execute(
        "select * from information_schema.tables where table_schema = 'staging'"
    ).fetchall()
    con.close()
    parquet = tmp_path / "published" / "parquet" / "reports" / "rpt_kpi_daily.parquet"
    assert duckdb.sql(f"select new_users from '{parquet}'").fetchall() == [(7,)]


def test_a_reader_of_the_old_publication_keeps_a_consistent_view_during_a_swap(tmp_path):
    wh = tmp_path / "warehouse.duckdb"
    make_warehouse(wh, 1)
    publish(wh, tmp_path / "published")
    reader = duckdb.connect(str(tmp_path / "published" / "growthmart.duckdb"), read_only=True)
    make_warehouse(wh, 2)
    publish(wh, tmp_path / "published")  # the reader's open file does not block the swap
    assert reader.execute("select new_users from reports.rpt_kpi_daily").fetchone() == (1,)
    reader.close()
    fresh = duckdb.connect(str(tmp_path / "published" / "growthmart.duckdb"), read_only=True)
    assert fresh.execute("select new_users from reports.rpt_kpi_daily").fetchone() == (2,)
    fresh.close()
    leftovers = [p.name for p in (tmp_path / "published").iterdir() if p.name.endswith(".tmp")]
    assert leftovers == []


def test_a_failed_publication_leaves_the_previous_one_in_place(tmp_path):
    wh = tmp_path / "warehouse.duckdb"
    make_warehouse(wh, 1)
    publish(wh, tmp_path / "published")
    empty = tmp_path / "empty.duckdb"
    duckdb.connect(str(empty)).close()
    with pytest.raises(RuntimeError, match="nothing to publish"):
        publish(empty, tmp_path / "published")
    con = duckdb.connect(str(tmp_path / "published" / "growthmart.duckdb"), read_only=True)
    assert con.execute("select new_users from reports.rpt_kpi_daily").fetchone() == (1,)
    con.close()
    assert (tmp_path / "published" / "parquet" / "reports" / "rpt_kpi_daily.parquet").exists()


def make_segments(path, tier_label: str) -> None:
    con = duckdb.connect(str(path))
    con.execute(
        """create or replace table reports.rpt_user_segments as
           select * from (values ('u1', 'high_value', ?, '会员特权, "专属" 客服', 5),
                                 ('u2', 'never_purchased', '未购买用户', null, null))
               as t(user_id, value_tier, tier_label_zh, suggested_action_zh, r_score)""",
        [tier_label],
    )
    con.close()


def test_the_user_segments_are_published_as_csv_with_a_bom_that_reads_back(tmp_path):
    wh = tmp_path / "warehouse.duckdb"
    make_warehouse(wh, 1)
    make_segments(wh, "高价值用户")
    publish(wh, tmp_path / "published")
    reports = tmp_path / "published" / "parquet" / "reports"
    csv_path = reports / "rpt_user_segments.csv"
    raw = csv_path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and raw.count(b"\xef\xbb\xbf") == 1
    with csv_path.open(encoding="utf-8-sig", newline="") as f:  # what Excel / a CRM importer sees
        rows = list(csv.DictReader(f))
    assert rows == [
        {"user_id": "u1", "value_tier": "high_value", "tier_label_zh": "高价值用户",
         "suggested_action_zh": '会员特权, "专属" 客服', "r_score": "5"},
        {"user_id": "u2", "value_tier": "never_purchased", "tier_label_zh": "未购买用户",
         "suggested_action_zh": "", "r_score": ""},
    ]  # fmt: skip
    parquet_rows = duckdb.sql(f"select count(*) from '{reports / 'rpt_user_segments.parquet'}'").fetchall()
    assert parquet_rows == [(len(rows),)]
    assert [p.name for p in reports.iterdir() if p.name.startswith(".")] == []  # no BOM-less leftover
    assert not (reports / "rpt_kpi_daily.csv").exists()  # only the tables meant for CRM import


def test_the_segments_csv_swaps_with_the_parquet_files(tmp_path):
    wh = tmp_path / "warehouse.duckdb"
    make_warehouse(wh, 1)
    make_segments(wh, "旧")
    publish(wh, tmp_path / "published")
    old_version = (tmp_path / "published" / "parquet").resolve()
    make_segments(wh, "新")
    publish(wh, tmp_path / "published")
    current = tmp_path / "published" / "parquet" / "reports" / "rpt_user_segments.csv"
    assert "新" in current.read_text(encoding="utf-8-sig")
    # a reader that resolved the previous version keeps a complete, consistent file
    assert "旧" in (old_version / "reports" / "rpt_user_segments.csv").read_text(encoding="utf-8-sig")


# -- dead publishes, full disks, odd paths, modes, the lock (issue 10) ----------------------------------------------

KILL_AT = {
    # while a changed table is written: the temporary DuckDB file, a version with some Parquet files
    "writing": "growthmart.publish._write_table",
    # everything written and on disk, the version not yet marked complete
    "marking": "growthmart.publish._mark_complete",
}


def publish_killed(wh, published, at: str) -> None:
    """A real publish in a child process, SIGKILLed (by itself, at a known point) as `kill -9` would."""
    module, func = KILL_AT[at].rsplit(".", 1)
    code = (
        "import os, signal, sys; from pathlib import Path; import importlib\n"
        f"m = importlib.import_module({module!r})\n"
        f"setattr(m, {func!r}, lambda *a, **k: os.kill(os.getpid(), signal.SIGKILL))\n"
        f"m.publish(Path({str(wh)!r}), Path({str(published)!r}))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == -signal.SIGKILL, proc.stderr


def tree_digest(published) -> dict[str, str]:
    """What a reader of the current publication gets: the DuckDB file and the Parquet version's files, hashed."""
    files = [published / "growthmart.duckdb", *sorted((published / "parquet").resolve().rglob("*"))]
    return {str(p.relative_to(published.resolve()) if p.is_relative_to(published.resolve()) else p): hashlib.sha256(
        p.read_bytes()).hexdigest() for p in files if p.is_file()}  # fmt: skip


def versions(published) -> list[str]:
    return sorted(p.name for p in (published / ".parquet_versions").iterdir())


@pytest.mark.parametrize("at", sorted(KILL_AT))
def test_a_killed_publish_leaves_the_publication_and_the_next_removes_its_debris(tmp_path, at):
    wh, published = tmp_path / "warehouse.duckdb", tmp_path / "published"
    make_warehouse(wh, 1)
    make_segments(wh, "一")
    publish(wh, published)
    make_warehouse(wh, 2)
    publish(wh, published)
    complete = versions(published)
    assert len(complete) == 2
    before = tree_digest(published)

    make_warehouse(wh, 3)
    publish_killed(wh, published, at)
    debris = [p.name for p in published.iterdir() if ".duckdb.tmp" in p.name]
    assert debris and len(versions(published)) == 3  # the dead publish's files are there...
    assert tree_digest(published) == before  # ...and readers see the previous publication, byte for byte

    publish(wh, published)
    assert [p.name for p in published.iterdir() if ".duckdb.tmp" in p.name] == []
    after = versions(published)
    # the previous complete version is kept beside the new one; the dead publish's incomplete one is gone
    assert len(after) == 2 and after[0] == complete[1] and after[1] not in complete
    assert all((published / ".parquet_versions" / v / ".complete").is_file() for v in after)
    con = duckdb.connect(str(published / "growthmart.duckdb"), read_only=True)
    assert con.execute("select new_users from reports.rpt_kpi_daily").fetchone() == (3,)
    con.close()


def test_debris_is_removed_only_under_the_lock_and_a_second_publish_is_refused(tmp_path):
    wh, published = tmp_path / "warehouse.duckdb", tmp_path / "published"
    make_warehouse(wh, 1)
    publish(wh, published)
    fd = os.open(published / ".publish.lock", os.O_RDWR)
    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # a live publish holds it
    try:
        live = published / ".growthmart.20990101T000000000000-live.duckdb.tmp"
        live.write_bytes(b"being written")
        with pytest.raises(PublishLockedError, match="another publish into .* is running"):
            publish(wh, published)
        assert live.exists()  # not touched: it may belong to the live publish
    finally:
        os.close(fd)
    publish(wh, published)
    assert not live.exists()


@pytest.fixture
def small_fs(tmp_path):
    """A 4 MiB tmpfs mounted at tmp_path/small (root and mount(8) needed)."""
    mount = tmp_path / "small"
    mount.mkdir()
    proc = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(mount)], capture_output=True, text=True
    )
    if proc.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here: {proc.stderr.strip() or proc.returncode}")
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=True)


def big_warehouse(path, rows: int) -> None:
    con = duckdb.connect(str(path))
    con.execute("create schema if not exists reports")
    con.execute(
        f"create or replace table reports.rpt_big as select range as i, md5(range::varchar) as s from range({rows})"
    )
    con.close()


def test_a_full_disk_fails_the_publish_naming_the_cause_and_leaves_the_publication(tmp_path, small_fs):
    wh, published = tmp_path / "warehouse.duckdb", small_fs / "published"
    big_warehouse(wh, 20_000)
    publish(wh, published)
    before = tree_digest(published)
    big_warehouse(wh, 60_000)  # a second copy beside the first does not fit in 4 MiB
    with pytest.raises(Exception, match="No space left on device") as failure:
        publish(wh, published)
    assert str(published) in str(failure.value)  # names the file it could not write
    assert tree_digest(published) == before
    assert [p.name for p in published.iterdir() if ".duckdb.tmp" in p.name] == []
    assert len(versions(published)) == 1


def test_paths_with_a_quote_and_a_space_publish(tmp_path):
    odd = tmp_path / "it's a dir"
    odd.mkdir()
    wh = odd / "ware'house.duckdb"
    make_warehouse(wh, 5)
    make_segments(wh, "五")
    tables = publish(wh, odd / "pub'lished")
    assert len(tables) == 3
    csv_path = odd / "pub'lished" / "parquet" / "reports" / "rpt_user_segments.csv"
    assert "五" in csv_path.read_text(encoding="utf-8-sig")


def test_the_publication_is_group_readable_and_nothing_is_for_others(tmp_path):
    wh, published = tmp_path / "warehouse.duckdb", tmp_path / "published"
    make_warehouse(wh, 1)
    before = os.umask(0o077)  # as in a run: what is created is owner-only unless shared on purpose
    try:
        publish(wh, published)
    finally:
        os.umask(before)
    modes = {
        str(p.relative_to(published)): stat.S_IMODE(p.stat().st_mode)
        for p in [published, *published.rglob("*")]
        if not p.is_symlink() and p.name != ".publish.lock"
    }
    assert modes and all(m == (0o750 if (published / n).is_dir() else 0o640) for n, m in modes.items()), modes


def test_the_summary_names_the_innermost_error_of_a_failed_step(tmp_path):
    import dagster as dg

    from orchestration.run_summary import errors_section

    @dg.asset
    def bi_copy() -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(tmp_path / "published" / "x.parquet"))

    result = dg.materialize([bi_copy], raise_on_error=False, instance=dg.DagsterInstance.ephemeral())
    lines = errors_section(result)
    assert lines[0].startswith("  ERROR in bi_copy: ") and "No space left on device" in lines[0], lines
    assert str(tmp_path / "published" / "x.parquet") in lines[0]


def test_a_run_makes_the_raw_data_owner_only_and_the_publication_group_readable(tmp_path):
    import dagster as dg

    data = tmp_path / "data"
    (data / "landing" / "orders").mkdir(parents=True)
    (data / "landing" / "orders" / "day.csv").write_text("order_id\n1\n")
    (data / "landing").chmod(0o755)
    duckdb.connect(str(data / "warehouse.duckdb")).close()
    (data / "warehouse.duckdb").chmod(0o644)  # as a deployment from before issue 10 left it

    @dg.asset
    def write_and_publish(warehouse: WarehouseResource) -> None:
        with warehouse.connect() as con:
            con.execute("create table t as select 1 as x")
        (tmp_path / "elsewhere" / "reports").mkdir(parents=True)  # published/ as a link to another filesystem
        (data / "published").symlink_to(tmp_path / "elsewhere")
        (data / "published" / "reports" / "index.html").write_text("<html></html>")

    umask = os.umask(0o022)
    try:
        result = dg.materialize(
            [write_and_publish],
            resources={"warehouse": WarehouseResource(data_dir=str(data))},
            instance=dg.DagsterInstance.ephemeral(),
        )
        assert result.success
        assert os.umask(0o022) == 0o022  # the run's umask is not left behind
    finally:
        os.umask(umask)
    assert stat.S_IMODE((data / "warehouse.duckdb").stat().st_mode) == 0o600
    assert stat.S_IMODE((data / "landing").stat().st_mode) == 0o700
    published = [
        tmp_path / "elsewhere",
        data / "published" / "reports",
        data / "published" / "reports" / "index.html",
    ]
    assert [stat.S_IMODE(p.stat().st_mode) for p in published] == [0o750, 0o750, 0o640]


def test_a_publication_from_before_the_completion_marker_is_kept_as_complete(tmp_path):
    wh, published = tmp_path / "warehouse.duckdb", tmp_path / "published"
    make_warehouse(wh, 1)
    publish(wh, published)
    old = versions(published)
    (published / ".parquet_versions" / old[0] / ".complete").unlink()  # as the previous layout left it
    make_warehouse(wh, 2)
    publish(wh, published)
    assert versions(published)[0] == old[0]  # the version readers were reading is kept, not taken for debris


# -- only what changed is rewritten (issue 12) ---------------------------------------------------------------------


def publication_rows(published) -> dict[str, tuple]:
    con = duckdb.connect(str(published / "growthmart.duckdb"), read_only=True)
    try:
        return {
            r[0]: r[1:]
            for r in con.execute("select table_name, row_count, rewritten from main.publication").fetchall()
        }
    finally:
        con.close()


def every_table(db: Path) -> dict[str, list]:
    """Every published table's rows, sorted, and its column types: what a reader can observe."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        out = {}
        for schema, name in con.execute(
            "select table_schema, table_name from information_schema.tables where table_schema <> 'main'"
        ).fetchall():
            types = con.execute(f"select column_name, data_type from information_schema.columns "
                                f"where table_schema = '{schema}' and table_name = '{name}' order by ordinal_position").fetchall()  # fmt: skip
            out[f"{schema}.{name}"] = [
                types,
                sorted(con.execute(f"select * from {schema}.{name}").fetchall(), key=repr),
            ]
        return out
    finally:
        con.close()


def test_an_unchanged_table_is_carried_over_and_a_changed_one_rewritten(tmp_path):
    wh, published = tmp_path / "warehouse.duckdb", tmp_path / "published"
    make_warehouse(wh, 1)
    make_segments(wh, "旧")
    publish(wh, published)
    first = (published / "parquet").resolve()
    assert set(publication_rows(published).values()) == {(1, True), (2, True)}

    con = duckdb.connect(str(wh))
    con.execute("update reports.rpt_kpi_daily set new_users = 2")  # same row count, another value
    con.close()
    tables = {t.qualified: t for t in publish(wh, published)}
    second = (published / "parquet").resolve()
    assert second != first
    assert {q: t.rewritten for q, t in tables.items()} == {
        "marts.dim_users": False, "reports.rpt_kpi_daily": True, "reports.rpt_user_segments": False}  # fmt: skip
    assert publication_rows(published)["reports.rpt_kpi_daily"] == (1, True)
    assert publication_rows(published)["marts.dim_users"] == (1, False)
    # carried over: the same file (one inode, two versions); rewritten: a new file with the new value
    for rel in (
        "marts/dim_users.parquet",
        "reports/rpt_user_segments.parquet",
        "reports/rpt_user_segments.csv",
    ):
        assert (second / rel).stat().st_ino == (first / rel).stat().st_ino
    assert (second / "reports/rpt_kpi_daily.parquet").stat().st_ino != (
        first / "reports/rpt_kpi_daily.parquet"
    ).stat().st_ino
    assert duckdb.sql(f"select new_users from '{second / 'reports/rpt_kpi_daily.parquet'}'").fetchall() == [
        (2,)
    ]
    # a reader of the previous version still reads its value
    assert duckdb.sql(f"select new_users from '{first / 'reports/rpt_kpi_daily.parquet'}'").fetchall() == [
        (1,)
    ]
    # the incremental publication equals one written from scratch, table for table
    publish(wh, tmp_path / "scratch")
    assert every_table(published / "growthmart.duckdb") == every_table(
        tmp_path / "scratch" / "growthmart.duckdb"
    )


@pytest.mark.parametrize(
    "change",
    [
        "create or replace table reports.rpt_kpi_daily as select 1::bigint as new_users",  # same value, another type
        "create or replace table reports.rpt_kpi_daily as select 1 as new_visitors",  # a renamed column
        "insert into reports.rpt_kpi_daily values (1)",  # a duplicate row
        "create or replace table reports.rpt_kpi_daily as select 1 as new_users where false",  # emptied
    ],
)
def test_every_kind_of_change_is_published(tmp_path, change):
    wh, published = tmp_path / "warehouse.duckdb", tmp_path / "published"
    make_warehouse(wh, 1)
    publish(wh, published)
    con = duckdb.connect(str(wh))
    con.execute(change)
    con.close()
    assert {t.qualified: t.rewritten for t in publish(wh, published)}["reports.rpt_kpi_daily"]
    publish(wh, tmp_path / "scratch")
    assert every_table(published / "growthmart.duckdb") == every_table(
        tmp_path / "scratch" / "growthmart.duckdb"
    )
    parquet = duckdb.sql(f"select * from '{published / 'parquet' / 'reports' / 'rpt_kpi_daily.parquet'}'")
    assert parquet.fetchall() == duckdb.sql(
        f"select * from '{tmp_path / 'scratch' / 'parquet' / 'reports' / 'rpt_kpi_daily.parquet'}'").fetchall()  # fmt: skip


def test_a_table_gone_from_the_warehouse_leaves_the_publication(tmp_path):
    wh, published = tmp_path / "warehouse.duckdb", tmp_path / "published"
    make_warehouse(wh, 1)
    make_segments(wh, "旧")
    publish(wh, published)
    con = duckdb.connect(str(wh))
    con.execute("drop table reports.rpt_user_segments")
    con.close()
    publish(wh, published)
    assert "reports.rpt_user_segments" not in every_table(published / "growthmart.duckdb")
    assert not (published / "parquet" / "reports" / "rpt_user_segments.parquet").exists()
    assert set(publication_rows(published)) == {"marts.dim_users", "reports.rpt_kpi_daily"}


def test_a_publication_without_fingerprints_is_rewritten_whole(tmp_path):
    wh, published = tmp_path / "warehouse.duckdb", tmp_path / "published"
    make_warehouse(wh, 1)
    publish(wh, published)
    con = duckdb.connect(str(published / "growthmart.duckdb"))
    con.execute("alter table main.publication drop column fingerprint")  # as a publication before them
    con.close()
    assert all(t.rewritten for t in publish(wh, published))


def test_the_duckdb_file_does_not_grow_night_after_night(tmp_path):
    """Replacing the changed tables inside a copy of the last publication reuses the freed blocks."""
    wh, published = tmp_path / "warehouse.duckdb", tmp_path / "published"
    con = duckdb.connect(str(wh))
    con.execute("create schema reports; create schema marts")
    con.execute(
        "create table marts.history as select range as v, md5(range::varchar) as s from range(700000)"
    )
    con.close()
    sizes, patched = [], []
    for night in range(6):
        con = duckdb.connect(str(wh))
        con.execute(f"create or replace table reports.night as select range + {night} as v, md5(range::varchar) as s "
                    "from range(300000)")  # fmt: skip
        con.close()
        tables = {t.qualified: t.rewritten for t in publish(wh, published)}
        patched.append(tables == {"marts.history": False, "reports.night": True})
        sizes.append((published / "growthmart.duckdb").stat().st_size)
    assert patched == [False] + [True] * 5
    assert max(sizes[2:]) <= sizes[1] * 1.3, sizes


def test_a_night_that_changes_most_rows_writes_a_fresh_duckdb_file(tmp_path, monkeypatch):
    wh, published = tmp_path / "warehouse.duckdb", tmp_path / "published"
    make_warehouse(wh, 1)
    publish(wh, published)
    copies = []
    real_copy = shutil.copyfile
    monkeypatch.setattr(shutil, "copyfile", lambda *a, **k: copies.append(a) or real_copy(*a, **k))
    make_warehouse(wh, 2)  # 1 of 2 rows changed: at most half, patched
    publish(wh, published)
    assert len(copies) == 1
    con = duckdb.connect(str(wh))
    con.execute("create or replace table marts.dim_users as select 'u2' as user_id")
    con.execute("update reports.rpt_kpi_daily set new_users = 3")
    con.close()
    publish(wh, published)  # every row changed: a fresh file, no copy
    assert len(copies) == 1
    assert every_table(published / "growthmart.duckdb")["marts.dim_users"][1] == [("u2",)]


# -- a file DuckDB 1.x opens, with dbt's descriptions (issue 14) ----------------------------------------------------

DOCS = {
    ("reports", "rpt_kpi_daily"): TableDocs("每日 KPI, it's daily", {"new_users": "新用户数", "gone": "no such column"}),
    ("marts", "dim_users"): TableDocs("", {"user_id": "User id."}),
}  # fmt: skip


def comments(db: Path) -> dict[str, object]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        tables = con.execute("select schema_name || '.' || table_name, comment from duckdb_tables() "
                             "where schema_name in ('reports', 'marts')").fetchall()  # fmt: skip
        columns = con.execute("select schema_name || '.' || table_name || '.' || column_name, comment "
                              "from duckdb_columns() where schema_name in ('reports', 'marts')").fetchall()  # fmt: skip
        return dict(tables + columns)
    finally:
        con.close()


def storage_version(db: Path) -> str:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute("select tags['storage_version'] from duckdb_databases() "
                           "where database_name = current_database()").fetchone()[0]  # fmt: skip
    finally:
        con.close()


def test_descriptions_become_comments_and_parquet_metadata(tmp_path):
    wh, published = tmp_path / "warehouse.duckdb", tmp_path / "published"
    make_warehouse(wh, 1)
    publish(wh, published, docs=DOCS)
    assert storage_version(published / "growthmart.duckdb") == f"{STORAGE_VERSION}+"
    assert comments(published / "growthmart.duckdb") == {
        "reports.rpt_kpi_daily": "每日 KPI, it's daily", "reports.rpt_kpi_daily.new_users": "新用户数",
        "marts.dim_users": None, "marts.dim_users.user_id": "User id."}  # fmt: skip
    kv = dict(duckdb.sql(
        "select key::varchar, decode(value) from parquet_kv_metadata("
        f"'{published / 'parquet' / 'reports' / 'rpt_kpi_daily.parquet'}')").fetchall())  # fmt: skip
    assert kv[DOCS_KEY] == "每日 KPI, it's daily"
    assert json.loads(kv[COLUMN_DOCS_KEY]) == {"new_users": "新用户数"}  # only the table's columns


def test_comments_do_not_make_an_unchanged_table_changed_and_an_edited_description_is_published(tmp_path):
    wh, published = tmp_path / "warehouse.duckdb", tmp_path / "published"
    make_warehouse(wh, 1)
    publish(wh, published, docs=DOCS)
    assert not any(t.rewritten for t in publish(wh, published, docs=DOCS))
    assert comments(published / "growthmart.duckdb")["reports.rpt_kpi_daily.new_users"] == "新用户数"
    first = (published / "parquet").resolve()

    edited = {**DOCS, ("reports", "rpt_kpi_daily"): TableDocs("Daily KPIs.", {})}
    tables = {t.qualified: t.rewritten for t in publish(wh, published, docs=edited)}
    assert tables == {"marts.dim_users": False, "reports.rpt_kpi_daily": True}
    now = comments(published / "growthmart.duckdb")
    assert now["reports.rpt_kpi_daily"] == "Daily KPIs." and now["reports.rpt_kpi_daily.new_users"] is None
    assert now["marts.dim_users.user_id"] == "User id."  # carried over in the patched copy
    second = (published / "parquet").resolve()
    assert (second / "marts/dim_users.parquet").stat().st_ino == (
        first / "marts/dim_users.parquet"
    ).stat().st_ino


def test_a_publication_in_another_storage_version_is_written_anew_not_patched(tmp_path, monkeypatch):
    """A copy keeps its file's format: a DuckDB 2.x-format publication (before this choice) is never patched."""
    wh, published = tmp_path / "warehouse.duckdb", tmp_path / "published"
    make_warehouse(wh, 1)
    monkeypatch.setattr(publish_module, "STORAGE_VERSION", "latest")
    publish(wh, published, docs=DOCS)
    assert storage_version(published / "growthmart.duckdb") != f"{STORAGE_VERSION}+"
    first = (published / "parquet").resolve()
    monkeypatch.setattr(publish_module, "STORAGE_VERSION", STORAGE_VERSION)
    copies = []
    real_copy = shutil.copyfile
    monkeypatch.setattr(shutil, "copyfile", lambda *a, **k: copies.append(a) or real_copy(*a, **k))
    make_warehouse(wh, 2)  # 1 of 2 rows changed: would be patched
    tables = {t.qualified: t.rewritten for t in publish(wh, published, docs=DOCS)}
    assert copies == [] and storage_version(published / "growthmart.duckdb") == f"{STORAGE_VERSION}+"
    assert tables == {"marts.dim_users": False, "reports.rpt_kpi_daily": True}  # Parquet still carried over
    second = (published / "parquet").resolve()
    assert (second / "marts/dim_users.parquet").stat().st_ino == (
        first / "marts/dim_users.parquet"
    ).stat().st_ino
    assert comments(published / "growthmart.duckdb")["marts.dim_users.user_id"] == "User id."
    publish(wh, published, docs=DOCS)
    assert len(copies) == 1  # from now on patched again


def test_a_run_that_publishes_nothing_though_no_step_failed_is_a_failed_run(tmp_path):
    """Dagster skips what depends on an upstream that produced nothing (a blocking check that never reported a
    result does the same) and calls the run a success; the CLI must not: its run exists to publish."""
    import dagster as dg

    from orchestration.run_summary import Summary

    @dg.asset(output_required=False, config_schema={"produce": bool})
    def report(context):
        if context.op_config["produce"]:
            yield dg.Output(1)

    @dg.asset
    def published(report: int) -> None:
        assert report == 1

    key = dg.AssetKey("published")

    def summary(produce: bool) -> Summary:
        result = dg.materialize(
            [report, published],
            instance=dg.DagsterInstance.ephemeral(),
            run_config={"ops": {"report": {"config": {"produce": produce}}}},
        )
        assert result.success  # Dagster's verdict either way
        return Summary(result, tmp_path / "warehouse.duckdb", tmp_path / "published", key)

    skipped = summary(produce=False)
    assert not skipped.succeeded
    text = skipped.render()
    assert "— FAILED" in text and "NOT published" in text, text
    assert (
        "1 steps skipped because a blocking check upstream reported no result (no step failed): published"
        in text
    )
    assert "steps skipped" in skipped.failure_ending()
    assert summary(produce=True).succeeded
