"""A full disk during publication, through the real CLI (the kill during publish and the BI reader holding the
publication open are steps of the night of faults in test_kill_and_concurrency.py).

What a trusted publication promises (growthmart/publish.py): a publish that fails leaves the previous publication
byte-identical and readable, takes its own files away, says "No space left on device" and the path in the run
summary, and leaves nothing that would block the next run.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from harness import (
    LAST_DAY,
    FaultEnv,
    Reader,
    debris,
    digest,
    publication_snapshot,
    summary_errors,
)

from growthmart.runlock import lock_path


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
    run = fault_env.run("--first", LAST_DAY, "--last", LAST_DAY)
    reader.finish()
    assert run.code != 0, run.text[-5000:]
    errors = summary_errors(run.out)
    assert "No space left on device" in errors and str(published) in errors, errors
    assert "Error occurred while executing op" not in errors
    assert reader.errors == []
    assert publication_snapshot(published) == before and digest(published) == before_digest
    assert debris(published) == []  # the failed publish took its files away itself
    # nothing blocks the next run: the writer lock is free (that the next run after a failed publish succeeds
    # and cleans up is step 6 of the night of faults)
    fd = os.open(lock_path(fault_env.data), os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    finally:
        os.close(fd)
