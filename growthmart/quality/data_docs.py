"""Great Expectations Data Docs of the pipeline's runs: every validation recorded, a static site rebuilt.

Recording. A Dagster check opens `recording(data_dir, run_id, check=..., suite=...)`; inside it every
`gx_runner.validate` call, and every suite run as SQL (`record_pushdown`), writes one JSON file
(atomically: a temporary name, then `os.replace`) under `<data_dir>/gx/validations/<run_id>/`. A file holds
the GX `ExpectationSuiteValidationResult` as GX serialises it, plus what the site needs to list it: the
check, the batch (which partition / slice / table), the engine (GX on pandas, or DuckDB SQL pushdown) and a
status: passed, failed or error. A validation that raised is recorded as an error (its message kept), and
so is an exception that leaves a recording block before its suite recorded anything: it shows in the docs.
A file per validation means checks need no shared state (Dagster may run them in separate processes).

Site. `build_site(data_dir, published_dir)` keeps the newest `KEEP_RUNS` run folders (older ones are
deleted), renders each recorded result with GX's own renderers (`ValidationResultsPageRenderer` +
`DefaultJinjaPageView`) into `<published_dir>/data_docs/validations/<run_id>/<file>.html` (a page is
rendered once: it is kept while its JSON is unchanged) and writes `data_docs/index.html`: the runs, newest
first, and their validations with status. GX's pages load Bootstrap, jQuery, Font Awesome and Vega from
CDNs; `data_docs_offline.py` makes them offline (its stylesheet and script are package data in `static/`),
and GX's local stylesheet and logo are copied beside the pages.
Nothing here reads the warehouse: the site is built from the recorded JSON only.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import html
import json
import os
import re
import shutil
import threading
import time
import uuid
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from growthmart.quality.data_docs_offline import GX_IMAGES, gx_static, offline, site_css

KEEP_RUNS = 7  # run folders kept under <data_dir>/gx/validations (and pages in the site)
FORMAT = 1
SITE_DIR_NAME = "data_docs"
FAILED_MARKER = "_failed"  # in a run folder once anything in that run failed: later checks rebuild the site

ENGINE_GX = "great_expectations"
ENGINE_SQL = "sql_pushdown"
ENGINE_NONE = "none"  # the validation raised before any engine produced a result
SQL_NOTE = (
    "Evaluated by growthmart's SQL pushdown in DuckDB over every row of the batch, not by Great "
    "Expectations: the same expectation specs translated to one aggregate query with GX's pandas "
    "semantics (growthmart/quality/pushdown.py); counts and up to 5 sample values per expectation."
)


class DataDocsError(RuntimeError):
    """The result store or the site cannot be read or written."""


def validations_root(data_dir: Path | str) -> Path:
    return Path(data_dir) / "gx" / "validations"


def site_dir(published_dir: Path | str) -> Path:
    return Path(published_dir) / SITE_DIR_NAME


# --------------------------------------------------------------------------------------------------------------
# Recording


@dataclass
class Recorder:
    data_dir: Path
    published_dir: Path
    run_id: str
    check: str | None
    suite: str | None
    statuses: list[str] = field(default_factory=list)
    check_failed: bool = False  # set by the check when its verdict is a failure without a failed suite

    @property
    def run_dir(self) -> Path:
        return validations_root(self.data_dir) / safe_name(self.run_id)


_current: contextvars.ContextVar[Recorder | None] = contextvars.ContextVar(
    "gx_data_docs_recorder", default=None
)


def current() -> Recorder | None:
    return _current.get()


@contextlib.contextmanager
def recording(
    data_dir: Path | str,
    run_id: str | None,
    check: str | None = None,
    suite: str | None = None,
    published_dir: Path | str | None = None,
) -> Iterator[Recorder]:
    """Record every validation made inside the block for run `run_id` (a manual id when None).

    On leaving: an exception that no recorded error accounts for is recorded as an error of `suite` (when
    given); and when anything in this run has failed, the site is rebuilt right away, because a failed
    blocking check keeps the downstream data-docs asset from running.
    """
    data_dir = Path(data_dir)
    rec = Recorder(
        data_dir=data_dir,
        published_dir=Path(published_dir) if published_dir else data_dir / "published",
        run_id=run_id or f"manual-{datetime.now(UTC):%Y%m%dT%H%M%S}",
        check=check,
        suite=suite,
    )
    token = _current.set(rec)
    try:
        yield rec
    except Exception as exc:
        try:  # the check's own exception stays the one raised; a docs failure on top is noted on it
            if (
                suite is not None
                and not getattr(exc, "_gx_recorded", False)
                and not isinstance(exc, DataDocsError)
            ):
                record_error(suite, f"{type(exc).__name__}: {exc}", batch=None)
            _after(rec, failed=True)
        except (DataDocsError, OSError) as docs_exc:
            exc.add_note(f"and the Data Docs could not record it: {docs_exc}")
        raise
    finally:
        _current.reset(token)
    _after(rec, failed=rec.check_failed or any(s != "passed" for s in rec.statuses))


def _after(rec: Recorder, failed: bool) -> None:
    try:
        if failed:
            rec.run_dir.mkdir(parents=True, exist_ok=True)
            (rec.run_dir / FAILED_MARKER).touch()
    except OSError as exc:
        raise DataDocsError(f"cannot mark run {rec.run_id} failed in {rec.run_dir}: {exc}") from exc
    if (rec.run_dir / FAILED_MARKER).exists():
        build_site(rec.data_dir, rec.published_dir)


def record_result(
    result: Any, suite: str, batch: str | None, engine: str = ENGINE_GX, error: str | None = None
) -> Path | None:
    """Write a GX ExpectationSuiteValidationResult of the active recorder's run; None when none is active."""
    rec = current()
    if rec is None:
        return None
    passed = error is None and result is not None and bool(result.success)
    status = "error" if error is not None else ("passed" if passed else "failed")
    recorded_at = datetime.now(UTC).isoformat(timespec="milliseconds")
    serialised = result.to_json_dict() if result is not None else None
    if serialised is not None:  # GX's page shows the run's name and time from here
        serialised.setdefault("meta", {}).setdefault(
            "run_id", {"run_name": rec.run_id, "run_time": recorded_at}
        )
    payload = {
        "format": FORMAT,
        "run_id": rec.run_id,
        "recorded_at": recorded_at,
        "check": rec.check,
        "suite": suite,
        "batch": batch,
        "engine": engine,
        "status": status,
        "error": error,
        "result": serialised,
    }
    stem = f"{int(time.time() * 1000):013d}-{safe_name(suite)}-{engine}-{uuid.uuid4().hex[:6]}"
    path = rec.run_dir / f"{stem}.json"
    try:
        rec.run_dir.mkdir(parents=True, exist_ok=True)
        _atomic_write(path, json.dumps(payload, default=str, indent=1))
    except OSError as exc:
        raise DataDocsError(
            f"cannot record validation {suite} of run {rec.run_id} in {rec.run_dir}: {exc}"
        ) from exc
    rec.statuses.append(status)
    return path


def record_error(
    suite: str, message: str, batch: str | None, result: Any = None, engine: str = ENGINE_NONE
) -> None:
    record_result(result, suite, batch, engine=engine if result is not None else ENGINE_NONE, error=message)


def record_pushdown(
    suite: str,
    expectations: Sequence[Any],
    outcome: Any,
    batch: str,
    table_level: Sequence[tuple[Any, bool, Any]] = (),
) -> Path | None:
    """Record a suite evaluated in SQL (`pushdown.PushdownOutcome`) as a GX ExpectationSuiteValidationResult.

    `expectations` are the `Expect` specs pushed down, in the order of `outcome.counts`; `table_level` adds
    (spec, success, observed value) of expectations the caller evaluated itself (a row count).
    """
    if current() is None:
        return None
    return record_result(pushdown_result(suite, expectations, outcome, table_level), suite, batch, ENGINE_SQL)


def pushdown_result(
    suite: str, expectations: Sequence[Any], outcome: Any, table_level: Sequence[tuple[Any, bool, Any]] = ()
) -> Any:
    from great_expectations.core import ExpectationSuiteValidationResult, ExpectationValidationResult

    counts = list(outcome.counts)
    if len(counts) != len(expectations):
        raise DataDocsError(f"suite {suite}: {len(counts)} SQL counts for {len(expectations)} expectations")
    n = int(outcome.row_count)
    results = []
    for spec, count in zip(expectations, counts, strict=True):
        config = spec.to_gx().configuration
        config.meta = {**(config.meta or {}), "engine": ENGINE_SQL}
        unexpected = int(count.unexpected_count)
        results.append(
            ExpectationValidationResult(
                success=unexpected == 0,
                expectation_config=config,
                result={
                    "element_count": n,
                    "unexpected_count": unexpected,
                    "unexpected_percent": 100.0 * unexpected / n if n else 0.0,
                    "partial_unexpected_list": list(count.sample),
                },
                meta={"engine": ENGINE_SQL},
            )
        )
    for spec, success, observed in table_level:
        results.append(
            ExpectationValidationResult(
                success=bool(success),
                expectation_config=spec.to_gx().configuration,
                result={"observed_value": observed},
                meta={"engine": ENGINE_SQL},
            )
        )
    good = sum(1 for r in results if r.success)
    return ExpectationSuiteValidationResult(
        success=good == len(results),
        results=results,
        suite_name=suite,
        statistics={
            "evaluated_expectations": len(results),
            "successful_expectations": good,
            "unsuccessful_expectations": len(results) - good,
            "success_percent": 100.0 * good / len(results) if results else None,
        },
        meta={"engine": ENGINE_SQL, "note": SQL_NOTE, "table": outcome.table, "rows": n},
    )


# --------------------------------------------------------------------------------------------------------------
# Reading the store


@dataclass(frozen=True)
class Recorded:
    path: Path
    run_id: str
    recorded_at: str
    check: str | None
    suite: str
    batch: str | None
    engine: str
    status: str
    error: str | None
    result: dict | None

    @property
    def evaluated(self) -> int:
        return int(((self.result or {}).get("statistics") or {}).get("evaluated_expectations") or 0)

    @property
    def unsuccessful(self) -> int:
        return int(((self.result or {}).get("statistics") or {}).get("unsuccessful_expectations") or 0)

    def failed_expectations(self) -> list[tuple[str, str | None, Any]]:
        out = []
        for r in (self.result or {}).get("results") or []:
            if not r.get("success"):
                cfg = r.get("expectation_config") or {}
                kwargs = cfg.get("kwargs") or {}
                column = (
                    kwargs.get("column")
                    or ", ".join(str(kwargs[k]) for k in ("column_A", "column_B") if k in kwargs)
                    or (", ".join(kwargs["column_list"]) if "column_list" in kwargs else None)
                )
                res = r.get("result") or {}
                detail = res.get("unexpected_count", res.get("observed_value"))
                out.append((str(cfg.get("type")), column, detail))
        return out


def load_record(path: Path) -> Recorded:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("format") != FORMAT:
            raise ValueError(f"format {data.get('format')!r}, expected {FORMAT}")
        return Recorded(
            path=path,
            run_id=str(data["run_id"]),
            recorded_at=str(data["recorded_at"]),
            check=data.get("check"),
            suite=str(data["suite"]),
            batch=data.get("batch"),
            engine=str(data["engine"]),
            status=str(data["status"]),
            error=data.get("error"),
            result=data.get("result"),
        )
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise DataDocsError(f"unreadable validation result {path}: {exc}") from exc


def run_dirs(data_dir: Path | str) -> list[Path]:
    """Recorded runs, newest first (by their newest result file)."""
    root = validations_root(data_dir)
    if not root.exists():
        return []
    if not root.is_dir():
        raise DataDocsError(f"validation result store {root} is not a directory")
    dirs = [d for d in root.iterdir() if d.is_dir()]
    return sorted(dirs, key=_newest_mtime, reverse=True)


def _newest_mtime(run_dir: Path) -> float:
    return max((p.stat().st_mtime for p in run_dir.glob("*.json")), default=run_dir.stat().st_mtime)


def prune(data_dir: Path | str, keep: int = KEEP_RUNS) -> list[str]:
    """Delete all but the newest `keep` run folders; the run ids deleted."""
    dropped = run_dirs(data_dir)[keep:]
    for d in dropped:
        shutil.rmtree(d)
    return [d.name for d in dropped]


# --------------------------------------------------------------------------------------------------------------
# The site


@dataclass(frozen=True)
class Site:
    index: Path
    runs: int
    validations: int
    failed: int
    errors: int
    pages_rendered: int
    pruned: tuple[str, ...]
    seconds: float


def build_site(data_dir: Path | str, published_dir: Path | str, keep: int = KEEP_RUNS) -> Site:
    """Prune the store to `keep` runs and (re)build `<published_dir>/data_docs/` from it."""
    started = time.perf_counter()
    site = site_dir(published_dir)
    try:
        pruned = prune(data_dir, keep)
        runs = [
            (d, sorted((load_record(p) for p in d.glob("*.json")), key=lambda r: r.recorded_at))
            for d in run_dirs(data_dir)
        ]
        pages_root = site / "validations"
        pages_root.mkdir(parents=True, exist_ok=True)
        _write_static(site)
        kept = {d.name for d, _ in runs}
        for stale in pages_root.iterdir():
            if stale.name not in kept:
                shutil.rmtree(stale) if stale.is_dir() else stale.unlink()
        rendered = 0
        for run_dir, records in runs:
            out_dir = pages_root / run_dir.name
            out_dir.mkdir(exist_ok=True)
            wanted = {r.path.stem for r in records}
            for old in out_dir.glob("*.html"):
                if old.stem not in wanted:
                    old.unlink()
            for r in records:
                page = out_dir / f"{r.path.stem}.html"
                if page.exists() and page.stat().st_mtime >= r.path.stat().st_mtime:
                    continue
                _atomic_write(page, render_page(r))
                rendered += 1
        index = site / "index.html"
        _atomic_write(index, render_index(runs))
    except DataDocsError:
        raise
    except OSError as exc:
        raise DataDocsError(f"cannot build the Data Docs site in {site}: {exc}") from exc
    records = [r for _, rs in runs for r in rs]
    return Site(
        index=index,
        runs=len(runs),
        validations=len(records),
        failed=sum(r.status == "failed" for r in records),
        errors=sum(r.status == "error" for r in records),
        pages_rendered=rendered,
        pruned=tuple(pruned),
        seconds=time.perf_counter() - started,
    )


def _write_static(site: Path) -> None:
    static = site / "static"
    (static / "images").mkdir(parents=True, exist_ok=True)
    _write_if_changed(static / "data_docs.css", site_css())
    for image in GX_IMAGES:
        target = static / "images" / image
        if not target.exists():
            shutil.copyfile(gx_static() / "images" / image, target)


def render_page(r: Recorded) -> str:
    """One validation's page: GX's own rendering when there is a result, made offline, with a banner."""
    banner = _banner(r)
    if r.result is None:
        body = f"<h1>{_e(r.suite)}</h1><p>No validation result: the validation raised.</p>"
        return _shell(f"{r.suite} — error", banner + body, prefix="../../")
    from great_expectations.core.expectation_validation_result import ExpectationSuiteValidationResultSchema

    try:
        result = ExpectationSuiteValidationResultSchema().load(r.result)
        renderer, view = _gx_renderer()
        with _render_lock:
            page = view.render(renderer.render(result))
    except Exception as exc:  # a result GX cannot render still has to show up
        raise DataDocsError(f"Great Expectations could not render {r.path}: {exc}") from exc
    page = offline(page)
    return re.sub(r"(<body\b[^>]*>)", lambda m: m.group(1) + banner, page, count=1)


_render_lock = threading.Lock()


@functools.cache
def _gx_renderer() -> tuple[Any, Any]:
    """One renderer and one view per process: each view owns a Jinja environment that compiles GX's
    templates on first use (~15 per page); a fresh view per page made a page ~80 ms instead of ~10 ms."""
    from great_expectations.render.renderer import ValidationResultsPageRenderer
    from great_expectations.render.view import DefaultJinjaPageView

    return ValidationResultsPageRenderer(), DefaultJinjaPageView()


_STATUS_LABEL = {"passed": "✔ passed", "failed": "✖ failed", "error": "⚠ error"}


def _banner(r: Recorded) -> str:
    rows = [
        ("Run", r.run_id),
        ("Recorded", r.recorded_at),
        ("Check", r.check or "—"),
        ("Suite", r.suite),
        ("Batch", r.batch or "—"),
        (
            "Engine",
            "DuckDB SQL pushdown"
            if r.engine == ENGINE_SQL
            else ("GX (pandas)" if r.engine == ENGINE_GX else "—"),
        ),
    ]
    parts = [
        f'<div class="gm-banner gm-{_e(r.status)}" data-status="{_e(r.status)}" data-suite="{_e(r.suite)}">',
        '<p><a href="../../index.html">← all validations</a></p>',
        f'<p class="gm-status">{_STATUS_LABEL.get(r.status, r.status)}</p>',
        "<table>" + "".join(f"<tr><th>{_e(k)}</th><td>{_e(v)}</td></tr>" for k, v in rows) + "</table>",
    ]
    if r.engine == ENGINE_SQL:
        parts.append(f'<p class="gm-note">{_e(SQL_NOTE)}</p>')
    if r.error:
        parts.append(f'<p class="gm-error">Error: {_e(r.error)}</p>')
    failed = r.failed_expectations()
    if failed:
        parts.append("<p>Failed expectations:</p><ul>")
        parts += [
            f'<li class="gm-failed-expectation" data-expectation="{_e(t)}">{_e(t)}'
            f"{' on ' + _e(c) if c else ''}: {_e(d)}</li>"
            for t, c, d in failed
        ]
        parts.append("</ul>")
    parts.append("</div>")
    return "\n".join(parts)


def render_index(runs: Sequence[tuple[Path, Sequence[Recorded]]]) -> str:
    parts = [
        "<h1>Great Expectations Data Docs</h1>",
        f"<p>Validations of the last {len(runs)} pipeline run(s), newest first (at most {KEEP_RUNS} are kept). "
        "Raw suites run twice: in SQL over every row a run loaded (DuckDB pushdown) and in GX on a bounded "
        "slice of the newest partition; report suites run in GX on the whole table, per-user ones in SQL.</p>",
    ]
    if not runs:
        parts.append('<p class="gm-empty">No validation has been recorded yet.</p>')
    for run_dir, records in runs:
        statuses = [r.status for r in records]
        summary = ", ".join(f"{statuses.count(s)} {s}" for s in ("passed", "failed", "error"))
        when = records[-1].recorded_at if records else "—"
        parts.append(
            f'<section class="gm-run" data-run-id="{_e(run_dir.name)}"><h2>Run {_e(run_dir.name)}</h2>'
            f"<p>{_e(when)} — {len(records)} validation(s): {summary}</p>"
        )
        parts.append(
            '<table class="gm-table"><thead><tr><th>Status</th><th>Suite</th><th>Engine</th><th>Batch</th>'
            "<th>Evaluated</th><th>Failed</th><th>Check</th></tr></thead><tbody>"
        )
        for r in records:
            href = f"validations/{_e(run_dir.name)}/{_e(r.path.stem)}.html"
            engine = {ENGINE_SQL: "SQL pushdown", ENGINE_GX: "GX"}.get(r.engine, "—")
            parts.append(
                f'<tr class="gm-validation gm-{_e(r.status)}" data-status="{_e(r.status)}" '
                f'data-suite="{_e(r.suite)}" data-engine="{_e(r.engine)}">'
                f'<td>{_STATUS_LABEL.get(r.status, _e(r.status))}</td><td><a href="{href}">{_e(r.suite)}</a></td>'
                f"<td>{engine}</td><td>{_e(r.batch or '')}</td><td>{r.evaluated}</td>"
                f"<td>{r.unsuccessful if r.status != 'error' else _e(r.error or '')}</td>"
                f"<td>{_e(r.check or '')}</td></tr>"
            )
        parts.append("</tbody></table></section>")
    return _shell("Great Expectations Data Docs — growthmart", "\n".join(parts), prefix="")


def _shell(title: str, body: str, prefix: str) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{_e(title)}</title>"
        f'<link rel="icon" href="{prefix}static/images/favicon.ico">'
        f'<link rel="stylesheet" href="{prefix}static/data_docs.css"></head>\n'
        f'<body class="gm-site"><div class="container-fluid pt-4 pb-4 pl-5 pr-5">\n{body}\n</div></body></html>\n'
    )


def _e(value: Any) -> str:
    return html.escape(str(value), quote=True)


def safe_name(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", name)[:120] or "_"


def _atomic_write(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{uuid.uuid4().hex[:6]}.tmp")
    try:
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


def _write_if_changed(path: Path, text: str) -> None:
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        _atomic_write(path, text)


def summary(site: Site) -> Mapping[str, Any]:
    return {
        "index": str(site.index),
        "runs": site.runs,
        "validations": site.validations,
        "failed": site.failed,
        "errors": site.errors,
        "pages_rendered": site.pages_rendered,
        "pruned_runs": list(site.pruned),
        "seconds": round(site.seconds, 3),
    }
