"""The dbt project (staging → intermediate → marts → reports) as Dagster assets, from a prepared manifest.

The manifest is produced once at setup (`make manifest` runs `dbt parse`); loading these definitions never
parses the project. dbt tests become Dagster asset checks; a failing ERROR test fails the dbt step, which
keeps everything downstream of it (publishing included) from running.
"""

import io
import logging
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager, redirect_stdout
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any, TextIO

import dagster as dg
import duckdb
from dagster_dbt import (
    DagsterDbtCliRuntimeError,
    DagsterDbtTranslator,
    DagsterDbtTranslatorSettings,
    DbtCliResource,
    DbtProject,
    dbt_assets,
)

from assets.resources import WarehouseResource, is_out_of_memory
from assets.transform.interrupts import raising_interrupts
from growthmart.child_guard import guard_env
from growthmart.config import SPARK_DIR, dbt_profile_env, spark_dbt_env
from growthmart.ingest.dialect import dialect_of, table_exists
from growthmart.runlog import CONSOLE_TAG, PROGRESS, STAGES_CONSOLE, create_run_log, run_log_path, strip_ansi

DBT_PROJECT_DIR = Path(__file__).resolve().parents[2] / "dbt_project"
# The parse state `make manifest` keeps for the runs (orchestration/dbt_manifest.py): valid for every data
# directory, since the profile renders the same for all of them (growthmart.config.dbt_profile_env). A copy of
# dbt's own target/partial_parse.msgpack, which SQLFluff's dbt templater (the lint profile) overwrites.
SETUP_PARSE_STATE = DBT_PROJECT_DIR / "target" / "runs_partial_parse.msgpack"
PARSE_STATE_NAME = "partial_parse.msgpack"


def dbt_target_path(data_dir: Path | str, engine: str = "duckdb") -> Path:
    """dbt's target folder of a data directory's runs (compiled SQL, run_results.json, parse state): one
    stable folder per data directory, whose runs are one at a time (the writer lock). Runs on two data
    directories at once (a test suite, the benchmark beside a nightly) never share one. Spark's runs keep theirs
    beside Spark's warehouse: their parse state is dbt-spark's (another adapter's macros), not the setup's."""
    if engine == "spark":
        return Path(data_dir) / SPARK_DIR / "dbt_target"
    return Path(data_dir) / "dbt_target"


def prepare_target(target: Path) -> None:
    """Give a data directory's dbt the setup's parse state when it has none or an older one (the project changed
    and `make manifest` parsed it again), so a run never parses the whole project; a newer state of its own (dbt
    rewrites it after a partial parse) is kept."""
    if not SETUP_PARSE_STATE.exists():
        return
    target.mkdir(parents=True, exist_ok=True)
    mine = target / PARSE_STATE_NAME
    if not mine.exists() or mine.stat().st_mtime < SETUP_PARSE_STATE.stat().st_mtime:
        tmp = mine.with_name(f".{mine.name}.tmp")
        shutil.copyfile(SETUP_PARSE_STATE, tmp)
        os.replace(tmp, mine)


class GrowthmartDbtTranslator(DagsterDbtTranslator):
    """Groups dbt models by layer folder (staging, intermediate, marts, reports); sources stay ["raw", x]."""

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        resource_type = dbt_resource_props["resource_type"]
        if resource_type == "model":
            fqn = dbt_resource_props["fqn"]
            return fqn[1] if len(fqn) > 2 else "models"
        if resource_type == "seed":
            return "seeds"
        return super().get_group_name(dbt_resource_props)


@cache
def dbt_project() -> DbtProject:
    return DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)


def manifest_path() -> Path:
    path = dbt_project().manifest_path
    if not path.exists():
        raise FileNotFoundError(f"dbt manifest not found at {path}: run `make manifest` (dbt parse) first")
    return path


class DbtBuildConfig(dg.Config):
    """Run-time switches of the dbt build."""

    full_refresh: bool = False  # rebuild incremental models from all of raw


def run_window(tags: Mapping[str, str]) -> list[str]:
    """The reporting-timezone days a run covers, from its partition tags (a day or a backfill range)."""
    if "dagster/asset_partition_range_start" in tags:
        return [tags["dagster/asset_partition_range_start"], tags["dagster/asset_partition_range_end"]]
    if "dagster/partition" in tags:
        return [tags["dagster/partition"]]
    return []


# The one-row table the dbt project reads its partition window from (var run_window_relation in
# dbt_project.yml, macro partition_window). Passing the window as --vars would change dbt's parse inputs on every
# run and make it re-parse the whole project (~3 s, measured); a table read at execution time keeps the manifest
# and partial-parse state prepared at setup valid.
RUN_WINDOW_TABLE = "meta.dbt_run_window"


def build_args(full_refresh: bool = False, engine: str = "duckdb") -> list[str]:
    """`dbt build` arguments: the same on every run, so dbt never has to re-parse the project; on Spark the
    profile's `spark` output.

    dbt unit tests are left out: they test the models' logic on fixed rows, not the night's data, so they belong to
    CI (tests/test_pipeline_integration.py runs them all), as dbt recommends; in a run they cost ~5 s each time.
    """
    args = ["build", "--exclude-resource-type", "unit_test"]
    if engine == "spark":
        args += ["--target", "spark"]
    return [*args, "--full-refresh"] if full_refresh else args


def window_bounds(
    partition_keys: list[str], full_refresh: bool = False, loaded_days: Sequence[str] = ()
) -> tuple[str, str] | None:
    """(partition_start, partition_end) of a run over `partition_keys` (reporting-timezone days), or None.

    Incremental models re-process raw rows landed on or after partition_start − incremental_lookback_days (no
    upper bound: a re-run of an old day must not let an older version win, see DECISIONLOG). The start is the
    earliest of the run's days and `loaded_days` (days loaded since the last publication: a late or restated
    landing day this run, or an earlier run that failed before publishing, loaded), so their rows are recounted.
    No keys (or a full refresh) means no window: everything.
    """
    if not partition_keys or full_refresh:
        return None
    return min([*partition_keys, *loaded_days]), max(partition_keys)


def days_loaded_since_publication(warehouse: WarehouseResource, instance: dg.DagsterInstance) -> list[str]:
    """Landing days (re)loaded into raw since the last publication (every loaded day if none): dbt has not
    published them yet. Read from raw.load_log (`loaded_at`, naive UTC) and the publish asset's last
    materialization."""
    from assets.publish import PUBLISH_KEY  # the publish asset depends on this module

    event = instance.get_latest_materialization_event(PUBLISH_KEY)
    since = datetime.fromtimestamp(event.timestamp, UTC).replace(tzinfo=None) if event else datetime.min
    with warehouse.raw_connection() as con:
        if not table_exists(con, "raw", "load_log"):
            return []
        rows = con.execute(
            "select distinct partition_date from raw.load_log where loaded_at > ? order by 1", [since]
        ).fetchall()
    return [r[0].isoformat() for r in rows]


@contextmanager
def run_window_table(
    warehouse: WarehouseResource, bounds: tuple[str, str] | None, run_id: str
) -> Iterator[None]:
    """Write the run's window for dbt to read, and remove it afterwards (also when dbt fails).

    Removing it matters: a later hand-run `dbt build` must not silently inherit an old run's window. A table left
    by a killed process is dropped when the next run starts (drop_stale_run_window) and replaced here anyway.
    """
    with warehouse.raw_connection() as con:  # the engine dbt builds on
        con.execute(f"create schema if not exists {RUN_WINDOW_TABLE.split('.')[0]}")
        con.execute(f"drop table if exists {RUN_WINDOW_TABLE}")
        if bounds is not None:
            con.execute(
                f"""create table {RUN_WINDOW_TABLE} as
                    select cast(? as date) as partition_start, cast(? as date) as partition_end,
                           cast(? as {dialect_of(con).text}) as run_id, current_timestamp as written_at""",
                [bounds[0], bounds[1], run_id],
            )
    try:
        yield
    finally:
        with warehouse.raw_connection() as con:
            con.execute(f"drop table if exists {RUN_WINDOW_TABLE}")


def drop_stale_run_window(warehouse: WarehouseResource, say) -> str | None:
    """Drop a run window left by a run that was killed while dbt ran; returns the run id it names, if any.

    Called by a run holding the writer lock before its first step: no dbt of a live run can be using it.
    """
    if not warehouse.path.exists():
        return None
    schema, table = RUN_WINDOW_TABLE.split(".")
    try:
        with warehouse.connect() as con:
            found = con.execute(
                "select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
                [schema, table],
            ).fetchone()[0]
            if not found:
                return None
            row = con.execute(f"select any_value(run_id) from {RUN_WINDOW_TABLE}").fetchone()
            con.execute(f"drop table {RUN_WINDOW_TABLE}")
    except duckdb.IOException as exc:
        # The warehouse is locked by another process: the run's own steps will fail on it and say so.
        say(f"could not look for a stale {RUN_WINDOW_TABLE}: {str(exc).splitlines()[0]}")
        return None
    stale = row[0] if row else None
    say(
        f"dropped {RUN_WINDOW_TABLE} left by run {stale}, which ended without removing it (killed while dbt ran?)"
    )
    return stale


def stop_dbt(process: subprocess.Popen, log: logging.Logger | dg.DagsterLogManager) -> None:
    """Make sure the dbt process is gone (it holds the warehouse's write lock) when its step stops early.

    dagster-dbt forwards an interrupt to dbt, but any other error while it streams dbt's events (e.g. an event for a
    node the loaded manifest does not know) leaves dbt running; then removing the run window, and every later
    step, would fail on the lock, hiding the real error.
    """
    if process.poll() is not None:
        return
    log.warning(f"stopping dbt (pid {process.pid}): its step ended before dbt did")
    process.send_signal(signal.SIGINT)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


# dbt's line for a finished node: "120 of 439 OK created sql table model ...", "7 of 439 FAIL 3 not_null_... [FAIL 3 in
# 0.1s]" (a START line is not a result).
DBT_RESULT_LINE = re.compile(r"^\s*(\d+) of (\d+) (OK|PASS|WARN|ERROR|FAIL|SKIP|NO-OP)\b")
PROGRESS_EVERY_SECONDS = 10.0


class DbtLogSink(io.TextIOBase):
    """Where dbt's lines go during the build instead of the console (dagster-dbt prints each one to sys.stdout):
    appended to the run's log file without colour codes, and to `echo` when given. It counts the finished nodes,
    says "dbt build: <done>/<total> nodes, <s> s" through `say` every tenth of the nodes (at most every `every`
    seconds, at least every 3 × `every`), and keeps dbt's closing "Done. PASS=... ERROR=..." line and the nodes
    that failed, for the step's last line and its failure."""

    def __init__(
        self,
        path: Path,
        say: Callable[[str], None],
        every: float = PROGRESS_EVERY_SECONDS,
        clock=time.monotonic,
        echo: TextIO | None = None,
    ):
        super().__init__()
        self.path, self._say, self._every, self._clock, self._echo = path, say, every, clock, echo
        self._file = create_run_log(path).open("a", encoding="utf-8")
        self._pending = ""
        self._started = self._last = clock()
        self.done, self.total, self._next_tenth = 0, 0, 1
        self.failed: list[str] = []
        self.final: str | None = None

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        self._pending += text
        *lines, self._pending = self._pending.split("\n")
        for line in lines:
            self._line(strip_ansi(line))
        return len(text)

    def _line(self, line: str) -> None:
        self._file.write(line + "\n")
        if self._echo is not None:
            self._echo.write(line + "\n")
        found = DBT_RESULT_LINE.match(line)
        if found:
            self.done, self.total = self.done + 1, int(found[2])
            if found[3] in ("ERROR", "FAIL"):
                self.failed.append(line.split(" [", 1)[0].rstrip(" .").split(" of ", 1)[1].split(" ", 1)[1])
        elif line.startswith("Done. PASS="):
            self.final = line
        now = self._clock()
        # every `every` seconds once another tenth of the nodes is done, and every 3 × `every` seconds anyway: at
        # most ~10 lines for a build, however long
        if found and (
            (now - self._last >= self._every and self.done * 10 >= self._next_tenth * self.total)
            or now - self._last >= 3 * self._every
        ):
            self._last, self._next_tenth = now, self.done * 10 // self.total + 1
            self._say(f"dbt build: {self.done}/{self.total} nodes, {now - self._started:.0f} s")

    def flush(self) -> None:
        if not self._file.closed:
            self._file.flush()
        if self._echo is not None:
            self._echo.flush()

    def close(self) -> None:
        if self._pending:
            self._line(strip_ansi(self._pending))
            self._pending = ""
        super().close()
        self._file.close()

    def failure(self) -> str:
        """What failed, for the step's failure: the failed nodes (at most 5) and where dbt's lines are."""
        shown = "; ".join(self.failed[:5]) + (
            f"; ... {len(self.failed) - 5} more" if len(self.failed) > 5 else ""
        )
        what = f"{len(self.failed)} of {self.total} nodes failed: {shown}" if self.failed else "dbt failed"
        return f"dbt build: {what} (dbt's lines: {self.path})"


@cache
def build_dbt_assets() -> dg.AssetsDefinition:
    translator = GrowthmartDbtTranslator(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True))

    @dbt_assets(
        manifest=manifest_path(),
        project=dbt_project(),
        dagster_dbt_translator=translator,
        name="growthmart_dbt",
        # Not partitioned itself: the window comes from the run's partition tags (see run_window). Partitioning
        # the 45 models made Dagster record a materialization per model per day — at 10M events / 365 days,
        # 200 s of event writing on top of a 91 s dbt build (bench, 2026-11-26).
    )
    def growthmart_dbt(
        context: dg.AssetExecutionContext,
        config: DbtBuildConfig,
        dbt: DbtCliResource,
        warehouse: WarehouseResource,
    ):
        # The dbt profile reads the warehouse path (relative to the data directory dbt runs in) and DuckDB's limits
        # from the same settings as the resource; set for the dbt subprocess only, then restored, so nothing leaks
        # into later runs in this process.
        env = dbt_profile_env(
            warehouse.data_dir,
            warehouse.threads,
            warehouse.memory_limit,
            warehouse.temp_dir or Path(warehouse.data_dir) / "tmp",
        )
        # dbt dies with this process, even on kill -9, and runs in the data directory (growthmart/child_guard.py)
        env.update(guard_env(cwd=warehouse.data_dir))
        if (
            warehouse.on_spark
        ):  # dbt-spark's session: the same Spark settings as the pipeline's (growthmart.config)
            env.update(spark_dbt_env(warehouse.data_dir))
        args = build_args(config.full_refresh, warehouse.engine)
        loaded = days_loaded_since_publication(warehouse, context.instance)
        bounds = window_bounds(run_window(context.run.tags), config.full_refresh, loaded)
        window = (
            f"partition window {bounds[0]}..{bounds[1]}" if bounds else "no partition window (everything)"
        )
        # dbt's node lines go to the run's log file, not the console; without colour codes (a file, not a terminal)
        env["DBT_USE_COLORS"] = "false"
        # dbt's own debug file log (every statement it runs: ~8 MB for a one-day run of the small demo, rotated up to
        # 3 x 10 MB in dbt_target/) cost ~3.5 s of a 46 s one-day run (measured, 2026-12-05); dbt's lines are in the
        # run log. DBT_LOG_LEVEL_FILE=debug in the environment brings the file back for debugging.
        if "DBT_LOG_LEVEL_FILE" not in os.environ:
            env["DBT_LOG_LEVEL_FILE"] = "none"
        log_path = run_log_path(warehouse.data_dir, context.run_id)
        context.log.info(f"dbt {' '.join(args)}: {window}; dbt's lines in {log_path}", extra=PROGRESS)
        saved = {key: os.environ.get(key) for key in env}
        os.environ.update(env)
        try:
            with run_window_table(warehouse, bounds, context.run_id):
                target = dbt_target_path(warehouse.data_dir, warehouse.engine)
                if warehouse.on_spark:
                    # dbt starts its own Spark on the same Derby metastore, which admits one process at a time
                    from growthmart.spark import stop_spark

                    stop_spark()
                else:
                    prepare_target(target)
                invocation = dbt.cli(args, context=context, target_path=target)
                # a CLI run shows stages, not dbt's lines; elsewhere they stay in the step's captured stdout too
                echo = None if context.run.tags.get(CONSOLE_TAG) == STAGES_CONSOLE else sys.stdout
                sink = DbtLogSink(log_path, lambda line: context.log.info(line, extra=PROGRESS), echo=echo)
                try:
                    # an interrupt dagster-dbt swallowed while parsing a line still stops the step (interrupts.py)
                    with redirect_stdout(sink):
                        yield from raising_interrupts(invocation.stream())
                except DagsterDbtCliRuntimeError as exc:
                    if is_out_of_memory(exc):
                        raise dg.Failure(
                            description=warehouse.out_of_memory_message("in the dbt build", exc),
                            allow_retries=False,
                        ) from exc
                    raise dg.Failure(description=sink.failure()) from exc
                finally:
                    sink.close()
                    stop_dbt(invocation.process, context.log)
                # not a progress line: the console's stage line for the dbt build says it
                context.log.info(f"dbt build: {sink.final or f'{sink.done} nodes'}")
        finally:
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value

    return growthmart_dbt


def dbt_keys_in_groups(*groups: str) -> list[dg.AssetKey]:
    """Asset keys of the dbt models in the given layer groups (e.g. "reports", "marts")."""
    return sorted(
        (spec.key for spec in build_dbt_assets().specs if spec.group_name in groups),
        key=lambda k: k.to_user_string(),
    )
