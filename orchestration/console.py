"""The CLI's console: one line per stage of a run (counts and elapsed time), progress for the long ones, and the
run's full log in a file.

Dagster's own console logger prints every step's messages (and dagster-dbt every dbt node) to the terminal: ~330
lines for the demo. A CLI run replaces it with `run_logger`: every Dagster log line, tracebacks included, goes to
the run's log file (growthmart/runlog.py, where the dbt asset also writes dbt's node lines); the console gets

- a line when a stage ends: which stage (STAGES), what it did (rows loaded, checks passed/failed/warned, the
  step's own closing message) and how long it took;
- the progress lines steps mark with `extra=PROGRESS` (the dbt build's "120/439 nodes, 34 s");
- warnings and errors, their first line (the rest is in the log file);
- a "still <stage>" line when nothing was said for HEARTBEAT_SECONDS, then after twice as long, ... (Dagster
  planning a run writes a few hundred events before the first step starts; a large ingest takes minutes).

Nothing here uses colour: the console is often a pipe or a file (cron, CI, `| tee`).
"""

from __future__ import annotations

import logging
import re
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

import dagster as dg

from growthmart.runlog import create_run_log, is_progress, strip_ansi

HEARTBEAT_SECONDS = 20.0
# The stages of a run, by step key, in the order they run: (pattern, name). One declaration, read by the console.
STAGES = (
    (re.compile(r"landing__"), "pull"),
    (re.compile(r"raw__"), "ingest"),
    (re.compile(r"raw_\w+_checks$"), "raw checks"),
    (re.compile(r"nlp__"), "sentiment"),
    (re.compile(r"growthmart_dbt$"), "dbt build"),
    (re.compile(r"report_checks$"), "report checks"),
    (re.compile(r"published__growthmart_bi$"), "publish"),
    (re.compile(r"published__data_docs$"), "data docs"),
    (re.compile(r"published__growthmart_pg$"), "PostgreSQL"),
    (re.compile(r"published__html_reports$"), "HTML reports"),
    (re.compile(r"published__alerts$"), "alerts"),
)
# Messages that are known noise on the console (still in the run's log file): dagster-dbt's note that a singular
# dbt test with several parents is recorded as an observation rather than a check.
# Dagster's "Dependencies for step ... failed ... Not executing." per skipped step (the summary lists them once).
QUIET = (
    re.compile(r"^Logging an `AssetObservation` instead of an `AssetCheckResult`"),
    re.compile(r"^Dependencies for step \S+ (failed|were not executed)"),
)


def stage_of(step_key: str | None) -> str:
    for pattern, name in STAGES:
        if step_key and pattern.match(step_key):
            return name
    return step_key or "run"


@dataclass
class Stage:
    name: str
    started: float
    steps: set[str] = field(default_factory=set)
    failed_steps: list[str] = field(default_factory=list)
    rows: dict[str, int] = field(default_factory=dict)
    checks: dict[str, int] = field(default_factory=lambda: {"passed": 0, "failed": 0, "warned": 0})
    last_message: str = ""  # the stage's last INFO message, or its last progress line when it has any
    last_progress: str = ""
    current_step: str = ""


class Console:
    """Writes the run's console lines ("[  61s] ingest  ...") to `out`, one at a time from any thread."""

    def __init__(self, out: TextIO | None = None, clock=time.monotonic, started: float | None = None):
        self.out = out or sys.stdout  # kept: the dbt step redirects sys.stdout to its log sink meanwhile
        self._clock = clock
        self.started = clock() if started is None else started
        self._last_said = self.started
        self._lock = threading.Lock()
        self.stage: Stage | None = None
        self.waiting_for = "planning the run (Dagster records its planned steps and checks)"
        self._stop = threading.Event()
        self._ticker: threading.Thread | None = None

    def elapsed(self) -> float:
        return self._clock() - self.started

    def say(self, line: str, stamped: bool = True) -> None:
        text = f"[{self.elapsed():5.0f}s] {line}" if stamped else line
        with self._lock:
            self.out.write(strip_ansi(text) + "\n")
            self.out.flush()
            self._last_said = self._clock()

    # -- the stages -------------------------------------------------------------------------------------------
    def step_started(self, step_key: str) -> None:
        name = stage_of(step_key)
        if self.stage is None or self.stage.name != name:
            self.end_stage()
            self.stage = Stage(name, self._clock())
        self.stage.steps.add(step_key)
        self.stage.current_step = step_key

    def end_stage(self) -> None:
        stage, self.stage = self.stage, None
        if stage is None:
            return
        seconds = self._clock() - stage.started
        self.say(f"{stage.name:<14}{describe(stage)} ({seconds:.0f} s)")

    def on_record(self, record: logging.LogRecord) -> None:
        meta = getattr(record, "dagster_meta", None) or {}
        event: dg.DagsterEvent | None = meta.get("dagster_event")
        step = meta.get("step_key")
        message = meta.get("orig_message") or record.getMessage()
        if event is not None:
            self._on_event(event, step)
            return
        name = stage_of(step)
        # "dbt build: 120/439 nodes" in the stage "dbt build" says "120/439 nodes"
        line = first_line(message).removeprefix(f"{name}: ")
        if self.stage is not None and step in self.stage.steps and record.levelno == logging.INFO:
            self.stage.last_message = line
            if is_progress(record):
                self.stage.last_progress = line
        if is_progress(record):
            self.say(f"{name:<14}{line}")
        elif record.levelno >= logging.WARNING and not any(p.match(message) for p in QUIET):
            where = f" in {step}" if step else ""
            self.say(f"{logging.getLevelName(record.levelno).lower()}{where}: {first_line(message)}")

    def _on_event(self, event: dg.DagsterEvent, step: str | None) -> None:
        kind = event.event_type_value
        if kind == "STEP_START" and step:
            self.step_started(step)
            return
        stage = self.stage
        if stage is None or step not in stage.steps:
            return
        if kind == "STEP_FAILURE":
            stage.failed_steps.append(step)
        elif kind == "ASSET_MATERIALIZATION":
            metadata = event.event_specific_data.materialization.metadata
            for key in ("rows_landed", "rows_loaded", "rows_quarantined"):
                if key in metadata:
                    stage.rows[key] = stage.rows.get(key, 0) + int(metadata[key].value)
        elif kind == "ASSET_CHECK_EVALUATION":
            evaluation = event.event_specific_data
            outcome = (
                "passed"
                if evaluation.passed
                else ("failed" if evaluation.severity == dg.AssetCheckSeverity.ERROR else "warned")
            )
            stage.checks[outcome] += 1

    # -- "still ..." while nothing is said ----------------------------------------------------------------------
    def start_heartbeat(self, every: float = HEARTBEAT_SECONDS) -> None:
        """After `every` seconds without a line, say what is running; the wait doubles after each such line of
        the same stage (20, 40, 80 s ...), so a long stage adds a few lines, not one per 20 s."""

        self._last_said = self._clock()  # the CLI's own lines before (the demo's generation) count as said

        def tick() -> None:
            stage, quiet = self.stage, every
            while not self._stop.wait(1.0):
                if self.stage is not stage:
                    stage, quiet = self.stage, every
                if self._clock() - self._last_said < quiet:
                    continue
                quiet *= 2
                if stage is None:
                    self.say(f"still {self.waiting_for}")
                else:
                    self.say(f"{stage.name:<14}still running {stage.current_step} (step {len(stage.steps)})")

        self._ticker = threading.Thread(target=tick, name="growthmart-console", daemon=True)
        self._ticker.start()

    def stop_heartbeat(self) -> None:
        self._stop.set()
        if self._ticker is not None:
            self._ticker.join(timeout=5)


def first_line(message: str, most: int = 300) -> str:
    line = message.strip().splitlines()[0] if message.strip() else ""
    return line if len(line) <= most else line[: most - 1] + "…"


def describe(stage: Stage) -> str:
    """What a stage did: rows loaded, checks' outcomes, or its step's closing message; FAILED steps first."""
    parts = []
    if stage.failed_steps:
        parts.append(
            f"FAILED: {', '.join(stage.failed_steps[:3])}{' ...' if len(stage.failed_steps) > 3 else ''}"
        )
    if stage.rows:
        parts.append(
            f"{len(stage.steps)} sources: {stage.rows.get('rows_landed', 0)} rows landed, "
            f"{stage.rows.get('rows_loaded', 0)} loaded, {stage.rows.get('rows_quarantined', 0)} quarantined"
        )
    # a failed step's last message is often its tool's ("Finished dbt command ..."): its last progress line says more
    said = (stage.last_progress if stage.failed_steps else "") or stage.last_message
    checks, c = sum(stage.checks.values()), stage.checks
    steps = f"{len(stage.steps)} step{'s' if len(stage.steps) != 1 else ''}"
    # the checks' outcomes, unless one step says what it did itself (the dbt build's "Done. PASS=...")
    if checks and not stage.rows and (len(stage.steps) > 1 or c["failed"] or c["warned"] or not said):
        parts.append(
            f"{checks} checks on {steps}: {c['passed']} passed, {c['failed']} failed, {c['warned']} warned"
        )
    if said and not stage.rows and len(stage.steps) == 1:
        parts.insert(0 if not stage.failed_steps else 1, first_line(said, 160))
    return "; ".join(parts) or steps


class _RecordHandler(logging.Handler):
    def __init__(self, console: Console):
        super().__init__(logging.DEBUG)
        self.console = console

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.console.on_record(record)
        except Exception:  # noqa: BLE001 — the console must never fail a run
            self.handleError(record)


def run_logger(
    console: Console, log_path: Path, level: str = "INFO"
) -> tuple[dg.LoggerDefinition, logging.Logger]:
    """The Dagster logger of a CLI run: every line at `level` and above (events' tracebacks included) to the run's
    log file, in Dagster's console format; stages, progress and warnings to `console`. Returns the definition and
    the logger (close_logger closes its file when the run is over)."""
    logger = logging.Logger("growthmart.run", logging.DEBUG)
    to_file = logging.FileHandler(create_run_log(log_path), encoding="utf-8")
    to_file.setLevel(logging.getLevelName(level.upper()))
    to_file.setFormatter(
        logging.Formatter("%(asctime)s - dagster - %(levelname)s - %(message)s", "%Y-%m-%d %H:%M:%S %z")
    )
    logger.addHandler(to_file)
    logger.addHandler(_RecordHandler(console))
    definition = dg.LoggerDefinition(
        lambda _init_context: logger, description="growthmart's CLI: the run's log file and its console lines"
    )
    return definition, logger


def close_logger(logger: logging.Logger) -> None:
    for handler in list(logger.handlers):
        handler.close()
        logger.removeHandler(handler)
