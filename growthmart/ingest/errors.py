"""The error a landing file that cannot be loaded raises: source, file and, where known, row and column."""

from __future__ import annotations

from pathlib import Path


class LoadError(Exception):
    """A landing file broke its contract so badly that the partition cannot be loaded."""

    def __init__(self, source: str, file: Path | str, message: str, row: int | None = None, column=None):
        self.source, self.file, self.row, self.column = source, str(file), row, column
        where = f"source {source!r}, file {self.file}"
        if row is not None:
            where += f", row {row}"
        if column is not None:
            where += f", column {column!r}"
        super().__init__(f"{where}: {message}")
