"""The fault suite's harness: the real CLI (`python -m orchestration.cli run`) in a child process on a small demo, and
the invariants every fault scenario asserts afterwards.

Each scenario drives `orchestration.cli` exactly as a person or the nightly job would, in its own process group so
that it can be killed like a real run (SIGKILL of the CLI process only: the children it started must die with it).
After the fault, the helpers below check what a trusted pipeline promises:

- the previous publication is intact and readable (`publication_snapshot` before and after),
- landed = loaded + quarantined per landing file, and every loaded row is in its raw table exactly once
  (`reconcile`),
- no process of the run outlives it (`orphans`),
- no lock error reached the output (`LOCK_ERROR`).

The suite's figures (scenarios, runs killed, runs recovered, rows lost, lock errors) are counted in `STATS` and
printed at the end of the pytest session (tests/faults/conftest.py).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import psutil

ROOT = Path(__file__).resolve().parents[2]
# A small demo: 14 days from 2026-05-01 (last day 2026-05-14), 250 users. Big enough for every source and
# report to have rows, small enough that a whole run costs the fixed cost of dbt and Dagster only.
DEMO_PARAMS = {
    "days": 14,
    "users": 250,
    "seed": 11,
    "start": "2026-05-01",
}  # tools/demo/generator.py DemoParams
DEMO_ARGS = [arg for name, value in DEMO_PARAMS.items() for arg in (f"--{name}", str(value))]
FIRST_DAY, LAST_DAY = "2026-05-01", "2026-05-14"
RUN_TIMEOUT = 600
DATA_FOLDER = "it's data"  # every data directory of the suite: a quote and a space
# What DuckDB says when a second process opens a file another one writes.
LOCK_ERROR = re.compile(r"Could not set lock on file|Conflicting lock is held", re.IGNORECASE)
# What dbt says when its parse state does not fit the run (every data directory renders the same profile, so a
# run in a restored copy must never parse the project again: ~12 s each).
REPARSE = "Unable to do partial parsing"

STATS: Counter = Counter()  # scenarios, runs_killed, runs_recovered, rows_lost, lock_errors


@dataclass
class Run:
    """A finished CLI run: its console output, and its run log (<data>/logs/<run id>.log: every step's messages,
    tracebacks, dbt's node lines)."""

    args: list[str]
    code: int
    out: str
    err: str = ""
    log: str = ""

    @property
    def text(self) -> str:
        """The run log, then the console: every line the run wrote, in about the order it wrote them."""
        return self.log + "\n" + self.out + "\n" + self.err


@dataclass
class FaultEnv:
    """A data directory of its own (landing, warehouse, publication, Dagster home) and the environment a run sees."""

    data: Path
    extra_env: dict[str, str] = field(default_factory=dict)
    first_run: Run | None = None  # the baseline's demo run

    @property
    def landing(self) -> Path:
        return self.data / "landing"

    @property
    def warehouse(self) -> Path:
        return self.data / "warehouse.duckdb"

    @property
    def published(self) -> Path:
        return self.data / "published"

    def env(self, **overrides: str) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            GROWTHMART_DATA_DIR=str(self.data),
            DAGSTER_HOME=str(self.data / "dagster_home"),
            PYTHONUNBUFFERED="1",
        )
        env.update(self.extra_env)
        env.update(overrides)
        return env

    # -- running the CLI --------------------------------------------------------------------------------------------
    def start(self, *args: str, log_level: str = "INFO", **env: str) -> subprocess.Popen:
        """Start `orchestration.cli run ARGS` in a new session (its own process group); stdout is a file we tail."""
        log = self.data.parent / f"run-{time.monotonic_ns()}.log"
        handle = log.open("w")
        proc = subprocess.Popen(
            [sys.executable, "-m", "orchestration.cli", "run", *args, "--log-level", log_level],
            cwd=ROOT,
            env=self.env(**env),
            stdout=handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            text=True,
        )
        proc.log_path = log  # type: ignore[attr-defined]
        handle.close()
        return proc

    def run(self, *args: str, timeout: float = RUN_TIMEOUT, **env: str) -> Run:
        return self.finish(self.start(*args, **env), timeout)

    def finish(self, proc: subprocess.Popen, timeout: float = RUN_TIMEOUT) -> Run:
        """Wait for a run `start` started and read what it wrote."""
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            kill_group(proc)
            raise
        args = proc.args[proc.args.index("run") + 1 : proc.args.index("--log-level")]
        out = read_log(proc)
        log = run_logs(self, out)
        STATS["lock_errors"] += len(LOCK_ERROR.findall(out + log))
        STATS["dbt_reparses"] += (out + log).count(REPARSE)
        return Run(list(args), proc.returncode, out, log=log)

    def demo(self) -> Run:
        """Generate the demo landing files and run the whole pipeline once (the publication later faults must keep)."""
        return self.run("--demo", *DEMO_ARGS)


def read_log(proc: subprocess.Popen) -> str:
    """The run's console output (stdout and stderr)."""
    return Path(proc.log_path).read_text(errors="replace")  # type: ignore[attr-defined]


RUN_ID = re.compile(r"^run ([0-9a-f-]{36}) on ", re.MULTILINE)


def run_logs(env: FaultEnv, out: str) -> str:
    """The run log of the run whose console output is `out` (empty until the run has written it)."""
    found = RUN_ID.search(out)
    path = env.data / "logs" / f"{found.group(1)}.log" if found else None
    return path.read_text(errors="replace") if path and path.exists() else ""


def wait_for_run_log(
    env: FaultEnv, proc: subprocess.Popen, pattern: str | re.Pattern, timeout: float = RUN_TIMEOUT
) -> str:
    """Block until the run's log file (Dagster's step messages, dbt's node lines) matches `pattern`."""
    regex = re.compile(pattern) if isinstance(pattern, str) else pattern
    found = wait_for(
        lambda: regex.search(run_logs(env, read_log(proc))), timeout=timeout, interval=0.05, proc=proc
    )
    return found.group(0)


def wait_for_output(proc: subprocess.Popen, pattern: str | re.Pattern, timeout: float = RUN_TIMEOUT) -> str:
    """Block until the run's output matches `pattern` (returns the match) or the run ends (AssertionError)."""
    regex = re.compile(pattern) if isinstance(pattern, str) else pattern
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        match = regex.search(read_log(proc))
        if match:
            return match.group(0)
        if proc.poll() is not None:
            raise AssertionError(
                f"run ended ({proc.returncode}) before {regex.pattern!r}:\n{read_log(proc)[-3000:]}"
            )
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {regex.pattern!r}")


def wait_for(
    predicate, timeout: float = RUN_TIMEOUT, interval: float = 0.02, proc: subprocess.Popen | None = None
):
    """Poll `predicate()` until it returns something truthy (returned); fails if `proc` ends first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        if proc is not None and proc.poll() is not None:
            raise AssertionError(
                f"run ended ({proc.returncode}) before the condition:\n{read_log(proc)[-3000:]}"
            )
        time.sleep(interval)
    raise AssertionError("timed out waiting for the condition")


def descendants(proc: subprocess.Popen) -> list[psutil.Process]:
    try:
        return psutil.Process(proc.pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return []


def kill9(proc: subprocess.Popen) -> None:
    """SIGKILL the CLI process alone, as `kill -9 <pid>` would: its children get no signal from us."""
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    STATS["runs_killed"] += 1


def kill_group(proc: subprocess.Popen) -> None:
    """Clean-up only: kill the whole process group of a run a test gave up on."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)


def orphans(data: Path, grace: float = 15.0, ignore_group: int | None = None) -> list[str]:
    """Processes still alive `grace` seconds on whose environment names this data directory (dbt, a Dagster step
    process...): a run's process that outlived it. The test process itself and its ancestors are ignored, and so is
    the process group `ignore_group` (a run still going: `FaultEnv.start` gives each run a group of its own, which
    its children keep even when they outlive it)."""
    me = {os.getpid(), *(p.pid for p in psutil.Process().parents())}

    def alive() -> list[psutil.Process]:
        found = []
        for p in psutil.process_iter(["pid", "cmdline"]):
            if p.pid in me:
                continue
            try:
                if ignore_group is not None and os.getpgid(p.pid) == ignore_group:
                    continue
                if p.environ().get("GROWTHMART_DATA_DIR") == str(data) and p.status() != psutil.STATUS_ZOMBIE:
                    found.append(p)
            except (psutil.NoSuchProcess, psutil.AccessDenied, ProcessLookupError):
                continue
        return found

    deadline = time.monotonic() + grace
    left = alive()
    while left and time.monotonic() < deadline:
        time.sleep(0.2)
        left = alive()
    return [f"{p.pid}: {' '.join(p.info['cmdline'] or [])[:200]}" for p in left]


# -- the invariants ------------------------------------------------------------------------------------------------


def publication_snapshot(published: Path) -> dict:
    """What a BI reader sees: the publication record and the row count of every published table (DuckDB file), and
    the Parquet files the `parquet` link points at with their sizes. Opening either must work (else it raises)."""
    db = published / "growthmart.duckdb"
    con = duckdb.connect(str(db), read_only=True)
    try:
        run_id = con.execute("select any_value(run_id) from main.publication").fetchone()[0]
        tables = {
            t: con.execute(f"select count(*) from {t}").fetchone()[0]
            for (t,) in con.execute("select table_name from main.publication order by 1").fetchall()
        }
        recorded = dict(con.execute("select table_name, row_count from main.publication").fetchall())
    finally:
        con.close()
    assert tables == recorded, "published row counts differ from the publication record"
    parquet = (published / "parquet").resolve()
    files = {str(p.relative_to(parquet)): p.stat().st_size for p in sorted(parquet.rglob("*.parquet"))}
    assert files, f"no Parquet files under {parquet}"
    for path in files:  # each Parquet file must be readable whole
        duckdb.execute("select count(*) from read_parquet(?)", [(parquet / path).as_posix()]).fetchall()
    return {"run_id": run_id, "tables": tables, "parquet": files}


def reconcile(warehouse: Path) -> dict[str, int]:
    """landed = loaded + quarantined for every landing file the warehouse holds, and every loaded row counted once:
    the raw table holds exactly rows_loaded rows of that file, raw.quarantine_rows exactly rows_quarantined.

    Returns {"files": n, "rows_landed": n, "rows_lost": n}; rows_lost > 0 (added to STATS) is a failure."""
    from growthmart.contracts import CONTRACTS

    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        tables = {
            r[0]
            for r in con.execute(
                "select table_name from information_schema.tables where table_schema = 'raw'"
            ).fetchall()
        }
        log = con.execute(
            """select source, partition_date, source_file, rows_landed, rows_loaded, rows_quarantined
               from raw.load_log"""
        ).fetchall()
        problems, lost = [], 0
        for source, _day, file, landed, loaded, quarantined in log:
            if landed != loaded + quarantined:
                problems.append(
                    f"{source} {file}: landed {landed} != loaded {loaded} + quarantined {quarantined}"
                )
                lost += abs(landed - loaded - quarantined)
        for contract in CONTRACTS:
            if contract.name not in tables:
                continue
            per_file = dict(
                con.execute(
                    f"""select _source_file, count(*) from raw."{contract.name}" group by 1"""
                ).fetchall()
            )
            logged = {f: ld for s, _, f, _, ld, _ in log if s == contract.name}
            for file, n in per_file.items():
                if logged.get(file) != n:
                    problems.append(
                        f"{contract.name} {file}: {n} rows in raw, load_log says {logged.get(file)}"
                    )
                    lost += abs(n - (logged.get(file) or 0))
        quarantined = dict(
            con.execute(
                "select source || '|' || source_file, count(*) from raw.quarantine_rows group by 1"
            ).fetchall()
        )
        for source, _, file, _, _, q in log:
            if quarantined.get(f"{source}|{file}", 0) != q:
                problems.append(
                    f"{source} {file}: {quarantined.get(f'{source}|{file}', 0)} quarantined rows kept, load_log says {q}"
                )
                lost += abs(quarantined.get(f"{source}|{file}", 0) - q)
    finally:
        con.close()
    STATS["rows_lost"] += lost
    assert not problems, "\n".join(problems[:20])
    return {"files": len(log), "rows_landed": sum(r[3] for r in log), "rows_lost": lost}


def copy_env(src: FaultEnv, dst_root: Path) -> FaultEnv:
    """A copy of a data directory (after a run), so scenarios can start from the same published state. Its path
    holds a quote and a space, as the baseline's does: every run of the suite goes through paths that need
    quoting (in SQL, in the shell, in dbt's profile)."""
    dst = dst_root / DATA_FOLDER
    shutil.copytree(src.data, dst, symlinks=True)
    return FaultEnv(dst, dict(src.extra_env))


# -- the publication as a BI reader sees it ---------------------------------------------------------------------

TMP_DB_GLOB = ".growthmart.*.duckdb.tmp*"


def debris(published: Path) -> list[str]:
    """What a dead publish leaves: temporary DuckDB files (and WAL), Parquet versions never marked complete."""
    found = [p.name for p in published.glob(TMP_DB_GLOB)]
    versions = published / ".parquet_versions"
    found += [f"{v.name} (incomplete)" for v in versions.iterdir() if not (v / ".complete").is_file()]
    return found


def complete_versions(published: Path) -> list[str]:
    return sorted(v.name for v in (published / ".parquet_versions").iterdir() if (v / ".complete").is_file())


def digest(published: Path) -> dict[str, str]:
    """The bytes a reader of the current publication gets: the DuckDB file and the current Parquet version."""
    version = (published / "parquet").resolve()
    files = {"growthmart.duckdb": published / "growthmart.duckdb"}
    files.update({str(p.relative_to(version)): p for p in sorted(version.rglob("*")) if p.is_file()})
    return {name: hashlib.sha256(p.read_bytes()).hexdigest() for name, p in files.items()}


def summary_errors(text: str) -> str:
    """The run summary's errors section."""
    start = text.find("== errors")
    assert start >= 0, text[-3000:]
    return text[start : text.find("== published", start)]


class Reader(threading.Thread):
    """A BI reader for the length of a run: one read-only DuckDB connection opened before the run and held
    throughout (never closed early), and the Parquet files read again and again, each time from the version
    `parquet/` resolves to, checked against that version's publication record. Every failure is kept."""

    def __init__(self, published: Path):
        super().__init__(daemon=True)
        self.published = published
        self.held = duckdb.connect(str(published / "growthmart.duckdb"), read_only=True)
        self.stop = threading.Event()
        self.errors: list[str] = []
        self.held_run_ids: set[str] = set()
        self.parquet_run_ids: list[str] = []

    def run(self) -> None:
        parquet = duckdb.connect()
        try:
            while not self.stop.is_set():
                self._read(parquet)
                # a BI tool refreshing, not a busy loop on a shared machine: one read costs ~50 ms of CPU
                time.sleep(0.5)
        finally:
            parquet.close()
            self.held.close()

    def _read(self, parquet: duckdb.DuckDBPyConnection) -> None:
        try:
            record = dict(self.held.execute("select table_name, row_count from main.publication").fetchall())
            counts = {t: self.held.execute(f"select count(*) from {t}").fetchone()[0] for t in record}
            if counts != record:
                self.errors.append(f"held connection: counts {counts} differ from its record {record}")
            self.held_run_ids.add(
                self.held.execute("select any_value(run_id) from main.publication").fetchone()[0]
            )

            version = (self.published / "parquet").resolve()
            rows = parquet.execute(
                "select run_id, table_name, row_count from read_parquet(?)",
                [str(version / "publication.parquet")],
            ).fetchall()
            for _run_id, table, recorded in rows:
                schema, name = table.split(".")
                n = parquet.execute(
                    "select count(*) from read_parquet(?)", [str(version / schema / f"{name}.parquet")]
                ).fetchone()[0]
                if n != recorded:
                    self.errors.append(f"{version.name}: {table} has {n} rows, its record says {recorded}")
            self.parquet_run_ids.append(rows[0][0])
        except Exception as exc:  # any failed read is a broken promise
            self.errors.append(f"{type(exc).__name__}: {exc}")

    def finish(self) -> None:
        self.stop.set()
        self.join(timeout=30)
