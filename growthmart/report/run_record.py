"""What the report's data-quality panel shows about a run, kept next to the published files.

The pipeline writes one small JSON per publishing run (published/run_records/<run_id>.json): the run's asset-check
outcomes, the rows quarantined per partition day / source / reason, each source's freshness. A later
`make report` (no pipeline run) reads the record of the run that made the current publication
(main.publication.run_id of the published DuckDB), so the panel always describes the data on the page.
"""

from __future__ import annotations

import json
import os
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb

RECORDS_DIR = "run_records"
KEEP_RECORDS = 60


def records_dir(published_dir: Path) -> Path:
    return Path(published_dir) / RECORDS_DIR


def _iso(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return str(value)


def write_run_record(
    published_dir: Path,
    run_id: str,
    *,
    checks_passed: list[str],
    checks_failed: list[str],
    checks_warned: list[str],
    quarantine: list[tuple],
    freshness: list[tuple],
) -> Path:
    """Write the record atomically; `quarantine` rows are (partition_date, source, reason, rows), `freshness`
    rows (source, last partition, last load time)."""
    folder = records_dir(published_dir)
    folder.mkdir(parents=True, exist_ok=True)
    record = {
        "run_id": run_id,
        "written_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "checks": {
            "evaluated": len(checks_passed) + len(checks_failed) + len(checks_warned),
            "passed": len(checks_passed),
            "failed": sorted(checks_failed),
            "warned": sorted(checks_warned),
        },
        "quarantine": [[_iso(d), s, r, int(n)] for d, s, r, n in quarantine],
        "freshness": [[s, _iso(p), _iso(t)] for s, p, t in freshness],
    }
    target = folder / f"{run_id}.json"
    tmp = folder / f".{run_id}.json.tmp"
    tmp.write_text(json.dumps(record, ensure_ascii=False, indent=1), encoding="utf-8")
    os.replace(tmp, target)
    records = sorted(folder.glob("*.json"), key=lambda p: p.stat().st_mtime)
    for old in records[:-KEEP_RECORDS]:
        old.unlink(missing_ok=True)
    return target


def read_run_record(published_dir: Path, run_id: str | None) -> dict | None:
    if not run_id:
        return None
    path = records_dir(published_dir) / f"{run_id}.json"
    if not path.exists():
        return None
    return json.loads(path.read_text(encoding="utf-8"))


def quarantine_counts(con: duckdb.DuckDBPyConnection, run_id: str | None = None) -> list[tuple]:
    """Quarantined rows as (partition_date, source, reason, rows), the quoted value in a reason masked so that
    reasons group; one run's rows when run_id is given, else every row still in raw.quarantine_rows."""
    where, params = ("where run_id = ?", [run_id]) if run_id else ("", [])
    rows = con.execute(
        f"""select partition_date, source, reason, count(*) from (
               select partition_date, source, regexp_replace(reason, '''.*''', '<value>') as reason
               from raw.quarantine_rows {where})
           group by 1, 2, 3 order by 2, 4 desc""",
        params,
    ).fetchall()
    if run_id:  # per run the summary lists source × reason over all of the run's partitions
        merged: dict[tuple, int] = {}
        for _, source, reason, n in rows:
            merged[(source, reason)] = merged.get((source, reason), 0) + n
        return [
            (None, source, reason, n)
            for (source, reason), n in sorted(merged.items(), key=lambda kv: (kv[0][0], -kv[1]))
        ]
    return rows


def source_freshness(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    """(source, last loaded partition, last load time) per source of raw.load_log."""
    return con.execute(
        "select source, max(partition_date), max(loaded_at) from raw.load_log group by 1 order by 1"
    ).fetchall()
