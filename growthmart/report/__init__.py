"""Static HTML reports (daily, weekly, monthly, index) from the published DuckDB: offline, ≤ 2 MB a page.

build_reports(published_dir)                         every page and the index
build_reports(published_dir, day=d)                  the daily page of d, its week's and month's, the index
build_reports(published_dir, period="weekly", day=d) the week containing d, the index
build_range(published_dir, first, last)              what a run over first..last changed (nightly runs)
"""

from __future__ import annotations

import os
from datetime import date, timedelta
from pathlib import Path

from growthmart.report.data import PERIODS, Period, PublishedData
from growthmart.report.i18n import Labels
from growthmart.report.render import PageBuilder
from growthmart.report.run_record import read_run_record, write_run_record

REPORTS_DIR = "reports"
ASSETS_DIR = "assets"
MAX_PAGE_BYTES = 2 * 1024 * 1024


def plotly_js() -> tuple[str, str]:
    """(file name, source) of the plotly.js bundled in the plotly Python package: no network needed."""
    import plotly
    from plotly.offline import get_plotlyjs

    return f"plotly-{plotly.__version__}.min.js", get_plotlyjs()


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)  # a reader never sees half a page
    return path


def _ensure_assets(reports_dir: Path) -> str:
    name, source = plotly_js()
    target = reports_dir / ASSETS_DIR / name
    if not target.exists() or target.stat().st_size != len(source.encode("utf-8")):
        _write(target, source)
    return f"../{ASSETS_DIR}/{name}"


def _lang(lang: str | None) -> str:
    if lang:
        return lang
    from growthmart.config import settings

    return settings().report_lang


def _timezone() -> str:
    """The reporting timezone (GROWTHMART_TIMEZONE): the pages show times in it."""
    from growthmart.config import settings

    return settings().timezone


def _pages(
    keys: dict[str, list[date]], period: str | None, day: date | None, days: tuple[date, date] | None
) -> list[Period]:
    if days is not None:
        first, last = days
        wanted: set[Period] = set()
        d = first
        while d <= last:
            wanted |= {Period.containing(kind, d) for kind in PERIODS}
            d += timedelta(days=1)
        return sorted((p for p in wanted if p.start in keys[p.kind]), key=lambda p: (p.kind, p.start))
    kinds = [period] if period else list(PERIODS)
    if day is None:
        return [Period(kind, k) for kind in kinds for k in keys[kind]]
    found = [Period.containing(kind, day) for kind in kinds]
    return [p for p in found if p.start in keys[p.kind]]


def _build(
    published_dir: Path,
    period: str | None = None,
    day: date | None = None,
    lang: str | None = None,
    days: tuple[date, date] | None = None,
) -> list[Path]:
    if period is not None and period not in PERIODS:
        raise ValueError(f"period must be one of {PERIODS}, not {period!r}")
    published_dir = Path(published_dir)
    db = published_dir / "growthmart.duckdb"
    if not db.exists():
        raise FileNotFoundError(f"no publication at {db}: run the pipeline first (make run)")
    labels = Labels(_lang(lang))
    reports_dir = published_dir / REPORTS_DIR
    data = PublishedData(db)
    try:
        keys = {kind: data.period_keys(kind) for kind in PERIODS}
        run_id, published_at, tables = data.publication()
        quality = {
            "timezone": _timezone(),
            "run_id": run_id,
            "published_at": published_at,
            "tables": tables,
            "record": read_run_record(published_dir, run_id),
        }
        builder = PageBuilder(data, labels, keys, quality)
        pages = _pages(keys, period, day, days)
        asset_js = _ensure_assets(reports_dir) if pages else ""
        written = [_write(reports_dir / p.relpath, builder.period_page(p, asset_js)) for p in pages]
        written.append(_write(reports_dir / "index.html", builder.index_page()))
    finally:
        data.close()
    too_big = [p for p in written if p.stat().st_size > MAX_PAGE_BYTES]
    if too_big:
        raise RuntimeError(f"report pages over {MAX_PAGE_BYTES} bytes: {too_big}")
    return written


def build_reports(
    published_dir: Path, period: str | None = None, day: date | None = None, lang: str | None = None
) -> list[Path]:
    """Write report pages and the index under <published_dir>/reports/; return the paths written.

    Every page of every period when `period` and `day` are None; with `day`, the pages containing it (of
    `period`, or daily + weekly + monthly); with only `period`, all pages of that period."""
    return _build(published_dir, period=period, day=day, lang=lang)


def build_range(published_dir: Path, first: date, last: date, lang: str | None = None) -> list[Path]:
    """The pages a run over partitions first..last changed: its days, their weeks and months, and the index."""
    return _build(published_dir, lang=lang, days=(first, last))


def index_path(published_dir: Path) -> Path:
    return Path(published_dir) / REPORTS_DIR / "index.html"


__all__ = ["build_range", "build_reports", "index_path", "read_run_record", "write_run_record"]
