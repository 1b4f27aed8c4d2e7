"""One writer per data directory: an OS file lock that a run holds from before its first write to its end.

DuckDB allows one writing process per file, and a run is only trustworthy if nothing else writes between its dbt
build, its checks and its publication. Every run therefore takes `<data>/.growthmart.writer.lock` with `flock`
before it writes anything (the CLI before it generates or loads data, a run the Dagster daemon launched when its
warehouse resource is set up) and keeps it until it ends. A second run waits, and says so: who holds the lock (pid,
run id, since when, written into the lock file) and how long it has waited.

The kernel drops a `flock` when the process holding it dies, however it dies (kill -9, out of memory), so a killed
run can never block the next one; nothing has to be cleaned up by hand. The lock file itself stays (deleting a lock
file others may have open would let two processes "hold" two different files).

Within one process the lock is re-entrant (the CLI holds it around the Dagster run, whose warehouse resource takes
it again). The file is opened close-on-exec, so processes the run starts (dbt) do not inherit it.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

LOCK_FILE = ".growthmart.writer.lock"
POLL_SECONDS = 0.2  # how often a waiting run tries again (each try is one non-blocking flock call)
REPORT_EVERY_SECONDS = 30.0  # how often a waiting run says it is still waiting


@dataclass(frozen=True)
class Holder:
    """Who holds (or last held) the lock, as written into the lock file."""

    pid: int
    run_id: str
    since: str  # ISO 8601, UTC
    host: str = ""
    command: str = ""

    def describe(self) -> str:
        alive = "" if process_alive(self.pid) else ", a process that is gone"
        return f"pid {self.pid}{alive} (run {self.run_id or '?'}, since {self.since}; {self.command})"


@dataclass
class Acquired:
    """What taking the lock cost: seconds waited, and whether this process already held it."""

    path: Path
    waited: float
    reentrant: bool


@dataclass
class _Held:
    fd: int
    depth: int
    pid: int


_held: dict[Path, _Held] = {}
_registry = threading.Lock()


def lock_path(data_dir: Path | str) -> Path:
    return Path(data_dir).expanduser().resolve() / LOCK_FILE


def read_holder(path: Path) -> Holder | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8") or "null")
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or "pid" not in data:
        return None
    return Holder(
        pid=int(data["pid"]),
        run_id=str(data.get("run_id") or ""),
        since=str(data.get("since") or ""),
        host=str(data.get("host") or ""),
        command=str(data.get("command") or ""),
    )


def _write_holder(fd: int, run_id: str) -> None:
    holder = {
        "pid": os.getpid(),
        "run_id": run_id,
        "since": datetime.now(UTC).isoformat(timespec="seconds"),
        "host": socket.gethostname(),
        "command": " ".join([Path(sys.argv[0]).name, *sys.argv[1:]])[:300],
    }
    data = (json.dumps(holder) + "\n").encode()
    os.ftruncate(fd, 0)
    os.pwrite(fd, data, 0)


@contextlib.contextmanager
def writer_lock(
    data_dir: Path | str,
    run_id: str,
    say: Callable[[str], object] = print,
    poll: float = POLL_SECONDS,
    report_every: float = REPORT_EVERY_SECONDS,
) -> Iterator[Acquired]:
    """Hold the data directory's writer lock for the duration of the block, waiting for it if another process
    holds it. While waiting, `say` is called at once and then every `report_every` seconds with who holds it.

    The wait polls with a non-blocking flock and sleeps in between, so SIGINT/SIGTERM end it at once (as
    KeyboardInterrupt, or as Dagster's interrupt error inside a run).
    """
    path = lock_path(data_dir)
    with _registry:
        held = _held.get(path)
        if held is not None and held.pid == os.getpid():
            held.depth += 1
            reentrant = True
        else:
            reentrant = False
    if reentrant:
        try:
            yield Acquired(path, 0.0, reentrant=True)
        finally:
            _release(path)
        return

    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)  # its owner's runs only
    started = time.monotonic()
    try:
        next_report = started
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                pass
            now = time.monotonic()
            if now >= next_report:
                holder = read_holder(path)
                who = holder.describe() if holder else "a process that has not said who it is yet"
                say(
                    f"waiting for the writer lock {path}: another run writes this data directory, held by {who}; "
                    f"waited {now - started:.0f}s (Ctrl-C / SIGTERM stops waiting)"
                )
                next_report = now + report_every
            time.sleep(poll)
        # Who holds it is for the waiters' messages only: a full disk must not fail the run here.
        with contextlib.suppress(OSError):
            _write_holder(fd, run_id)
    except BaseException:
        os.close(fd)
        raise
    waited = time.monotonic() - started
    with _registry:
        _held[path] = _Held(fd=fd, depth=1, pid=os.getpid())
    if waited >= poll:
        say(f"took the writer lock {path} after waiting {waited:.0f}s")
    try:
        yield Acquired(path, waited, reentrant=False)
    finally:
        _release(path)


def _release(path: Path) -> None:
    with _registry:
        held = _held[path]
        held.depth -= 1
        if held.depth > 0:
            return
        del _held[path]
    with contextlib.suppress(OSError):
        os.ftruncate(held.fd, 0)  # an empty file: nobody holds it
    fcntl.flock(held.fd, fcntl.LOCK_UN)
    os.close(held.fd)


# -- is a process still there? ---------------------------------------------------------------------------------


def _proc_stat(pid: int) -> tuple[str, int] | None:
    """(state, start time in clock ticks since boot) from /proc/<pid>/stat, or None if there is no such process."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return None
    fields = stat[stat.rindex(")") + 2 :].split()  # the command name may contain spaces and parentheses
    return fields[0], int(fields[19])


def _boot_time() -> float:
    for line in Path("/proc/stat").read_text().splitlines():
        if line.startswith("btime "):
            return float(line.split()[1])
    raise OSError("no btime in /proc/stat")


def process_alive(pid: int, started_by: float | None = None) -> bool:
    """Whether process `pid` is running (a zombie is not). With `started_by` (epoch seconds), only a process that
    had started by then counts: a pid the kernel has since given to another process is not the one we mean."""
    if pid <= 0:
        return False
    if Path("/proc/self/stat").exists():
        try:
            stat = _proc_stat(pid)
        except (OSError, ValueError, IndexError):
            stat = ("R", 0)  # unreadable: assume it is there
        if stat is None or stat[0] in ("Z", "X"):
            return False
        if started_by is not None and stat[1]:
            with contextlib.suppress(OSError, ValueError):
                created = _boot_time() + stat[1] / os.sysconf("SC_CLK_TCK")
                # btime is whole seconds: allow for its rounding
                return created <= started_by + 2.0
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
