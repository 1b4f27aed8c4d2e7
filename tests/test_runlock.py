"""The writer lock (growthmart/runlock.py): one writer per data directory, waiting said out loud, interruptible,
released by the kernel when its holder dies, never inherited by the processes a run starts."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from growthmart.runlock import lock_path, process_alive, read_holder, writer_lock

ROOT = Path(__file__).resolve().parents[1]
# SIGINT as a person's Ctrl-C delivers it: a background job's children inherit SIGINT ignored (then Python installs
# no KeyboardInterrupt handler), which is not what this test is about.
HOLD = """
import signal, sys, time
signal.signal(signal.SIGINT, signal.default_int_handler)
from growthmart.runlock import writer_lock
with writer_lock(sys.argv[1], sys.argv[2], say=lambda line: print(line, flush=True), report_every=0.5):
    print("HELD", time.time(), flush=True)
    time.sleep(float(sys.argv[3]))
print("RELEASED", time.time(), flush=True)
"""


def hold(data: Path, run_id: str, seconds: float) -> subprocess.Popen:
    """A process that takes the lock (waiting if need be), holds it `seconds`, and reports on stdout."""
    return subprocess.Popen(
        [sys.executable, "-c", HOLD, str(data), run_id, str(seconds)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def wait_line(proc: subprocess.Popen, prefix: str, timeout: float = 30) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if line.startswith(prefix):
            return line
        if not line and proc.poll() is not None:
            break
    raise AssertionError(f"no line starting {prefix!r}")


def test_a_second_run_waits_names_the_holder_and_gets_the_lock_when_it_is_released(tmp_path):
    first = hold(tmp_path, "run-a", 2)
    try:
        wait_line(first, "HELD")
        holder = read_holder(lock_path(tmp_path))
        assert (holder.pid, holder.run_id) == (first.pid, "run-a")
        second = hold(tmp_path, "run-b", 0)
        waiting = wait_line(second, "waiting for the writer lock")
        assert f"pid {first.pid} (run run-a, since" in waiting
        released = float(wait_line(first, "RELEASED").split()[1])
        assert "took the writer lock" in wait_line(second, "took the writer lock")
        held = float(wait_line(second, "HELD").split()[1])
        assert held >= released
        second.wait(timeout=30)
    finally:
        first.kill()
    assert first.wait() == 0 and second.returncode == 0
    assert lock_path(tmp_path).read_text() == "", "a released lock names no holder"


def test_a_killed_holder_cannot_block_the_next_run(tmp_path):
    holder = hold(tmp_path, "killed", 300)
    wait_line(holder, "HELD")
    holder.send_signal(signal.SIGKILL)
    holder.wait()
    started = time.monotonic()
    with writer_lock(tmp_path, "next", say=pytest.fail) as acquired:
        assert not acquired.reentrant
    assert time.monotonic() - started < 1


def test_waiting_ends_at_once_on_an_interrupt(tmp_path):
    holder = hold(tmp_path, "holder", 300)
    try:
        wait_line(holder, "HELD")
        waiter = hold(tmp_path, "waiter", 0)
        wait_line(waiter, "waiting for the writer lock")
        waiter.send_signal(signal.SIGINT)
        waiter.wait(timeout=5)
        assert waiter.returncode != 0
        assert "KeyboardInterrupt" in waiter.stdout.read()
    finally:
        holder.kill()
        holder.wait()


def test_the_cli_stops_waiting_on_sigterm(tmp_path):
    data = tmp_path / "data"
    holder = hold(data, "holder", 300)
    try:
        wait_line(holder, "HELD")
        env = dict(os.environ, GROWTHMART_DATA_DIR=str(data), DAGSTER_HOME=str(data / "dagster_home"))
        cli = subprocess.Popen(
            [sys.executable, "-m", "orchestration.cli", "run"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        wait_line(cli, "waiting for the writer lock")
        cli.send_signal(signal.SIGTERM)
        assert cli.wait(timeout=10) == 143
        assert "stopped by SIGTERM; the writer lock is released" in cli.stdout.read()
    finally:
        holder.kill()
        holder.wait()


def test_the_lock_is_reentrant_in_one_process_and_records_its_holder(tmp_path):
    with writer_lock(tmp_path, "outer", say=pytest.fail) as outer:
        assert not outer.reentrant
        with writer_lock(tmp_path, "inner", say=pytest.fail) as inner:
            assert inner.reentrant
        data = json.loads(lock_path(tmp_path).read_text())
        assert data["pid"] == os.getpid() and data["run_id"] == "outer"
    assert lock_path(tmp_path).read_text() == ""
    with writer_lock(tmp_path, "again", say=pytest.fail) as again:  # released by the outer block only
        assert not again.reentrant


def test_processes_started_while_holding_the_lock_do_not_inherit_it(tmp_path):
    with writer_lock(tmp_path, "parent", say=pytest.fail):
        child = subprocess.Popen(["sleep", "60"], close_fds=False)
    try:
        waiter = hold(tmp_path, "next", 0)
        wait_line(waiter, "HELD", timeout=10)  # at once: the sleeping child holds nothing
        assert waiter.wait(timeout=10) == 0
    finally:
        child.kill()
        child.wait()


def test_process_alive_knows_dead_zombie_and_reused_pids():
    assert process_alive(os.getpid())
    assert process_alive(os.getpid(), started_by=time.time())
    # A pid that now belongs to a process started after the run began is not the run's process.
    assert not process_alive(os.getpid(), started_by=0)
    zombie = subprocess.Popen(["true"])
    deadline = time.monotonic() + 5
    while process_alive(zombie.pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not process_alive(zombie.pid), "a zombie is not alive"
    zombie.wait()
    assert not process_alive(zombie.pid)
    assert not process_alive(0) and not process_alive(-1)
