"""Processes a run starts die with it, however the run dies (kill -9 included): no dbt writes on after its run.

A child is normally re-parented to init when its parent is killed, and goes on. Linux can instead signal the
child when its parent dies (`prctl(PR_SET_PDEATHSIG)`), but only the child can ask for that, and dagster-dbt
starts dbt itself. So dbt is started through a guard: a few lines of Python that ask for SIGKILL on the parent's
death, check that the parent is still the one that started them (it may have died before the request took
effect), and `exec` the real program, which keeps the request (same process).

`guarded(program)` writes the guard for a program once (a file named after the interpreter and program, beside
the dbt project's target folder) and returns its path; it is passed to dagster-dbt as `dbt_executable`.
`guard_env()` is the environment the starting process passes: its own pid, the parent the guard expects.

The parent-death signal is sent when the *thread* that started the child ends: dagster-dbt starts dbt from the
step's thread, which in an in-process run lives as long as the run. Outside Linux the guard only execs the
program (no such signal there).
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import sys
import tempfile
from pathlib import Path

PARENT_PID_VAR = "GROWTHMART_GUARD_PARENT_PID"
CWD_VAR = "GROWTHMART_GUARD_CWD"  # the directory the program runs in (default: where the guard was started)

# A shell line that Python reads as a string expression: sh runs the interpreter on this file, Python skips it.
_GUARD = """#!/bin/sh
"exec" "{python}" "-S" "$0" "$@"
# Written by growthmart/child_guard.py: runs {program} so that it dies with the process that started it.
import ctypes
import os
import signal
import sys

PROGRAM = {program!r}
try:
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(1, int(signal.SIGKILL), 0, 0, 0) != 0:  # 1 = PR_SET_PDEATHSIG
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_PDEATHSIG) failed")
except (OSError, AttributeError):
    pass  # not Linux: no parent-death signal, run unguarded
parent = os.environ.get({var!r})
if parent and os.getppid() != int(parent):
    sys.exit(f"{{PROGRAM}} not started: the process that started it (pid {{parent}}) is gone")
if os.environ.get({cwd_var!r}):
    os.chdir(os.environ[{cwd_var!r}])
os.execv(PROGRAM, [PROGRAM, *sys.argv[1:]])
"""
_SHELL_SAFE = re.compile(r'^[^"$`\\\n]+$')


def guard_script(program: str, python: str = sys.executable) -> str:
    if not _SHELL_SAFE.match(python) or not _SHELL_SAFE.match(program):
        raise ValueError(
            f"cannot write a guard for {program!r} run by {python!r}: quote characters in a path"
        )
    return _GUARD.format(python=python, program=program, var=PARENT_PID_VAR, cwd_var=CWD_VAR)


def guarded(program: str, folder: Path) -> str:
    """The path of a guard for `program` (an absolute path or a name on PATH) in `folder`, written if missing."""
    real = shutil.which(program)
    if real is None:
        raise FileNotFoundError(f"{program} not found")
    real = os.path.abspath(real)
    text = guard_script(real)
    digest = hashlib.sha256(text.encode()).hexdigest()[:10]
    path = folder / f".{Path(real).name}-guarded-{digest}"
    if not (path.exists() and os.access(path, os.X_OK) and path.read_text() == text):
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.")
        with os.fdopen(fd, "w") as handle:
            handle.write(text)
        os.chmod(tmp, 0o755)
        os.replace(tmp, path)  # atomic: a process running the guard never sees half a file
    return str(path)


def guard_env(cwd: Path | str | None = None) -> dict[str, str]:
    """Variables to pass to a guarded child: the pid the guard checks its parent against, and the directory to
    run the program in (the caller's process may not change its own: other threads depend on it)."""
    return {PARENT_PID_VAR: str(os.getpid()), **({CWD_VAR: str(cwd)} if cwd is not None else {})}
