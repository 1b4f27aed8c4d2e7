"""The benchmark: generate (or reuse) data, run the real pipeline through Dagster, the baselines, the nightly day.

Every measured piece runs as a child process of this one (the same process tree), on the same data:
1. the full pipeline, `python -m orchestration.cli run --first F --last L` from an empty warehouse, with its
   own GROWTHMART_DATA_DIR and DAGSTER_HOME; per-stage wall times come from the run's Dagster event log;
2. on a copy of the warehouse the full build produced: the core marts built by dbt alone
   (`dbt run --full-refresh --select +<the four core reports>`), the same marts as one plain DuckDB SQL
   script (the floor), and in pandas under a memory cap; both baselines are compared with the published
   reports; then the whole `dbt build` outside Dagster (how dbt's own time splits into models and tests);
3. the nightly run of one new day on top of that history, and on a shorter history (default 90 days) at
   the same daily volume.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from assets.transform.dbt_assets import build_args, dbt_target_path
from bench import datasets
from bench.agreement import MARTS, compare
from bench.eventlog import RunLog, read_latest_run, stage_of
from bench.procs import Measured, run_measured
from growthmart.config import settings
from growthmart.contracts import CONTRACTS

ROOT = Path(__file__).resolve().parents[1]
DBT_DIR = ROOT / "dbt_project"
CORE_REPORTS = ("rpt_retention_cohorts", "rpt_funnel_users", "rpt_cac_ltv_monthly", "rpt_campaign_roi")
RAW_SOURCES = {c.name for c in CONTRACTS}
PANDAS_OUT_OF_MEMORY = 3  # exit status of core_marts_pandas on MemoryError


@dataclass
class Options:
    events: int
    days: int = 365
    seed: int = 42
    data_dir: Path | None = None
    results_dir: Path = ROOT / "bench" / "results"
    nightly: bool = True
    short_history: int = 90
    pandas: bool = True
    dbt_alone: bool = True  # also time the whole dbt build outside Dagster (reference for validation share)
    memory_cap_gb: float = 16.0
    generator: str = "auto"
    regenerate: bool = False
    keep_scratch: bool = False

    def resolved_data_dir(self) -> Path:
        if self.data_dir:
            return self.data_dir.resolve()
        base = Path(os.environ.get("GROWTHMART_DATA_DIR") or ROOT / "data")
        return (base / "bench" / str(self.events)).resolve()


@dataclass
class DbtResults:
    elapsed_s: float = 0.0  # dbt's own elapsed time (after startup and manifest load)
    models_s: float = 0.0  # sum of model + seed execution times (threads overlap, so > elapsed)
    tests_s: float = 0.0  # sum of data + unit test execution times
    nodes: int = 0
    failures: list[str] = field(default_factory=list)
    slowest: list[tuple[str, float]] = field(default_factory=list)

    @property
    def share_models(self) -> float:
        total = self.models_s + self.tests_s
        return self.models_s / total if total else 1.0


def read_run_results(paths: list[Path]) -> DbtResults:
    out = DbtResults()
    timings = []
    for path in paths:
        data = json.loads(path.read_text())
        out.elapsed_s += data.get("elapsed_time") or 0.0
        for r in data.get("results", []):
            uid, secs = r["unique_id"], r.get("execution_time") or 0.0
            out.nodes += 1
            if uid.startswith(("test.", "unit_test.")):
                out.tests_s += secs
            else:
                out.models_s += secs
            timings.append((uid.split(".", 2)[-1] if not uid.startswith("test.") else uid, secs))
            if r.get("status") in ("error", "fail"):
                out.failures.append(uid)
    out.slowest = sorted(timings, key=lambda t: -t[1])[:8]
    return out


@dataclass
class PipelineRun:
    label: str
    first: str
    last: str
    measured: Measured
    log: RunLog | None
    rows_loaded: dict[str, int]
    dbt: DbtResults

    @property
    def rows(self) -> int:
        return sum(self.rows_loaded.values())

    @property
    def ok(self) -> bool:
        return self.measured.ok and bool(self.log) and self.log.status == "SUCCESS"


class Bench:
    def __init__(self, opts: Options, log=print):
        self.opts = opts
        self.say = log
        self.root = opts.resolved_data_dir()
        self.logs = opts.results_dir / "logs"
        self.cfg = settings()
        self.python = sys.executable

    # ---------------------------------------------------------------------------------------------- pipeline
    def env(self, data_dir: Path, first_day: str | None = None) -> dict[str, str]:
        env = {
            **os.environ,
            "GROWTHMART_DATA_DIR": str(data_dir),
            "DAGSTER_HOME": str(data_dir / "dagster_home"),
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "False",
            "DO_NOT_TRACK": "1",
            "PYTHONUNBUFFERED": "1",
        }
        if first_day:
            env["GROWTHMART_START_DATE"] = first_day  # daily partitions start with the data
        return env

    def run_pipeline(
        self, run_dir: Path, first: str, last: str, label: str, partitions_start: str
    ) -> PipelineRun:
        cmd = [self.python, "-m", "orchestration.cli", "run", "--first", first, "--last", last,
               "--log-level", "WARNING"]  # fmt: skip
        self.say(
            f"[{label}] pipeline run --first {first} --last {last} (log: {self.logs / (label + '.log')})"
        )
        m = run_measured(
            cmd, env=self.env(run_dir, partitions_start), cwd=ROOT, log=self.logs / f"{label}.log"
        )
        runlog = None
        try:
            runlog = read_latest_run(run_dir / "dagster_home")
        except Exception as exc:  # a run that died before Dagster recorded it
            self.say(f"  could not read the Dagster event log: {exc}")
        rows = self.rows_loaded(run_dir, runlog.run_id if runlog else None)
        dbt = self.pipeline_dbt_results(runlog, run_dir) if runlog else DbtResults()
        run = PipelineRun(label, first, last, m, runlog, rows, dbt)
        status = runlog.status if runlog else f"exit {m.returncode}"
        self.say(
            f"  {status} in {m.wall_s:.1f}s, peak RSS {m.peak_rss_mb:,.0f} MB, {run.rows:,} raw rows loaded"
        )
        if not run.ok:
            self.say("  the pipeline run did not succeed; last lines of its log:\n" + m.tail())
        return run

    def pipeline_dbt_results(self, runlog: RunLog, run_dir: Path) -> DbtResults:
        """dbt's run_results.json of this run's dbt step: the data directory's dbt target folder
        (<data>/dbt_target), accepted only if written while the step ran."""
        spans = [span for key, span in runlog.steps.items() if stage_of(key, RAW_SOURCES) == "dbt build"]
        if not spans:
            return DbtResults()
        start, end = min(s for s, _ in spans), max(e for _, e in spans)
        paths = [dbt_target_path(run_dir) / "run_results.json"]
        mine = []
        for path in paths:
            try:
                generated = json.loads(path.read_text())["metadata"]["generated_at"]
            except (OSError, KeyError, ValueError):
                continue
            at = dt.datetime.fromisoformat(generated.replace("Z", "+00:00")).timestamp()
            if start - 1 <= at <= end + 5:
                mine.append(path)
        return read_run_results(mine)

    def rows_loaded(self, run_dir: Path, run_id: str | None) -> dict[str, int]:
        path = run_dir / "warehouse.duckdb"
        if not path.exists() or not run_id:
            return {}
        con = duckdb.connect(str(path), read_only=True)
        try:
            rows = con.execute(
                "select source, sum(rows_loaded) from raw.load_log where run_id = ? group by source", [run_id]
            ).fetchall()
        except duckdb.Error:
            rows = []
        finally:
            con.close()
        return {s: int(n) for s, n in rows}

    # --------------------------------------------------------------------------------------------- baselines
    def baselines(self, run_dir: Path) -> dict:
        scratch = self.root / "scratch"
        if scratch.exists():
            shutil.rmtree(scratch)
        scratch.mkdir(parents=True)
        for suffix in ("", ".wal"):
            src = run_dir / f"warehouse.duckdb{suffix}"
            if src.exists():
                shutil.copy2(src, scratch / src.name)
        db = scratch / "warehouse.duckdb"
        out: dict = {}

        # dbt building only the core marts, from raw, models only, full refresh
        target = scratch / "dbt_target"
        env = self.env(scratch)
        env.update(
            GROWTHMART_DUCKDB_THREADS=str(self.cfg.duckdb_threads),
            GROWTHMART_DUCKDB_MEMORY_LIMIT=self.cfg.duckdb_memory_limit,
            GROWTHMART_DUCKDB_TEMP_DIR=str(scratch / "tmp"),
        )
        # Untimed, as `make manifest` does at setup: parse once with this environment, so the timed dbt
        # invocations below start from a valid partial-parse state like a deployed pipeline's.
        run_measured(
            self.dbt_cmd("parse", target, scratch), env=env, cwd=DBT_DIR, log=self.logs / "dbt_parse.log"
        )
        select = " ".join(f"+{r}" for r in CORE_REPORTS)
        self.say(f"[baseline] dbt run --full-refresh --select {select}")
        m = run_measured(
            self.dbt_cmd("run", target, scratch, "--full-refresh", "--select", select),
            env=env, cwd=DBT_DIR, log=self.logs / "core_marts_dbt.log",
        )  # fmt: skip
        dbt = read_run_results(
            [target / "run_results.json"] if (target / "run_results.json").exists() else []
        )
        out["dbt"] = (m, dbt)
        self.say(f"  {'ok' if m.ok else 'FAILED'} in {m.wall_s:.1f}s (dbt elapsed {dbt.elapsed_s:.1f}s, "
                 f"{dbt.nodes} models), peak RSS {m.peak_rss_mb:,.0f} MB")  # fmt: skip
        if not m.ok:
            self.say(m.tail())

        # the floor: one plain DuckDB SQL script
        sql_env = {**env, "GROWTHMART_DUCKDB_TEMP_DIR": str(scratch / "tmp")}
        self.say("[baseline] plain DuckDB SQL (bench/baselines/core_marts.sql)")
        m = run_measured(
            [self.python, "-m", "bench.baselines.run_sql", "--db", str(db), "--timings", str(scratch / "sql.json")],
            env=sql_env, cwd=ROOT, log=self.logs / "core_marts_sql.log",
        )  # fmt: skip
        sql = json.loads((scratch / "sql.json").read_text()) if m.ok else {}
        out["sql"] = (m, sql)
        self.say(f"  {'ok' if m.ok else 'FAILED'} in {m.wall_s:.1f}s (query {sql.get('query_s', 0):.1f}s), "
                 f"peak RSS {m.peak_rss_mb:,.0f} MB")  # fmt: skip
        if not m.ok:
            self.say(m.tail())

        # pandas, by hand, under a memory cap
        if self.opts.pandas:
            cap = self.opts.memory_cap_gb * 1024
            self.say(
                f"[baseline] pandas (bench/baselines/core_marts_pandas.py), memory cap {self.opts.memory_cap_gb:g} GB"
            )
            m = run_measured(
                [self.python, "-m", "bench.baselines.core_marts_pandas", "--db", str(db), "--out-dir",
                 str(scratch / "pandas"), "--timings", str(scratch / "pandas.json")],
                env=env, cwd=ROOT, log=self.logs / "core_marts_pandas.log", memory_cap_mb=cap,
            )  # fmt: skip
            if m.returncode == PANDAS_OUT_OF_MEMORY:
                m.out_of_memory = True
            pdt = json.loads((scratch / "pandas.json").read_text()) if m.ok else {}
            out["pandas"] = (m, pdt)
            state = (
                "out of memory" if m.out_of_memory else ("ok" if m.ok else f"FAILED (exit {m.returncode})")
            )
            self.say(f"  {state} in {m.wall_s:.1f}s, peak RSS {m.peak_rss_mb:,.0f} MB")
            if not m.ok and not m.out_of_memory:
                self.say(m.tail())

        out["agreement"] = self.agreement(db, run_dir, scratch, out)

        # The pipeline's whole dbt build (every model and test) again, outside Dagster: what dbt itself
        # costs, without the event log's per-partition bookkeeping; its node times split models from tests.
        if not self.opts.dbt_alone:
            return self.finish_baselines(scratch, out)
        (target / "run_results.json").unlink(missing_ok=True)
        # The pipeline's own arguments (unit tests excluded: they run in CI, not in the pipeline).
        args = build_args(full_refresh=True)
        self.say(f"[reference] dbt {' '.join(args)} (every model and data test), outside Dagster")
        m = run_measured(
            self.dbt_cmd(args[0], target, scratch, *args[1:]),
            env=env, cwd=DBT_DIR, log=self.logs / "dbt_build_alone.log",
        )  # fmt: skip
        dbt = read_run_results(
            [target / "run_results.json"] if (target / "run_results.json").exists() else []
        )
        out["dbt_build_alone"] = (m, dbt)
        self.say(f"  {'ok' if m.ok else 'FAILED'} in {m.wall_s:.1f}s (dbt elapsed {dbt.elapsed_s:.1f}s, "
                 f"{dbt.nodes} nodes), peak RSS {m.peak_rss_mb:,.0f} MB")  # fmt: skip
        return self.finish_baselines(scratch, out)

    def finish_baselines(self, scratch: Path, out: dict) -> dict:
        if not self.opts.keep_scratch:
            shutil.rmtree(scratch, ignore_errors=True)
        return out

    def dbt_cmd(self, command: str, target: Path, scratch: Path, *args: str) -> list[str]:
        return [str(Path(self.python).with_name("dbt")), command, *args, "--project-dir", str(DBT_DIR),
                "--profiles-dir", str(DBT_DIR), "--target-path", str(target), "--log-path",
                str(scratch / "dbt_logs")]  # fmt: skip

    def agreement(self, db: Path, run_dir: Path, scratch: Path, out: dict) -> dict:
        """Each baseline's marts against the reports the full build published."""
        published = run_dir / "published" / "growthmart.duckdb"
        result: dict = {}
        if not published.exists():
            return {"error": "nothing was published"}
        con = duckdb.connect(str(db), read_only=True)
        try:
            con.execute(f"attach '{published}' as pub (read_only)")
            candidates = {}
            if out.get("sql", (None, {}))[1]:
                candidates["sql"] = {m: f"floor.{m}" for m in MARTS}
            if "pandas" in out and out["pandas"][1]:
                candidates["pandas"] = {
                    m: f"read_parquet('{scratch / 'pandas' / (m + '.parquet')}')" for m in MARTS
                }
            for name, relations in candidates.items():
                marts = compare(con, relations, report_schema="pub.reports")
                result[name] = {
                    "agrees": all(a.agrees for a in marts),
                    "marts": {
                        a.mart: {"report": a.report, "rows": a.rows, "missing_rows": a.missing_rows,
                                 "mismatched_columns": a.mismatched, "examples": a.examples[:3]}
                        for a in marts
                    },
                }  # fmt: skip
                verdict = "agrees with" if result[name]["agrees"] else "DIFFERS from"
                self.say(f"  {name} baseline {verdict} the published reports")
        finally:
            con.close()
        return result

    # ------------------------------------------------------------------------------------------------- flow
    def run(self) -> dict:
        opts = self.opts
        started = time.time()
        load_before = os.getloadavg()  # other work on the box makes every figure slower: recorded
        generator = datasets.choose_generator(opts.generator)
        self.logs.mkdir(parents=True, exist_ok=True)
        # one more day than the history: the nightly run lands it on top of the full build
        nightly_days = opts.days + 1 if opts.nightly else opts.days
        target_events = round(opts.events * nightly_days / opts.days)
        main = datasets.ensure_dataset(
            self.root, events=target_events, days=nightly_days, seed=opts.seed, generator=generator,
            regenerate=opts.regenerate, log=self.say,
        )  # fmt: skip
        history = main.days[: opts.days]
        run_dir = self.root / "run"
        datasets.reset_run_dir(run_dir)
        datasets.link_landing(main, run_dir, history)

        full = self.run_pipeline(run_dir, history[0], history[-1], "full_build", main.days[0])
        raw_rows = self.raw_rows(run_dir)
        base = self.baselines(run_dir) if (run_dir / "warehouse.duckdb").exists() else {}

        nightly: list[dict] = []
        if opts.nightly and len(main.days) > opts.days:
            day = main.days[opts.days]
            datasets.link_landing(main, run_dir, [day])
            run = self.run_pipeline(run_dir, day, day, f"nightly_{opts.days}d", main.days[0])
            nightly.append({"history_days": opts.days, "run": run, "full_build": full})
            if 0 < opts.short_history < opts.days:
                nightly.insert(0, self.short_history_nightly(generator))

        return {
            "options": opts,
            "generator": generator,
            "dataset": main,
            "full": full,
            "raw_rows": raw_rows,
            "baselines": base,
            "nightly": nightly,
            "started_at": started,
            "bench_wall_s": time.time() - started,
            "load_avg": {"before": load_before, "after": os.getloadavg()},
        }

    def short_history_nightly(self, generator: str) -> dict:
        opts = self.opts
        days = opts.short_history
        root = self.root / f"history-{days}d"
        # the same daily volume as the main data set: events per day = events / days
        events = round(opts.events * (days + 1) / opts.days)
        ds = datasets.ensure_dataset(
            root, events=events, days=days + 1, seed=opts.seed, generator=generator, regenerate=opts.regenerate,
            log=self.say,
        )  # fmt: skip
        run_dir = root / "run"
        datasets.reset_run_dir(run_dir)
        datasets.link_landing(ds, run_dir, ds.days[:days])
        full = self.run_pipeline(run_dir, ds.days[0], ds.days[days - 1], f"full_build_{days}d", ds.days[0])
        day = ds.days[days]
        datasets.link_landing(ds, run_dir, [day])
        run = self.run_pipeline(run_dir, day, day, f"nightly_{days}d", ds.days[0])
        return {"history_days": days, "run": run, "full_build": full}

    @staticmethod
    def raw_rows(run_dir: Path) -> dict[str, int]:
        """Rows in each raw source table after the full build (the data every baseline reads)."""
        path = run_dir / "warehouse.duckdb"
        if not path.exists():
            return {}
        con = duckdb.connect(str(path), read_only=True)
        try:
            return {
                s: con.execute(f'select count(*) from raw."{s}"').fetchone()[0] for s in sorted(RAW_SOURCES)
            }
        except duckdb.Error:
            return {}
        finally:
            con.close()
