"""Faults during publication, through the real CLI: a kill -9 mid-publish, a full disk, a BI reader holding the
publication open, a data folder whose path needs quoting, and who may read what afterwards.

What a trusted publication promises (growthmart/publish.py): a publish that dies leaves the previous publication
byte-identical and readable; the next publish removes the dead one's debris and keeps the complete versions; a full
disk fails the run with "No space left on device" and the path, in the run summary; a reader keeps a consistent
snapshot and never blocks the publish.
"""

from __future__ import annotations

import hashlib
import shutil
import stat
import subprocess
import threading
import time
from pathlib import Path

import duckdb
import pytest
from harness import (
    STATS,
    FaultEnv,
    copy_env,
    kill9,
    kill_group,
    orphans,
    publication_snapshot,
    read_log,
    reconcile,
    wait_for,
)

TMP_DB_GLOB = ".growthmart.*.duckdb.tmp*"


def debris(published: Path) -> list[str]:
    """What a dead publish leaves: temporary DuckDB files (and WAL), Parquet versions never marked complete."""
    found = [p.name for p in published.glob(TMP_DB_GLOB)]
    versions = published / ".parquet_versions"
    found += [f"{v.name} (incomplete)" for v in versions.iterdir() if not (v / ".complete").is_file()]
    return found


def complete_versions(published: Path) -> list[str]:
    return sorted(v.name for v in (published / ".parquet_versions").iterdir() if (v / ".complete").is_file())


def digest(published: Path) -> dict[str, str]:
    """The bytes a reader of the current publication gets: the DuckDB file and the current Parquet version."""
    version = (published / "parquet").resolve()
    files = {"growthmart.duckdb": published / "growthmart.duckdb"}
    files.update({str(p.relative_to(version)): p for p in sorted(version.rglob("*")) if p.is_file()})
    return {name: hashlib.sha256(p.read_bytes()).hexdigest() for name, p in files.items()}


def summary_errors(text: str) -> str:
    """The run summary's errors section."""
    start = text.find("== errors")
    assert start >= 0, text[-3000:]
    return text[start : text.find("== published", start)]


class Reader(threading.Thread):
    """A BI reader for the length of a run: one read-only DuckDB connection opened before the run and held
    throughout (never closed early), and the Parquet files read again and again, each time from the version
    `parquet/` resolves to, checked against that version's publication record. Every failure is kept."""

    def __init__(self, published: Path):
        super().__init__(daemon=True)
        self.published = published
        self.held = duckdb.connect(str(published / "growthmart.duckdb"), read_only=True)
        self.stop = threading.Event()
        self.errors: list[str] = []
        self.held_run_ids: set[str] = set()
        self.parquet_run_ids: list[str] = []

    def run(self) -> None:
        parquet = duckdb.connect()
        try:
            while not self.stop.is_set():
                self._read(parquet)
                time.sleep(0.2)  # a BI tool refreshing, not a busy loop on a shared machine
        finally:
            parquet.close()
            self.held.close()

    def _read(self, parquet: duckdb.DuckDBPyConnection) -> None:
        try:
            record = dict(self.held.execute("select table_name, row_count from main.publication").fetchall())
            counts = {t: self.held.execute(f"select count(*) from {t}").fetchone()[0] for t in record}
            if counts != record:
                self.errors.append(f"held connection: counts {counts} differ from its record {record}")
            self.held_run_ids.add(
                self.held.execute("select any_value(run_id) from main.publication").fetchone()[0]
            )

            version = (self.published / "parquet").resolve()
            rows = parquet.execute(
                "select run_id, table_name, row_count from read_parquet(?)",
                [str(version / "publication.parquet")],
            ).fetchall()
            for _run_id, table, recorded in rows:
                schema, name = table.split(".")
                n = parquet.execute(
                    "select count(*) from read_parquet(?)", [str(version / schema / f"{name}.parquet")]
                ).fetchone()[0]
                if n != recorded:
                    self.errors.append(f"{version.name}: {table} has {n} rows, its record says {recorded}")
            self.parquet_run_ids.append(rows[0][0])
        except Exception as exc:  # any failed read is a broken promise
            self.errors.append(f"{type(exc).__name__}: {exc}")

    def finish(self) -> None:
        self.stop.set()
        self.join(timeout=30)


def old_run_id(published: Path) -> str:
    return publication_snapshot(published)["run_id"]


def test_a_kill_during_publish_keeps_the_publication_and_the_next_run_removes_the_debris(fault_env):
    published = fault_env.published
    before, before_digest, versions = (
        publication_snapshot(published),
        digest(published),
        complete_versions(published),
    )
    reader = Reader(published)
    reader.start()
    proc = fault_env.start()
    try:
        wait_for(lambda: list(published.glob(TMP_DB_GLOB)), interval=0.005, proc=proc)
        kill9(proc)
    finally:
        if proc.poll() is None:
            kill_group(proc)
    reader.finish()
    assert debris(published), "the kill came too late to leave anything behind"
    assert reader.errors == [] and reader.held_run_ids == {before["run_id"]}
    assert publication_snapshot(published) == before and digest(published) == before_digest
    assert orphans(fault_env.data) == []

    rerun = fault_env.run()
    assert rerun.code == 0, rerun.text[-5000:]
    STATS["runs_recovered"] += 1
    assert debris(published) == []
    after = complete_versions(published)
    assert (
        len(after) == 2 and after[0] == versions[-1]
    )  # the previous complete version is kept beside the new one
    assert publication_snapshot(published)["run_id"] != before["run_id"]
    reconcile(fault_env.warehouse)


@pytest.fixture
def small_published(fault_env: FaultEnv):
    """published/ on a tmpfs just big enough for the baseline's publication and not for a second copy of it."""
    published = fault_env.published

    def pages(path: Path) -> int:  # tmpfs gives every file whole 4 KiB pages
        return -(-path.stat().st_size // 4096) * 4096

    used = sum(pages(p) for p in published.rglob("*") if p.is_file() and not p.is_symlink())
    version = (published / "parquet").resolve()
    copy = pages(published / "growthmart.duckdb") + sum(pages(p) for p in version.rglob("*") if p.is_file())
    size = used + copy // 2
    saved = published.with_name("published.orig")
    published.rename(saved)
    published.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(published)],
        capture_output=True,
        text=True,
    )
    if mounted.returncode != 0:
        pytest.skip(
            f"cannot mount a small tmpfs at {published}: {mounted.stderr.strip() or mounted.returncode}"
        )
    try:
        shutil.copytree(saved, published, symlinks=True, dirs_exist_ok=True)
        yield published
    finally:
        subprocess.run(["umount", "-l", str(published)], check=True)


def test_a_full_disk_fails_the_publish_with_its_cause_and_keeps_the_publication(fault_env, small_published):
    published = small_published
    before, before_digest = publication_snapshot(published), digest(published)
    reader = Reader(published)
    reader.start()
    run = fault_env.run()
    reader.finish()
    assert run.code != 0, run.text[-5000:]
    errors = summary_errors(run.out)
    assert "No space left on device" in errors and str(published) in errors, errors
    assert "Error occurred while executing op" not in errors
    assert reader.errors == []
    assert publication_snapshot(published) == before and digest(published) == before_digest
    assert debris(published) == []  # the failed publish took its files away itself

    subprocess.run(["mount", "-o", "remount,size=256m", str(published)], check=True)
    rerun = fault_env.run()
    assert rerun.code == 0, rerun.text[-5000:]
    STATS["runs_recovered"] += 1
    assert debris(published) == [] and len(complete_versions(published)) == 2
    assert publication_snapshot(published)["run_id"] != before["run_id"]


def test_a_bi_reader_holding_the_publication_open_sees_old_or_new_never_a_mix_and_blocks_nothing(fault_env):
    published = fault_env.published
    old = old_run_id(published)
    reader = Reader(published)
    reader.start()
    proc = fault_env.start()
    try:
        proc.wait(timeout=600)
    finally:
        if proc.poll() is None:
            kill_group(proc)
    time.sleep(0.5)  # a few reads of the new publication
    reader.finish()
    out = read_log(proc)
    assert proc.returncode == 0, out[-5000:]
    new = old_run_id(published)
    assert reader.errors == [], reader.errors[:5]
    assert reader.held_run_ids == {old}  # the held connection kept the file it opened
    assert set(reader.parquet_run_ids) == {
        old,
        new,
    }  # Parquet: the old version, then the new, whole each time
    first_new = reader.parquet_run_ids.index(new)
    assert set(reader.parquet_run_ids[first_new:]) == {new}


@pytest.fixture(scope="module")
def odd_dir_run(baseline, tmp_path_factory) -> tuple[FaultEnv, object]:
    """One run in a copy of the baseline whose data folder's path holds a quote and a space, its modes first made
    as a deployment from before issue 10 left them: everything world-readable."""
    STATS["scenarios"] += 1
    env = copy_env(baseline, tmp_path_factory.mktemp("quoted") / "it's a data dir")
    for path in [env.data, *env.data.rglob("*")]:
        if not path.is_symlink():
            path.chmod(0o755 if path.is_dir() else 0o644)
    return env, env.run()


def test_a_data_folder_with_a_quote_and_a_space_runs_through(odd_dir_run):
    env, run = odd_dir_run
    assert "'" in str(env.data) and " " in str(env.data)
    assert run.code == 0, run.text[-5000:]
    publication_snapshot(env.published)
    reconcile(env.warehouse)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.lstat().st_mode)


def test_after_a_run_raw_data_is_owner_only_and_the_publication_group_readable(odd_dir_run):
    env, run = odd_dir_run
    assert run.code == 0, run.text[-5000:]
    wal = env.warehouse.with_name("warehouse.duckdb.wal")
    for path in [env.warehouse, *([wal] if wal.exists() else [])]:
        assert mode(path) & 0o077 == 0, f"{path} is {oct(mode(path))}"
    for folder in [env.landing, env.data / "dagster_home", env.data / "gx"]:
        assert mode(folder) == 0o700, f"{folder} is {oct(mode(folder))}"
    shared = [env.published, *(p for p in env.published.rglob("*") if not p.is_symlink())]
    wrong = {str(p): oct(mode(p)) for p in shared if p.name != ".publish.lock" and mode(p) & 0o047 != 0o040}
    assert wrong == {}, wrong  # the owner's group reads every published file, others nothing
