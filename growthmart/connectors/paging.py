"""Paginators: where a page's position goes in the request, the next position, and the totals to assert.

Each paginator reads the platform's own paging fields and stops at the end; a page that repeats a position
(a cursor seen before, a page number out of order) or totals that do not add up fail the pull rather than
land a day with a missing or repeated page.
"""

from __future__ import annotations

from dataclasses import dataclass

from growthmart.connectors.errors import PlatformError


def dig(body, path: tuple):
    """body[path[0]][path[1]]... or None when any step is missing."""
    for step in path:
        try:
            body = body[step]
        except (KeyError, IndexError, TypeError):
            return None
    return body


@dataclass(frozen=True)
class PageNumber:
    """page / page_size with the platform's page_info {page, total_page, total_number} (Ocean Engine, Tencent)."""

    page_param: str = "page"
    size_param: str = "page_size"
    page_size: int = 1000
    info_path: tuple = ("data", "page_info")
    doc: str = "page / page_size"

    def first(self) -> dict:
        return {self.page_param: 1, self.size_param: self.page_size}

    def next(self, body: dict, position: dict, rows: int) -> dict | None:
        info = dig(body, self.info_path) or {}
        if int(info.get("page", position[self.page_param])) != position[self.page_param]:
            raise PlatformError(f"asked for page {position[self.page_param]}, got page {info.get('page')}")
        if position[self.page_param] >= int(info.get("total_page") or 0):
            return None
        return {**position, self.page_param: position[self.page_param] + 1}

    def total(self, body: dict) -> int | None:
        info = dig(body, self.info_path) or {}
        return int(info["total_number"]) if "total_number" in info else None


@dataclass(frozen=True)
class Offset:
    """startRow / rowCount with the platform's total row count (Baidu getReportData)."""

    start_param: str = "startRow"
    count_param: str = "rowCount"
    page_size: int = 1000
    total_path: tuple = ()
    doc: str = "startRow / rowCount"

    def first(self) -> dict:
        return {self.start_param: 0, self.count_param: self.page_size}

    def next(self, body: dict, position: dict, rows: int) -> dict | None:
        # Advance by the rows the platform returned, not the rows asked for: a server may cap rowCount.
        following = position[self.start_param] + rows
        if following >= (self.total(body) or 0):
            return None
        if rows == 0:
            raise PlatformError(f"an empty page at row {following} of {self.total(body)}")
        return {**position, self.start_param: following}

    def total(self, body: dict) -> int | None:
        value = dig(body, self.total_path)
        return int(value) if value is not None else None


@dataclass(frozen=True)
class Cursor:
    """An opaque cursor: the next request carries it until the response has no next link (Meta's
    `paging.cursors.after` + `paging.next`). No totals are reported; a repeated cursor is an error."""

    cursor_param: str = "after"
    cursor_path: tuple = ("paging", "cursors", "after")
    next_path: tuple = ("paging", "next")
    size_param: str = "limit"
    page_size: int = 500
    doc: str = "cursor"

    def first(self) -> dict:
        return {self.size_param: self.page_size}

    def next(self, body: dict, position: dict, rows: int) -> dict | None:
        if not dig(body, self.next_path):
            return None
        cursor = dig(body, self.cursor_path)
        if not cursor or cursor == position.get(self.cursor_param):
            raise PlatformError(f"the next page's cursor {cursor!r} repeats this page's or is missing")
        return {**position, self.cursor_param: cursor}

    def total(self, body: dict) -> int | None:
        return None


@dataclass(frozen=True)
class NextToken:
    """A page token returned as `nextPageToken` (Google Ads search), with an optional total."""

    token_param: str = "pageToken"
    token_path: tuple = ("nextPageToken",)
    total_path: tuple = ("totalResultsCount",)
    doc: str = "nextPageToken"

    def first(self) -> dict:
        return {}

    def next(self, body: dict, position: dict, rows: int) -> dict | None:
        token = dig(body, self.token_path)
        if not token:
            return None
        if token == position.get(self.token_param):
            raise PlatformError(f"the next page token {token!r} repeats this page's")
        return {**position, self.token_param: token}

    def total(self, body: dict) -> int | None:
        value = dig(body, self.total_path)
        return int(value) if value is not None else None


@dataclass(frozen=True)
class PageTotal:
    """page_num / page_size with only the total row count in the answer (Xiaohongshu 聚光 `data.total_count`).

    The platform does not echo the page or count pages, so the rows are counted: the pull ends once the pages
    held `total` rows. A server that serves fewer rows than asked on page 1 (a capped page size) is followed
    at that size from page 2 on, so page numbers keep addressing consecutive rows; a short page before the
    total, or an empty one, fails the pull.
    """

    page_param: str = "page_num"
    size_param: str = "page_size"
    page_size: int = 1000
    total_path: tuple = ("data", "total_count")
    doc: str = "page_num / page_size until total_count rows"

    def first(self) -> dict:
        return {self.page_param: 1, self.size_param: self.page_size}

    def next(self, body: dict, position: dict, rows: int) -> dict | None:
        page, size, total = position[self.page_param], position[self.size_param], self.total(body) or 0
        seen = (page - 1) * size + rows
        if seen >= total:
            return None
        if rows == 0:
            raise PlatformError(f"page {page} is empty at row {seen} of {total}")
        if rows < size:
            if page != 1:
                raise PlatformError(f"page {page} held {rows} rows of {size} before the total of {total}")
            return {**position, self.page_param: 2, self.size_param: rows}  # the server's page size
        return {**position, self.page_param: page + 1}

    def total(self, body: dict) -> int | None:
        value = dig(body, self.total_path)
        return int(value) if value is not None else None


class SinglePage:
    """No paging: one request answers the whole report (WeChat datacube: one day per call, the page is the day)."""

    doc: str = "none (one call per day)"

    def first(self) -> dict:
        return {}

    def next(self, body: dict, position: dict, rows: int) -> dict | None:
        return None

    def total(self, body: dict) -> int | None:
        return None
