"""Time the blocking raw check `ge_app_events` on a synthetic raw.app_events of N rows.

    .venv/bin/python -m bench.quality_check --rows 10000000 --days 36

The table is written directly with DuckDB SQL (no generator, no loader) using the loader's DDL
(`growthmart/ingest/sql.py::raw_table_ddl`), into a temporary warehouse file, with a `raw.load_log` that
says one run loaded every partition. The check's own code path (`validate_raw` on the partitions that
run loaded) is then timed. 36 days by default: ~278k events a day, the daily volume of the 100M-events /
365-days target, so the GE slice (one partition) has its target size.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from datetime import date
from pathlib import Path

import duckdb

from assets.quality.raw_checks import validate_raw
from growthmart.contracts import get_contract
from growthmart.ingest.sql import BOOKKEEPING_DDL, raw_table_ddl
from growthmart.quality import warehouse as wh
from growthmart.quality.settings import QualitySettings

RUN_ID = "bench-run"
FIRST_DAY = date(2025, 1, 1)


def build_app_events(con: duckdb.DuckDBPyConnection, rows: int, days: int, run_id: str = RUN_ID) -> None:
    """`rows` clean events spread evenly over `days` partitions, in load order, plus their load_log lines."""
    contract = get_contract("app_events")
    for ddl in BOOKKEEPING_DDL:
        con.execute(ddl)
    con.execute(raw_table_ddl(contract))
    per_day = -(-rows // days)
    con.execute(
        f"""
        insert into raw.app_events
        select
            printf('%016x', hash(i)) as event_id,
            ['session_start', 'page_view', 'page_view', 'add_to_cart', 'signup', 'purchase'][1 + i % 6],
            timestamp '{FIRST_DAY}' + to_days(d) + to_microseconds(((i * 7919) % 86400000000)::bigint),
            'anon-' || (i // 50)::varchar,
            case when i % 3 = 0 then null else 'u' || lpad((i // 50)::varchar, 8, '0') end,
            ['ios', 'android', 'web', 'miniprogram'][1 + i % 4],
            case when i % 5 = 0 then 'douyin' end,
            case when i % 5 = 0 then 'cpc' end,
            case when i % 5 = 0 then 'c-' || (i % 40)::varchar end,
            null,
            'app_events/' || strftime(date '{FIRST_DAY}' + d, '%Y-%m-%d') || '/events.jsonl',
            i - d * {per_day} + 1,
            date '{FIRST_DAY}' + d,
            timestamp '2026-01-01 00:00:00'
        from (select i, (i // {per_day})::int as d from range({rows}) t(i))
        """
    )
    con.execute(
        f"""
        insert into raw.load_log
        select 'app_events', _partition_date, any_value(_source_file), 'sha', count(*), count(*), 0,
               timestamp '2026-01-01 00:00:00', '{run_id}'
        from raw.app_events group by _partition_date
        """
    )
    con.execute("checkpoint")


def time_check(con: duckdb.DuckDBPyConnection, settings: QualitySettings, run_id: str = RUN_ID) -> dict:
    """Wall time of the check's work, GX's one-off import (~2.5 s per process) excluded."""
    import great_expectations  # noqa: F401

    contract = get_contract("app_events")
    started = time.perf_counter()
    partitions = wh.partitions_loaded_by_run(con, contract.name, run_id)
    passed, meta = validate_raw(con, contract, partitions, settings)
    return {
        "passed": passed,
        "partitions": len(partitions),
        "wall_s": round(time.perf_counter() - started, 2),
    } | {k: v for k, v in meta.items() if k != "failed_expectations"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--days", type=int, default=36)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--memory-limit", default="4GB")
    parser.add_argument("--db", help="warehouse file to reuse (built if it has no raw.app_events)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="gm-quality-bench-") as tmp:
        con = duckdb.connect(args.db or str(Path(tmp) / "warehouse.duckdb"))
        con.execute("set TimeZone = 'UTC'")
        con.execute(f"set threads = {args.threads}")
        con.execute(f"set memory_limit = '{args.memory_limit}'")
        con.execute(f"set temp_directory = '{Path(tmp) / 'spill'}'")
        if not wh.table_exists(con, wh.RAW_SCHEMA, "app_events"):
            started = time.perf_counter()
            build_app_events(con, args.rows, args.days)
            built = time.perf_counter() - started
            print(f"built raw.app_events: {args.rows} rows, {args.days} days in {built:.1f} s", flush=True)
        result = time_check(con, QualitySettings())
        con.close()
    print(json.dumps(result, indent=2, default=str))


if __name__ == "__main__":
    main()
