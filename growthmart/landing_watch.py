"""Notice new or changed landing files: which (source, day) partitions need loading again."""

from __future__ import annotations

import json
import re
from pathlib import Path

DAY_FOLDER = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def scan_landing(landing_dir: Path, sources: list[str]) -> dict[str, list]:
    """Map 'source/day/file' → [size, mtime_ns] for every landing file of the given sources."""
    found: dict[str, list] = {}
    for source in sources:
        root = Path(landing_dir) / source
        if not root.is_dir():
            continue
        for day in sorted(p for p in root.iterdir() if p.is_dir() and DAY_FOLDER.match(p.name)):
            for f in sorted(day.iterdir()):
                if f.is_file() and not f.name.startswith("."):
                    st = f.stat()
                    found[f"{source}/{day.name}/{f.name}"] = [st.st_size, st.st_mtime_ns]
    return found


def changed_partitions(current: dict[str, list], cursor: str | None) -> tuple[list[str], str]:
    """Days whose files are new or changed since `cursor`; returns (sorted days, new cursor)."""
    previous = json.loads(cursor) if cursor else {}
    days = {key.split("/")[1] for key, stamp in current.items() if previous.get(key) != stamp}
    return sorted(days), json.dumps(current, sort_keys=True)
