"""The per-run log file, and the mark that makes a step's log message a console progress line.

Every run keeps one log file, <data>/logs/<run_id>.log: dbt's node lines (the dbt asset writes them there instead
of the console), and, in a CLI run, every Dagster log line of the run with its tracebacks (orchestration/console.py).
The console shows one line per stage; a step's message logged with `extra=PROGRESS` is shown as it comes (the dbt
build's "120/439 nodes" every few seconds), every other message only in the log file.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

LOGS_DIR = "logs"
PROGRESS_ATTR = "growthmart_progress"
PROGRESS = {PROGRESS_ATTR: True}  # context.log.info(message, extra=PROGRESS)
ANSI_ESCAPE = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
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
    rejected values as the Dagster event log does."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.parent.chmod(0o700)
    path.touch(mode=0o600)
    path.chmod(0o600)
    return path


def is_progress(record: logging.LogRecord) -> bool:
    return bool(getattr(record, PROGRESS_ATTR, False))


def strip_ansi(text: str) -> str:
    return ANSI_ESCAPE.sub("", text)
