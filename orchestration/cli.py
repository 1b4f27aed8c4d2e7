"""Command line entry points: `python -m orchestration.cli run [--demo]` materializes everything through Dagster."""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import sys
import threading
import time
import uuid
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path

from growthmart.config import settings

DAGSTER_YAML = Path(__file__).with_name("dagster.yaml")
# A range run plans each partitioned asset once, with the range as a partitions subset, instead of once per asset
# per day: 12 raw assets x 365 days = 4,380 events written one by one to the sqlite event log (~8-35 ms each,
# measured) before the first step starts. Dagster's documented opt-in (dagster PR #29288, issue #32242); its cost:
# if such a run fails, its partitions show as missing rather than failed in the UI (the run shows failed). Set it
# to "false" to get per-partition failure status back.
PLANNED_EVENTS_VAR = "DAGSTER_EMIT_PARTITION_SUBSET_IN_PLANNED_EVENTS"


def ensure_dagster_home(data_dir: Path) -> Path:
    """Use $DAGSTER_HOME (default <data>/dagster_home) with the project's dagster.yaml, so `make ui` sees runs."""
    home = Path(os.environ.get("DAGSTER_HOME") or data_dir / "dagster_home").resolve()
    home.mkdir(parents=True, exist_ok=True)
    if not (home / "dagster.yaml").exists():
        shutil.copy(DAGSTER_YAML, home / "dagster.yaml")
    os.environ["DAGSTER_HOME"] = str(home)
    return home


def landing_days(landing_dir: Path) -> list[str]:
    from growthmart.landing_watch import DAY_FOLDER

    days = {p.name for p in landing_dir.glob("*/*") if p.is_dir() and DAY_FOLDER.match(p.name)}
    return sorted(days)


def _interrupt(signum: int, _frame) -> None:
    raise KeyboardInterrupt(signal.Signals(signum).name)


@contextmanager
def sigterm_as_interrupt() -> Iterator[None]:
    """SIGTERM ends a run as Ctrl-C does (a clean failure: dbt stopped, the writer lock released), not abruptly.
    Inside the Dagster run, Dagster maps SIGTERM to its own interrupt handling the same way."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def run(args: argparse.Namespace) -> int:
    from growthmart.runlock import writer_lock

    cfg = settings()
    ensure_dagster_home(cfg.data_dir)
    run_id = str(uuid.uuid4())
    print(f"run {run_id} on {cfg.data_dir}", flush=True)
    try:
        # One writer per data directory, from before the first write (the demo's landing files) to the end.
        with (
            sigterm_as_interrupt(),
            writer_lock(cfg.data_dir, run_id, say=lambda line: print(line, flush=True)),
        ):
            return _run(args, cfg, run_id)
    except KeyboardInterrupt as exc:
        name = str(exc) or "SIGINT"
        print(f"run {run_id} stopped by {name}; the writer lock is released", file=sys.stderr, flush=True)
        return 130 if name == "SIGINT" else 143


def _run(args: argparse.Namespace, cfg, run_id: str) -> int:
    started = time.monotonic()  # once the writer lock is held
    from growthmart.runlog import CONSOLE_TAG, STAGES_CONSOLE, run_log_path
    from orchestration.console import Console, close_logger, run_logger

    console = Console(started=started)
    log_path = run_log_path(cfg.data_dir, run_id)
    demo_last_day = None
    if args.demo:
        from tools.demo.generator import DemoParams, generate

        params = DemoParams(
            start=date.fromisoformat(args.start), days=args.days, users=args.users, seed=args.seed
        )
        print(
            f"generating demo data: {params.days} days from {params.start}, ~{params.users} users, seed "
            f"{params.seed} → {cfg.landing_dir}",
            flush=True,
        )
        counts = generate(cfg.landing_dir, params)
        print("  " + ", ".join(f"{k}={v}" for k, v in sorted(counts.items())), flush=True)
        demo_last_day = params.start + timedelta(days=params.days - 1)
        first, last = params.start.isoformat(), demo_last_day.isoformat()
    else:
        days = landing_days(cfg.landing_dir)
        if not days and not (args.first and args.last):  # with both, connectors may pull the days first
            print(f"no landing folders under {cfg.landing_dir}", file=sys.stderr)
            return 2
        first, last = args.first or days[0], args.last or days[-1]

    import dagster as dg

    # backfill_policy is "beta" in Dagster 1.13; the warning repeats once per raw asset and hides progress.
    warnings.filterwarnings("ignore", category=dg.BetaWarning)

    from assets.publish import (
        ALERTS_KEY,
        PG_PUBLISH_KEY,
        PUBLISH_KEY,
        REPORTS_KEY,
        deliver_unpublished_run,
    )
    from orchestration import run_summary
    from orchestration.definitions import build_definitions
    from orchestration.jobs import DAILY_PIPELINE_JOB

    # Dagster's console logger would print every step's messages and dagster-dbt every dbt node: the run logs to
    # its file instead, and the console gets a line per stage (orchestration/console.py).
    logger_def, logger = run_logger(console, log_path, args.log_level)
    job = build_definitions().resolve_job_def(DAILY_PIPELINE_JOB).with_logger_defs({"growthmart": logger_def})
    os.environ.setdefault(PLANNED_EVENTS_VAR, "true")
    print(f"run log (every step's messages, tracebacks, dbt's node lines): {log_path}", flush=True)
    print(f"materializing every asset through Dagster for partitions {first}..{last}", flush=True)
    console.start_heartbeat()
    try:
        with dg.DagsterInstance.get() as instance:
            result = job.execute_in_process(
                instance=instance,
                run_id=run_id,
                tags={
                    "dagster/asset_partition_range_start": first,
                    "dagster/asset_partition_range_end": last,
                    "growthmart/trigger": "cli",
                    CONSOLE_TAG: STAGES_CONSOLE,
                },
                run_config={"loggers": {"growthmart": {}}},
                raise_on_error=False,
            )
            console.end_stage()
            delivered = any(m.asset_key == ALERTS_KEY for m in result.get_asset_materialization_events())
            # A run that did not publish skipped the alerts asset: its data problems (why) still go out.
            unpublished = (
                None
                if delivered
                else deliver_unpublished_run(instance, run_id, result.dagster_run.tags, cfg.data_dir)
            )
    finally:
        console.stop_heartbeat()
        close_logger(logger)
    summary = run_summary.Summary(
        result,
        cfg.warehouse_path,
        cfg.published_dir,
        PUBLISH_KEY,
        REPORTS_KEY,
        ALERTS_KEY,
        unpublished,
        pg_key=PG_PUBLISH_KEY,
        log_path=log_path,
        demo_last_day=demo_last_day,
    )
    with log_path.open("a", encoding="utf-8") as log:
        log.write(summary.render(compact=False))
    print(summary.render(compact=True))
    print(f"finished in {time.monotonic() - started:.0f}s; dagster home {os.environ['DAGSTER_HOME']}")
    if not summary.succeeded:
        print(summary.failure_ending())
    return 0 if summary.succeeded else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="growthmart")
    sub = parser.add_subparsers(dest="command", required=True)
    p_run = sub.add_parser("run", help="materialize every asset (ingest → dbt → checks → publish)")
    p_run.add_argument("--demo", action="store_true", help="generate the built-in demo data first")
    p_run.add_argument("--start", default="2026-05-01", help="demo: first day")
    p_run.add_argument("--days", type=int, default=200, help="demo: number of days")
    p_run.add_argument("--users", type=int, default=6000, help="demo: approximate signups")
    p_run.add_argument("--seed", type=int, default=42, help="demo: random seed")
    p_run.add_argument("--first", help="without --demo: first partition (default: earliest landing day)")
    p_run.add_argument("--last", help="without --demo: last partition (default: latest landing day)")
    p_run.add_argument("--log-level", default="INFO", help="of the run's log file (<data>/logs/<run id>.log)")
    args = parser.parse_args(argv)
    if args.command == "run":
        return run(args)
    return 2


if __name__ == "__main__":
    raise SystemExit(main())
