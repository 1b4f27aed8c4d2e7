"""The child guard (growthmart/child_guard.py): a program started through it dies with the process that started
it, kill -9 included, and otherwise behaves as the program itself."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from growthmart.child_guard import PARENT_PID_VAR, guard_env, guard_script, guarded
from growthmart.runlock import process_alive

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")

PARENT = """
import os, subprocess, sys, time
from growthmart.child_guard import guard_env
child = subprocess.Popen([sys.argv[1], "300"], env={**os.environ, **guard_env()})
print(child.pid, flush=True)
time.sleep(300)
"""


def test_a_guarded_child_dies_when_its_parent_is_killed(tmp_path):
    guard = guarded("sleep", tmp_path)
    parent = subprocess.Popen(
        [sys.executable, "-c", PARENT, guard],
        cwd=Path(__file__).resolve().parents[1],
        stdout=subprocess.PIPE,
        text=True,
    )
    child = int(parent.stdout.readline())

    def command() -> list[str]:
        return Path(f"/proc/{child}/cmdline").read_text().split("\0")[:2]

    deadline = time.monotonic() + 10
    while command() != [shutil.which("sleep"), "300"] and time.monotonic() < deadline:
        time.sleep(0.02)  # until the guard has exec'd the program
    assert command() == [shutil.which("sleep"), "300"]
    parent.send_signal(signal.SIGKILL)
    parent.wait()
    deadline = time.monotonic() + 5
    while process_alive(child) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not process_alive(child), "the guarded child outlived its killed parent"


def test_the_guard_passes_arguments_output_and_exit_code_through(tmp_path):
    guard = guarded("sh", tmp_path)
    proc = subprocess.run([guard, "-c", 'echo "$0 $1"; exit 7', "a b", "c"], capture_output=True, text=True)
    assert (proc.returncode, proc.stdout) == (7, "a b c\n")
    assert guarded("sh", tmp_path) == guard, "the guard is written once and reused"


def test_the_guard_does_not_start_the_program_once_its_parent_is_gone(tmp_path):
    marker = tmp_path / "ran"
    guard = guarded("touch", tmp_path)
    env = {
        **os.environ,
        PARENT_PID_VAR: "1",
    }  # not our parent: as if the parent had died before the guard ran
    proc = subprocess.run([guard, str(marker)], env=env, capture_output=True, text=True)
    assert proc.returncode != 0 and "is gone" in proc.stderr
    assert not marker.exists()


def test_paths_that_would_break_the_guard_are_refused():
    with pytest.raises(ValueError):
        guard_script('/opt/we"ird/dbt')
    assert "/opt/with space/dbt" in guard_script("/opt/with space/dbt")


def test_the_guard_runs_the_program_in_the_directory_it_is_given(tmp_path):
    guard = guarded("pwd", tmp_path)
    here = tmp_path / "it's a dir"
    here.mkdir()
    proc = subprocess.run(
        [guard], env={**os.environ, **guard_env(cwd=here)}, capture_output=True, text=True, check=True
    )
    assert proc.stdout.strip() == str(here)
    unmoved = subprocess.run([guard], cwd=tmp_path, capture_output=True, text=True, check=True)
    assert unmoved.stdout.strip() == str(tmp_path)
