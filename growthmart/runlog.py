"""The per-run log file, and the mark that makes a step's log message a console progress line.

Every run keeps one log file, <data>/logs/<run_id>.log: dbt's node lines (the dbt asset writes them there instead
of the console), and, in a CLI run, every Dagster log line of the run with its tracebacks (orchestration/console.py).
The console shows one line per stage; a step's message logged with `extra=PROGRESS` is shown as it comes (the dbt
build's "120/439 nodes" every few seconds), every other message only in the log file.
"""

from __future__ import annotations

import logging
import os
import re
import time
from pathlib import Path

LOGS_DIR = "logs"
PROGRESS_ATTR = "growthmart_progress"
PROGRESS = {PROGRESS_ATTR: True}  # context.log.info(message, extra=PROGRESS)
ANSI_ESCAPE = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
# Run logs untouched for this many days are removed when a run starts its own (a nightly run writes a few MB a day).
RUN_LOG_DAYS_VAR, DEFAULT_RUN_LOG_DAYS = "GROWTHMART_RUN_LOG_DAYS", 90
# A run with this tag has a console that shows its stages (the CLI): dbt's node lines go to the run log only.
# Without it (a run from the UI, a schedule) they also go to stdout, i.e. the step's captured log in the UI.
CONSOLE_TAG, STAGES_CONSOLE = "growthmart/console", "stages"


def logs_dir(data_dir: Path | str) -> Path:
    return Path(data_dir) / LOGS_DIR


def run_log_path(data_dir: Path | str, run_id: str) -> Path:
    """The run's log file: <data>/logs/<run_id>.log (owner-only, like the rest of the data directory)."""
    return logs_dir(data_dir) / f"{run_id}.log"


def create_run_log(path: Path) -> Path:
    """The run log, created owner-only (its folder 0700, the file 0600) before anything writes to it: it quotes
    rejected values as the Dagster event log does. The first time a run creates it, older logs are pruned."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.parent.chmod(0o700)
    if not path.exists():
        prune_run_logs(path.parent, keep=path)
    path.touch(mode=0o600)
    path.chmod(0o600)
    return path


def run_log_days() -> int:
    value = os.environ.get(RUN_LOG_DAYS_VAR, str(DEFAULT_RUN_LOG_DAYS))
    if not value.isdigit() or int(value) < 1:
        raise ValueError(f"{RUN_LOG_DAYS_VAR}={value!r}: a whole number of days, at least 1")
    return int(value)


def prune_run_logs(folder: Path, keep: Path | None = None) -> list[Path]:
    """Remove the run logs in `folder` not written for GROWTHMART_RUN_LOG_DAYS days (a running run's log is written
    to, so it is never that old); returns what it removed."""
    cutoff = time.time() - run_log_days() * 86400
    removed = []
    for log in folder.glob("*.log"):
        try:
            if log != keep and log.is_file() and not log.is_symlink() and log.stat().st_mtime < cutoff:
                log.unlink()
                removed.append(log)
        except FileNotFoundError:  # another run pruned it first
            continue
    return removed


def is_progress(record: logging.LogRecord) -> bool:
    return bool(getattr(record, PROGRESS_ATTR, False))


def strip_ansi(text: str) -> str:
    return ANSI_ESCAPE.sub("", text)
