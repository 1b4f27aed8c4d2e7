"""The app database source's files: landing rows as text, atomic writes, and the pull's state (watermarks and
the keys landed) under <data>/connector_state/app_db/, committed by one atomic rename."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import os
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from growthmart.config import PRIVATE_DIR_MODE, PRIVATE_FILE_MODE

FILE_PREFIX = "app_db_"
STATE_DIR = Path("connector_state") / "app_db"


# ---------------------------------------------------------------------------------------------- formatting
def to_text(value) -> str:
    """A database value as the landing file spells it: ISO-8601 UTC with 'Z', decimals as stored, '' for NULL."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            raise TypeError("naive timestamp from the app database: declare the column timestamptz")
        utc = value.astimezone(dt.UTC)
        spec = "%Y-%m-%dT%H:%M:%S.%f" if utc.microsecond else "%Y-%m-%dT%H:%M:%S"
        return utc.strftime(spec) + "Z"
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


def file_name(source: str, day: str) -> str:
    return f"{FILE_PREFIX}{source}_{day}.csv"


def render_csv(columns: Iterable[str], rows: Iterable[dict[str, str]]) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    cols = list(columns)
    writer.writerow(cols)
    writer.writerows([r[c] for c in cols] for r in rows)
    return buf.getvalue().encode("utf-8")


def write_atomic(path: Path, data: bytes) -> bool:
    """Replace `path` with `data` (temp file + fsync + rename, mode 0600); False when it already held them."""
    if path.exists() and path.read_bytes() == data:
        return False
    missing = [p for p in (path.parent, *path.parent.parents) if not p.exists()]
    for folder in reversed(missing):  # owner-only folders: they hold user-level rows (growthmart/config.py)
        folder.mkdir(mode=PRIVATE_DIR_MODE, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, PRIVATE_FILE_MODE)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)  # the rename itself survives a power cut
    finally:
        os.close(dir_fd)
    return True


# ---------------------------------------------------------------------------------------------- state
@dataclass
class TableState:
    watermark: str | None = None  # ISO-8601 UTC of the newest updated_at landed
    keys_file: str | None = None  # name of the file of keys landed (key TAB identity JSON, sorted)


class StateStore:
    """Watermarks and landed key sets under <data>/connector_state/app_db/, committed by one atomic rename."""

    def __init__(self, data_dir: Path) -> None:
        self.dir = Path(data_dir) / STATE_DIR
        self.path = self.dir / "state.json"

    def load(self, tables: Iterable[str]) -> dict[str, TableState]:
        raw = json.loads(self.path.read_text()) if self.path.exists() else {}
        return {t: TableState(**raw.get(t, {})) for t in tables}

    def load_keys(self, state: TableState) -> dict[str, str]:
        if not state.keys_file:
            return {}
        path = self.dir / state.keys_file
        if not path.exists():
            raise FileNotFoundError(
                f"app database: the landed key set {path} named by {self.path} is missing"
            )
        out = {}
        for line in path.read_text().splitlines():
            key, _, identity = line.partition("\t")
            out[key] = identity
        return out

    def save_keys(self, table: str, keys: dict[str, str]) -> str:
        data = "".join(f"{k}\t{keys[k]}\n" for k in sorted(keys)).encode()
        name = f"keys-{table}-{hashlib.sha256(data).hexdigest()[:16]}.tsv"
        write_atomic(self.dir / name, data)
        return name

    def commit(self, states: dict[str, TableState]) -> None:
        data = json.dumps({k: vars(v) for k, v in states.items()}, indent=2, sort_keys=True) + "\n"
        write_atomic(self.path, data.encode())
        kept = {s.keys_file for s in states.values()}
        for old in self.dir.glob("keys-*.tsv"):
            if old.name not in kept:
                old.unlink(missing_ok=True)
