"""Run a command in a child process and measure it: wall time, CPU, peak RSS, an RSS timeline.

Two memory figures, because they answer different questions:
- `max_rss_single_mb`: `ru_maxrss` from `os.wait4` — the largest resident set any single process of the
  child's tree reached (the kernel's exact high-water mark, but not a sum over processes);
- `peak_tree_rss_mb`: the child's whole process tree (it and every descendant, e.g. Dagster and the dbt
  process it starts) summed, sampled from /proc every `interval` seconds — what the box must hold at once.
The sampler also enforces an optional memory cap: above it the whole process group is killed and the
result says so (`out_of_memory`).
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

PAGE = os.sysconf("SC_PAGE_SIZE")
MB = 2**20


def _children() -> dict[int, list[int]]:
    kids: dict[int, list[int]] = defaultdict(list)
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as f:
                stat = f.read()
        except OSError:
            continue
        ppid = int(stat[stat.rindex(b")") + 2 :].split()[1])
        kids[ppid].append(int(name))
    return kids


def tree_rss_bytes(root: int) -> int:
    """Resident memory of `root` and all its descendants, summed (0 once the tree is gone)."""
    kids, total, stack = _children(), 0, [root]
    while stack:
        pid = stack.pop()
        try:
            with open(f"/proc/{pid}/statm") as f:
                total += int(f.read().split()[1]) * PAGE
        except (OSError, IndexError, ValueError):
            pass
        stack.extend(kids.get(pid, ()))
    return total


@dataclass
class Measured:
    command: list[str]
    returncode: int
    wall_s: float
    started_at: float  # epoch seconds (same clock as Dagster's event log timestamps)
    ended_at: float
    user_s: float
    sys_s: float
    max_rss_single_mb: float
    peak_tree_rss_mb: float
    out_of_memory: bool = False
    samples: list[tuple[float, float]] = field(default_factory=list, repr=False)  # (epoch s, tree RSS MB)
    log: Path | None = None

    @property
    def ok(self) -> bool:
        return self.returncode == 0 and not self.out_of_memory

    @property
    def peak_rss_mb(self) -> float:
        """The run's peak: the sampled tree sum, or the exact single-process high-water mark if larger."""
        return max(self.peak_tree_rss_mb, self.max_rss_single_mb)

    def peak_between(self, windows: list[tuple[float, float]]) -> float | None:
        """Peak sampled tree RSS inside any of the (start, end) windows; for a window shorter than the
        sampling interval, the samples just around it."""
        if not self.samples or not windows:
            return None
        peak = None
        for start, end in windows:
            inside = [mb for t, mb in self.samples if start <= t <= end]
            if not inside:
                before = [mb for t, mb in self.samples if t < start][-1:]
                after = [mb for t, mb in self.samples if t > end][:1]
                inside = before + after
            if inside:
                peak = max(peak or 0.0, max(inside))
        return peak

    def tail(self, lines: int = 30) -> str:
        if not self.log or not self.log.exists():
            return ""
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])


def run_measured(
    command: list[str],
    *,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
    log: Path | None = None,
    memory_cap_mb: float | None = None,
    interval: float = 0.25,
) -> Measured:
    """Run `command` to completion in its own process group; stdout and stderr go to `log`."""
    if log:
        log.parent.mkdir(parents=True, exist_ok=True)
    out = open(log, "w") if log else subprocess.DEVNULL  # noqa: SIM115 - closed below
    started_at, began = time.time(), time.perf_counter()
    proc = subprocess.Popen(
        command, env=env, cwd=cwd, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
    )
    samples: list[tuple[float, float]] = []
    stop = threading.Event()
    killed = threading.Event()
    lock = threading.Lock()
    exited = False  # set before the child is reaped, so its pid (= group id) is never signalled after

    def sample() -> None:
        while not stop.is_set():
            mb = tree_rss_bytes(proc.pid) / MB
            if mb:
                samples.append((time.time(), mb))
            if memory_cap_mb and mb > memory_cap_mb and not killed.is_set():
                with lock:
                    if not exited:
                        killed.set()
                        with contextlib.suppress(ProcessLookupError):
                            os.killpg(proc.pid, signal.SIGKILL)
            stop.wait(interval)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    os.waitid(os.P_PID, proc.pid, os.WEXITED | os.WNOWAIT)  # exited, not yet reaped
    with lock:
        exited = True
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - began
    ended_at = time.time()
    stop.set()
    sampler.join()
    proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here, so Popen must not wait again
    if log:
        out.close()
    return Measured(
        command=[str(c) for c in command],
        returncode=proc.returncode,
        wall_s=wall,
        started_at=started_at,
        ended_at=ended_at,
        user_s=usage.ru_utime,
        sys_s=usage.ru_stime,
        max_rss_single_mb=usage.ru_maxrss / 1024,  # Linux reports KiB
        peak_tree_rss_mb=max((mb for _, mb in samples), default=0.0),
        out_of_memory=killed.is_set() or proc.returncode in (-signal.SIGKILL, 137),
        samples=samples,
        log=log,
    )
