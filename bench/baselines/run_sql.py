"""Run the plain-SQL floor (`core_marts.sql`) on a warehouse copy, with the pipeline's DuckDB settings.

    python -m bench.baselines.run_sql --db WAREHOUSE [--timings PATH]

Threads, memory_limit and the spill directory come from growthmart.config, exactly as for the pipeline's
own connections and dbt, so the floor and dbt run on equal terms.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import duckdb

from growthmart.config import settings

SCRIPT = Path(__file__).with_name("core_marts.sql")
OUTPUTS = ("retention_cohorts", "funnel_users", "cac_ltv_monthly", "campaign_roi")


def run(db: Path, script: Path = SCRIPT) -> dict:
    cfg = settings()
    cfg.duckdb_temp_dir.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    con = duckdb.connect(str(db))
    try:
        con.execute("set TimeZone = 'UTC'")
        con.execute(f"set threads = {int(cfg.duckdb_threads)}")
        con.execute(f"set memory_limit = '{cfg.duckdb_memory_limit}'")
        con.execute(f"set temp_directory = '{cfg.duckdb_temp_dir}'")
        began = time.perf_counter()
        con.execute(script.read_text())
        query_s = time.perf_counter() - began
        rows = {t: con.execute(f"select count(*) from floor.{t}").fetchone()[0] for t in OUTPUTS}
    finally:
        con.close()
    return {"query_s": query_s, "total_s": time.perf_counter() - started, "rows_out": rows}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.baselines.run_sql", description=__doc__)
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--timings", type=Path)
    args = parser.parse_args(argv)
    result = run(args.db)
    if args.timings:
        args.timings.write_text(json.dumps(result, indent=2))
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
