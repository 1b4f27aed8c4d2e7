"""Landing a day's API pages: the raw responses, one file per page, and a completion marker written last.

landing/<source>/<day>/
    api-<account>-p0001.json   the response body of page 1 for that account, unchanged (secrets redacted)
    ...
    _SUCCESS                   written last: every page's sha256, rows and request context (no secret)

Each page is written atomically; a page identical to the one on disk is left untouched, so a rerun with the same
responses changes nothing. Before the first page that differs (or the first stale page removed: the day shrank
since an earlier pull), the day's marker is removed; the marker is written last. A crash between pages therefore leaves a day without a marker, which the loader refuses
to load as complete; the rerun lands the same files (names are deterministic: account and page number).
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from growthmart.connectors.files import atomic_write

MARKER = "_SUCCESS"
PAGE_GLOB = "api-*.json"
PAGE_NAME = re.compile(r"^api-[A-Za-z0-9_.=-]+-p\d{4,}\.json$")


def page_name(account: str, page: int) -> str:
    return f"api-{re.sub(r'[^A-Za-z0-9_.=-]', '_', str(account))}-p{page:04d}.json"


def is_page(path: Path) -> bool:
    return bool(PAGE_NAME.match(Path(path).name))


def read_marker(folder: Path) -> dict | None:
    """The day's completion marker, or None when the day's pull did not finish."""
    marker = Path(folder) / MARKER
    return json.loads(marker.read_text()) if marker.exists() else None


@dataclass
class DayLanding:
    """One day's API landing folder, filled page by page and marked complete at the end."""

    landing_dir: Path
    source: str
    day: str
    pages: dict[str, dict] = field(default_factory=dict)

    @property
    def folder(self) -> Path:
        return Path(self.landing_dir) / self.source / self.day

    def begin(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        for tmp in self.folder.glob(".*.tmp-*"):  # a crashed write's leftover
            tmp.unlink(missing_ok=True)

    def write_page(self, name: str, body: bytes, rows: int, context: dict) -> None:
        path = self.folder / name
        if not (path.exists() and path.read_bytes() == body):
            self._incomplete()
            atomic_write(path, body)
        self.pages[name] = {"sha256": hashlib.sha256(body).hexdigest(), "rows": rows, "context": context}

    def complete(self) -> None:
        for old in self.folder.glob(PAGE_GLOB):
            if old.name not in self.pages:  # the day shrank since an earlier pull (a restatement)
                self._incomplete()
                old.unlink()
        marker = {"source": self.source, "day": self.day, "pages": self.pages}
        data = (json.dumps(marker, sort_keys=True, ensure_ascii=False, indent=1) + "\n").encode()
        path = self.folder / MARKER
        if not (path.exists() and path.read_bytes() == data):
            atomic_write(path, data)

    def _incomplete(self) -> None:
        """From the first change on, the day no longer looks complete until `complete` says so."""
        (self.folder / MARKER).unlink(missing_ok=True)
