"""Notice new or changed landing files: which (source, day) partitions need loading again.

Two users: the landing sensor (cheap stamps of every file, kept in its cursor), and every pipeline run, which
compares the landing days before its own with what `raw.load_log` says was loaded from them (`changed_days`): a
file added late to an old day, a file replaced with other content (a restated day) or a file removed is loaded
(or unloaded) by the next run, whatever day that run is for.

The rule for a day's folder (landing/<source>/<day>):
- present: it is the truth for that day. Files added, changed or removed since the day was loaded make the day
  load again; its raw rows are then replaced by the folder's rows (a removed file's rows leave raw, an emptied
  folder empties the day).
- absent: nothing is known about the day (landing folders may be archived); what was loaded from it stays.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb

from growthmart.connectors.landing import MARKER, is_page
from growthmart.contracts import SourceContract

DAY_FOLDER = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# A logged file is hashed again unless its inode changed (st_ctime: content written, renamed or copied in) more
# than this long before the load that logged it; then its content is what was loaded. Covers the time between
# hashing a file and the load's timestamp, and clock differences between the loader and the file system.
CHANGE_MARGIN = timedelta(days=1)


def scan_landing(landing_dir: Path, sources: list[str]) -> dict[str, list]:
    """Map 'source/day/file' → [size, mtime_ns] for every landing file of the given sources."""
    found: dict[str, list] = {}
    for source in sources:
        root = Path(landing_dir) / source
        if not root.is_dir():
            continue
        for day in sorted(p for p in root.iterdir() if p.is_dir() and DAY_FOLDER.match(p.name)):
            for f in sorted(day.iterdir()):
                # A connector's pages are landed by a run, which loads them itself: a sensor run for them would
                # pull again, and a platform still changing today's figures would keep triggering runs.
                if f.is_file() and not f.name.startswith(".") and not pulled_by_connector(f):
                    st = f.stat()
                    found[f"{source}/{day.name}/{f.name}"] = [st.st_size, st.st_mtime_ns]
    return found


def pulled_by_connector(path: Path) -> bool:
    return path.name == MARKER or is_page(path)


def changed_partitions(current: dict[str, list], cursor: str | None) -> tuple[list[str], str]:
    """Days whose files are new, changed or removed since `cursor`; returns (sorted days, new cursor)."""
    previous = json.loads(cursor) if cursor else {}
    days = {key.split("/")[1] for key, stamp in current.items() if previous.get(key) != stamp}
    days |= {key.split("/")[1] for key in previous if key not in current}  # a removed file's rows leave raw
    return sorted(days), json.dumps(current, sort_keys=True)


@dataclass(frozen=True)
class DayChange:
    """A landing day whose files differ from what raw.load_log says was loaded from it."""

    source: str
    day: str
    added: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()

    def describe(self) -> str:
        parts = [
            f"{label} {', '.join(names)}"
            for label, names in (
                ("new file(s)", self.added),
                ("changed file(s)", self.changed),
                ("removed file(s), their rows leave raw:", self.removed),
            )
            if names
        ]
        return "; ".join(parts)


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def loaded_files(con: duckdb.DuckDBPyConnection, source: str) -> dict[str, dict[str, tuple[str, datetime]]]:
    """day → {file (relative to landing) → (sha256, loaded_at naive UTC)} from raw.load_log."""
    from growthmart.ingest.dialect import table_exists  # the loader imports this module

    if not table_exists(con, "raw", "load_log"):
        return {}
    out: dict[str, dict[str, tuple[str, datetime]]] = {}
    for day, file, digest, loaded_at in con.execute(
        "select partition_date, source_file, file_sha256, loaded_at from raw.load_log where source = ?",
        [source],
    ).fetchall():
        out.setdefault(day.isoformat(), {})[file] = (digest, loaded_at)
    return out


def changed_days(
    con: duckdb.DuckDBPyConnection,
    contract: SourceContract,
    landing_dir: Path,
    before: str,
    valid_days: set[str] | None = None,
) -> list[DayChange]:
    """The landing days of `contract` before `before` whose folder's files are not the files loaded from it
    (file name and sha256, as raw.load_log records them), oldest first. Days with no folder are left alone."""
    from growthmart.ingest.loader import partition_files  # the loader's rule for which files a day holds

    landing_dir = Path(landing_dir)
    logged = loaded_files(con, contract.name)
    root = landing_dir / contract.name
    folders = (
        sorted(p.name for p in root.iterdir() if p.is_dir() and DAY_FOLDER.match(p.name))
        if root.is_dir()
        else []
    )
    changes = []
    for day in folders:
        if day >= before or (valid_days is not None and day not in valid_days):
            continue
        was = logged.get(day, {})
        now = {str(p.relative_to(landing_dir)): p for p in partition_files(landing_dir, contract, day)}
        added = tuple(sorted(f for f in now if f not in was))
        removed = tuple(sorted(f for f in was if f not in now))
        changed = tuple(sorted(f for f, p in now.items() if f in was and _changed_since_load(p, *was[f])))
        if added or removed or changed:
            changes.append(DayChange(contract.name, day, added, changed, removed))
    return changes


def _changed_since_load(path: Path, digest: str, loaded_at: datetime) -> bool:
    ctime = datetime.fromtimestamp(path.stat().st_ctime, UTC).replace(tzinfo=None)
    if loaded_at is not None and ctime < loaded_at - CHANGE_MARGIN:
        return False
    return sha256(path) != digest
