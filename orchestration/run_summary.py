"""The end-of-run summary: what was loaded, quarantined, checked and published, and where."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import dagster as dg
import duckdb

from assets.check_outcomes import check_name, check_outcomes
from assets.publish.alerts_asset import FRESHNESS_CHECK
from assets.resources import is_out_of_memory, memory_advice
from growthmart.alerts import DeliveryReport
from growthmart.config import settings
from growthmart.quality import data_docs
from growthmart.quality.verdicts import failure_lines
from growthmart.quality.warehouse import table_exists
from growthmart.report.run_record import quarantine_counts


def _rule(title: str) -> str:
    return f"\n== {title} " + "=" * max(0, 70 - len(title))


def loaded_section(warehouse_path: Path, run_id: str) -> list[str]:
    if not warehouse_path.exists():
        return ["(no warehouse yet)"]
    con = duckdb.connect(str(warehouse_path), read_only=True)
    try:
        has_log = con.execute(
            "select count(*) from information_schema.tables where table_schema = 'raw' and table_name = 'load_log'"
        ).fetchone()[0]
        if not has_log:
            return ["(nothing loaded)"]
        rows = con.execute(
            """select source, count(distinct partition_date), count(*), sum(rows_landed), sum(rows_loaded),
                      sum(rows_quarantined)
               from raw.load_log where run_id = ? group by 1 order by 1""",
            [run_id],
        ).fetchall()
        reasons = [(source, reason, n) for _, source, reason, n in quarantine_counts(con, run_id)]
        warnings = load_warnings(con, run_id)
    finally:
        con.close()
    out = [f"{'source':<28}{'days':>6}{'files':>7}{'landed':>10}{'loaded':>10}{'quarantined':>13}"]
    totals = [0, 0, 0]
    for source, days, files, landed, loaded, quarantined in rows:
        out.append(f"{source:<28}{days:>6}{files:>7}{landed:>10}{loaded:>10}{quarantined:>13}")
        totals = [totals[0] + landed, totals[1] + loaded, totals[2] + quarantined]
    out.append(f"{'total':<41}{totals[0]:>10}{totals[1]:>10}{totals[2]:>13}")
    out.append(f"landed = loaded + quarantined: {'yes' if totals[0] == totals[1] + totals[2] else 'NO'}")
    if reasons:
        out.append("quarantined rows by reason:")
        out += [f"  {source}: {n} × {reason}" for source, reason, n in reasons]
    if warnings:
        out.append("columns the files and the contracts disagree on (loaded; check the export):")
        out += [f"  {source} {day} {file}: {warning}" for source, day, file, warning in warnings]
    return out


def load_warnings(con: duckdb.DuckDBPyConnection, run_id: str, most: int = 20) -> list[tuple]:
    """The loader's warnings of a run (a known column missing from a file, a header the contract does not know):
    (source, day, file, warning), the first `most` of them; none where the table predates them."""
    exists = con.execute(
        "select count(*) from information_schema.tables where table_schema = 'raw' and table_name = 'load_warnings'"
    ).fetchone()[0]
    if not exists:
        return []
    return con.execute(
        """select source, cast(partition_date as varchar), source_file, warning from raw.load_warnings
           where run_id = ? order by 1, 2, 3, 4 limit ?""",
        [run_id, most],
    ).fetchall()


def run_days(tags) -> list[str]:
    """The reporting-timezone days a run was launched for, from its partition tags."""
    if "dagster/asset_partition_range_start" in tags:
        first = date.fromisoformat(tags["dagster/asset_partition_range_start"])
        last = date.fromisoformat(tags["dagster/asset_partition_range_end"])
        return [(first + timedelta(days=i)).isoformat() for i in range((last - first).days + 1)]
    return [tags["dagster/partition"]] if "dagster/partition" in tags else []


def landing_lines(result: dg.ExecuteInProcessResult) -> list[str]:
    """Late or changed earlier landing days the run loaded too, and the run's days without any landing file."""
    out = []
    for m in result.get_asset_materialization_events():
        late = m.materialization.metadata.get("late_days_loaded")
        for day, change in sorted((getattr(late, "value", None) or {}).items()):
            out.append(f"LATE/CHANGED: {m.asset_key.path[-1]} {day} loaded again: {change}")
    if out:
        out.insert(
            0,
            "earlier landing days changed since they were loaded (reloaded; dbt recounts from the earliest):",
        )
    out += days_without_files(run_days(result.dagster_run.tags), settings().landing_dir)
    return out


def days_without_files(days: list[str], landing_dir: Path) -> list[str]:
    """A line per run day (at most 10) without any landing file in any source: its folders are empty, or absent."""
    out = []
    for day in days:
        folders = [p for p in Path(landing_dir).glob(f"*/{day}") if p.is_dir()]
        if any(f for folder in folders for f in folder.iterdir() if not f.name.startswith(".")):
            continue
        where = (
            f"empty folder(s) {', '.join(sorted(f.parent.name for f in folders))}, none for the other sources: "
            "nothing loaded; an empty folder empties what was loaded for the day before"
            if folders
            else "no folder in any source: nothing loaded; what was loaded for the day before, if anything, is kept"
        )
        out.append(f"NO LANDING FILES for {day} ({where})")
    if len(out) > 10:
        out = [*out[:10], f"... and {len(out) - 10} more days without landing files"]
    return out


def _value(metadata: dict, key: str):
    """A check's metadata value as plain Python (Dagster wraps each in a MetadataValue)."""
    value = metadata.get(key)
    return getattr(value, "value", value)


def failed_check_lines(evaluation) -> list[str]:
    """What a failed check found and where: the partitions it checked, each failed expectation with its column,
    and the offending rows it names (day, source file, row, column, value); else its description."""
    meta = {k: _value(evaluation.metadata, k) for k in evaluation.metadata}
    out = []
    if meta.get("partitions_validated") is not None:
        days = meta["partitions_validated"]
        shown = ", ".join(days[:10]) + (f" ... ({len(days)} days)" if len(days) > 10 else "")
        out.append(
            f"checked: {meta.get('partitions_chosen', '')} {shown or '(no partition)'}".replace("  ", " ")
        )
    lines = failure_lines(meta)
    if not lines and evaluation.description:
        lines = evaluation.description.strip().splitlines()[:6]
    return out + lines


def demo_late_sources(result: dg.ExecuteInProcessResult, demo_last_day: date | None) -> tuple[list, dict]:
    """The freshness warnings the demo explains, and what they have in common: the sources whose latest loaded
    day is the demo's last day (its data ends in the past, so every source looks late by the days since). A source
    that stops earlier, and every late source on real data (demo_last_day None), stays a warning of its own."""
    if demo_last_day is None:
        return [], {}
    _, _, warned = check_outcomes(result.get_asset_check_evaluations())
    explained = [
        e
        for e in warned
        if e.check_name == FRESHNESS_CHECK
        and _value(e.metadata, "latest_partition") == demo_last_day.isoformat()
    ]
    if not explained:
        return [], {}
    meta = explained[0].metadata
    return explained, {
        "last_day": demo_last_day.isoformat(),
        "lag_days": _value(meta, "lag_days"),
        "expected": _value(meta, "expected_latest_partition"),
        "max_lag_days": _value(meta, "max_lag_days"),
    }


def demo_freshness_line(explained: list, why: dict) -> str:
    return (
        f"  note: the demo data ends on {why['last_day']}, so {len(explained)} sources look late "
        f"({why['lag_days']} days behind {why['expected']}, at most {why['max_lag_days']} expected): "
        "their freshness warnings and 'source late' alerts are expected here; on real data each late source is "
        "reported individually"
    )


def checks_section(result: dg.ExecuteInProcessResult, demo_last_day: date | None = None) -> list[str]:
    evaluations = result.get_asset_check_evaluations()
    passed, failed, warned = check_outcomes(evaluations)
    explained, why = demo_late_sources(result, demo_last_day)
    out = [
        f"{len(evaluations)} checks evaluated: {len(passed)} passed, {len(failed)} failed, {len(warned)} warned"
    ]
    if explained:
        out.append(demo_freshness_line(explained, why))
    for e in failed + warned:
        if e in explained:
            continue
        label = "FAILED" if e in failed else "warn"
        unexpected = _value(e.metadata, "unexpected_count")
        detail = f" ({unexpected} unexpected)" if unexpected is not None else ""
        out.append(f"  {label}: {check_name(e)}{detail}")
        if e in failed:
            out += [f"      {line}" for line in failed_check_lines(e)]
    return out


def root_cause(error) -> str:
    """The innermost error of a step failure's chain (`raise ... from ...`): Dagster wraps what went wrong in
    "Error occurred while executing op ...", the cause says what it was ("No space left on device: <path>")."""
    while error.cause is not None:
        error = error.cause
    return error.message.strip()


def errors_section(result: dg.ExecuteInProcessResult) -> list[str]:
    """Steps that raised (a contract violation, an errored validation, a dbt failure) and what was skipped; when
    memory ran out, which limit and what to do, once."""
    out, out_of_memory = [], False
    for event in result.all_events:
        if event.event_type_value != "STEP_FAILURE":
            continue
        data = event.step_failure_data
        message = (data.user_failure_data.description if data.user_failure_data else None) or (
            root_cause(data.error) if data.error else "unknown error"
        )
        if is_out_of_memory(message) or (data.error and is_out_of_memory(data.error.to_string())):
            out_of_memory = True
            out.append(f"  ERROR in {event.step_key}: out of memory")
            continue
        if data.error and data.error.cls_name == "DagsterExecutionInterruptedError":
            out.append(
                f"  ERROR in {event.step_key}: interrupted (Ctrl-C or SIGTERM); the run was stopped there"
            )
            continue
        out.append(f"  ERROR in {event.step_key}: {message.splitlines()[0][:400]}")
    if out_of_memory:
        cfg = settings()
        out.append(
            "  Out of memory: "
            + memory_advice(cfg.duckdb_memory_limit, cfg.duckdb_threads, str(cfg.duckdb_temp_dir))
        )
    skipped = [e.step_key for e in result.all_events if e.event_type_value == "STEP_SKIPPED"]
    if skipped:
        more = " ..." if len(skipped) > 8 else ""
        why = (
            "a blocking check upstream reported no result (no step failed)"
            if result.success
            else "something upstream failed"
        )
        out.append(f"  {len(skipped)} steps skipped because {why}: {', '.join(skipped[:8])}{more}")
    return out or ["none"]


def materializations(result: dg.ExecuteInProcessResult, key: dg.AssetKey) -> list:
    """The run's materialization events of one asset (the publication's: none when the run did not publish)."""
    return [m for m in result.get_asset_materialization_events() if m.asset_key == key]


def published_section(
    result: dg.ExecuteInProcessResult, published_dir: Path, publish_key: dg.AssetKey, compact: bool = False
) -> list[str]:
    mats = materializations(result, publish_key)
    if not mats:
        previous = published_dir / "growthmart.duckdb"
        kept = f"; the previous publication at {previous} is unchanged" if previous.exists() else ""
        return [f"NOT published (a blocking check or step failed){kept}"]
    meta = mats[-1].materialization.metadata
    tables = meta["tables"].value
    rewritten = set(meta["tables_rewritten"].value) if "tables_rewritten" in meta else set(tables)
    out = [
        f"{len(tables)} tables published to {published_dir / 'growthmart.duckdb'} "
        f"({len(rewritten)} changed and rewritten, {len(tables) - len(rewritten)} unchanged)"
    ]
    out.append(f"parquet copies under {published_dir / 'parquet'}")
    if compact:
        largest = sorted(tables.items(), key=lambda t: (-t[1], t[0]))[:3]
        out.append(
            f"  largest: {', '.join(f'{name} {rows} rows' for name, rows in largest)}; "
            "every table's rows in the run log"
        )
        return out
    out += [
        f"  {name:<40}{rows:>10} rows{'' if name in rewritten else '  (unchanged)'}"
        for name, rows in sorted(tables.items())
    ]
    return out


def pg_section(result: dg.ExecuteInProcessResult, pg_key: dg.AssetKey) -> list[str]:
    """What the PostgreSQL publication did: published (tables, rows, seconds, where: never the DSN), failed (why;
    the DuckDB publication stands), skipped (not configured), or not run (nothing was published to DuckDB)."""
    from growthmart.config import PG_DSN_VAR

    mats = [m for m in result.get_asset_materialization_events() if m.asset_key == pg_key]
    if mats:
        meta = {k: _value(mats[-1].materialization.metadata, k) for k in mats[-1].materialization.metadata}
        out = [
            f"{meta['table_count']} tables ({meta['rows']} rows) published to PostgreSQL {meta['target']} in "
            f"{meta['seconds']:.1f}s (swap {meta['swap_ms']:.0f} ms); user-level tables for the CRM role only: "
            f"{', '.join(meta['user_level_tables']) or 'none'}"
        ]
        if meta.get("old_schemas_kept"):
            out.append(
                f"  a reader still held the previous publication: {', '.join(meta['old_schemas_kept'])} "
                "dropped by the next publish"
            )
        return out
    step = "published__growthmart_pg"
    for event in result.all_events:
        if event.step_key == step and event.event_type_value == "STEP_FAILURE":
            data = event.step_failure_data
            why = (data.user_failure_data.description if data.user_failure_data else None) or (
                root_cause(data.error) if data.error else "unknown error"
            )
            return [f"FAILED: {why.splitlines()[0][:400]}"]
    if not os.environ.get(PG_DSN_VAR, "").strip():
        return [f'skipped: {PG_DSN_VAR} is not set (off by default; README "PostgreSQL publication")']
    return ["NOT published (nothing was published to DuckDB in this run)"]


def reports_section(result: dg.ExecuteInProcessResult, reports_key: dg.AssetKey) -> list[str]:
    mats = [m for m in result.get_asset_materialization_events() if m.asset_key == reports_key]
    if not mats:
        return ["NOT rebuilt (nothing was published, or the report step failed)"]
    meta = mats[-1].materialization.metadata
    return [
        f"report index: {meta['index'].value}",
        f"{meta['pages_written'].value} pages rebuilt ({meta['scope'].value}); largest "
        f"{meta['largest_page_bytes'].value / 1024:.0f} KiB",
    ]


def alerts_section(
    result: dg.ExecuteInProcessResult,
    alerts_key: dg.AssetKey,
    delivery: DeliveryReport | None = None,
    explained_late: frozenset[str] = frozenset(),
    shown: int = 15,
) -> list[str]:
    """The run's alerts (most severe first) and where they went: from the alerts asset's metadata, or from the
    delivery the CLI made itself for a run that did not publish. Channels appear masked only. The 'source late'
    alerts of `explained_late` (the demo's, see demo_late_sources) are counted, not listed."""
    mats = [m for m in result.get_asset_materialization_events() if m.asset_key == alerts_key]
    if mats:
        meta = mats[-1].materialization.metadata
        alerts, channels = meta["alert_list"].value, meta["channels"].value
    elif delivery is not None:
        alerts, channels = delivery.metadata()["alerts"], delivery.metadata()["channels"]
    else:
        return ["not delivered (the alerts step did not run)"]
    counts = {s: sum(a[0] == s for a in alerts) for s in ("critical", "warning")}
    kinds = sorted({a[2] for a in alerts})
    out = [
        f"{len(alerts)} alerts ({counts['critical']} critical, {counts['warning']} warning)"
        + (f"; kinds: {', '.join(f'{k} {sum(a[2] == k for a in alerts)}' for k in kinds)}" if alerts else "")
    ]
    listed = [
        a for a in alerts if not (a[2] == "data" and a[3] == FRESHNESS_CHECK and a[4] in explained_late)
    ]
    if len(listed) < len(alerts):
        out.append(
            f"  {len(alerts) - len(listed)} of them the demo's 'source late' alerts (see the note under checks)"
        )
    out += [
        f"  {sev:<8} {day} {kind} {metric} {subject}: {message}"
        for sev, day, kind, metric, subject, message in listed[:shown]
    ]
    if len(listed) > shown:
        out.append(f"  ... and {len(listed) - shown} more (reports.rpt_alerts, and the delivered messages)")
    if not channels:
        out.append("delivered to: no channel (set GROWTHMART_ALERT_URLS to apprise URLs to deliver them)")
    for c in channels:
        if c["error"]:
            out.append(
                f"  FAILED {c['channel']}: {c['error']} (the publication stands; the next run sends these again)"
            )
        else:
            out.append(
                f"  delivered to {c['channel']}: {c['delivered']} new, {c['already_sent']} sent before"
            )
    return out


def connectors_section(result: dg.ExecuteInProcessResult) -> list[str]:
    """What each connector fetched: the API sources (landing/<source>: days, pages, rows, retries, rate-limit
    waits, token refreshes) and the app database's tables (landing/app_db: days landed, pages, rows, since when)."""
    rows = []
    for m in result.get_asset_materialization_events():
        meta = m.materialization.metadata
        if m.asset_key.path[0] != "landing":
            continue
        if "days_pulled" in meta:
            days = sorted(meta["days_pulled"].value)
            rows.append(
                f"{m.asset_key.path[-1]:<28}{len(days):>5}{meta['pages'].value:>7}{meta['rows'].value:>8}"
                f"{meta['retries'].value:>9}{meta['rate_limit_waits'].value:>7}{meta['waited_seconds'].value:>8.1f}"
                f"{meta['token_refreshes'].value:>9}  {days[0] if days else ''}..{days[-1] if days else ''}"
            )
        for table in sorted(k.removesuffix("_rows_pulled") for k in meta if k.endswith("_rows_pulled")):
            days = [d for d in meta[f"{table}_landing_days"].value.split(", ") if d]
            rows.append(
                f"{m.asset_key.path[-1] + '.' + table:<28}{len(days):>5}{meta[f'{table}_pages'].value:>7}"
                f"{meta[f'{table}_rows_pulled'].value:>8}{'-':>9}{'-':>7}{'-':>8}{'-':>9}  "
                f"updated since {meta[f'{table}_pulled_since'].value}"
            )
    if not rows:
        return []
    header = f"{'source':<28}{'days':>5}{'pages':>7}{'rows':>8}{'retries':>9}{'waits':>7}{'wait s':>8}{'refresh':>9}  window"
    return [_rule("pulled (connectors)"), header, *rows]


@dataclass
class Summary:
    """The end-of-run summary of a CLI run: loaded, checked, quarantined, published, alerted. `render(compact=True)`
    is the console's (the published tables' rows and the long lists left to the run log), `render()` the run log's;
    a failed run ends with `failure_ending()`: what failed, the value that failed it, where to look."""

    result: dg.ExecuteInProcessResult
    warehouse_path: Path
    published_dir: Path
    publish_key: dg.AssetKey
    reports_key: dg.AssetKey | None = None
    alerts_key: dg.AssetKey | None = None
    alerts_delivery: DeliveryReport | None = None
    pg_key: dg.AssetKey | None = None
    log_path: Path | None = None
    demo_last_day: date | None = None

    @property
    def succeeded(self) -> bool:
        """No step failed and the run published: a run that skipped its publication (a blocking check that never
        reported a result skips what depends on it, though no step failed) did not do its job."""
        return self.result.success and bool(materializations(self.result, self.publish_key))

    def render(self, compact: bool = False) -> str:
        result = self.result
        lines = [_rule(f"growthmart run {result.run_id} — {'SUCCESS' if self.succeeded else 'FAILED'}")]
        lines += connectors_section(result)
        lines.append(_rule("loaded"))
        lines += loaded_section(self.warehouse_path, result.run_id)
        lines += landing_lines(result)
        lines.append(_rule("checks"))
        lines += checks_section(result, self.demo_last_day)
        lines.append(_rule("errors"))
        lines += errors_section(result)
        lines.append(_rule("published"))
        lines += published_section(result, self.published_dir, self.publish_key, compact)
        if self.pg_key is not None:
            lines.append(_rule("published (PostgreSQL)"))
            lines += pg_section(result, self.pg_key)
        if self.reports_key is not None:
            lines.append(_rule("reports (HTML)"))
            lines += reports_section(result, self.reports_key)
        if self.alerts_key is not None:
            explained, _ = demo_late_sources(result, self.demo_last_day)
            lines.append(_rule("alerts"))
            lines += alerts_section(
                result,
                self.alerts_key,
                self.alerts_delivery,
                frozenset(e.asset_key.path[-1] for e in explained),
                shown=5 if compact else 100,
            )
        if self.log_path is not None:
            lines.append(f"\nrun log: {self.log_path}")
        return "\n".join(lines) + "\n"

    def failure_ending(self) -> str:
        """Why a failed run failed, last on the console: each failed check with the value that failed it and its
        Data Docs page, each failed step's cause, the run's quarantined rows, and the run log."""
        result, run_id = self.result, self.result.run_id
        out = [_rule("why the run FAILED")]
        _, failed, _ = check_outcomes(result.get_asset_check_evaluations())
        site = data_docs.site_dir(self.published_dir)
        for e in failed:
            lines = failed_check_lines(e)
            value = next((line for line in lines if not line.startswith("checked:")), None) or (
                f"{_value(e.metadata, 'dagster_dbt/failed_row_count')} failing rows"
                if _value(e.metadata, "dagster_dbt/failed_row_count") is not None
                else (e.description or "failed").strip().splitlines()[0]
            )
            out.append(f"check {check_name(e)} FAILED: {value.strip()}")
            out += [f"    {line.strip()}" for line in lines if line.strip().startswith("day ")][:3]
            page = validation_page(site, run_id, e.check_name)
            if page is not None:
                out.append(f"    Data Docs: {page}")
        for line in errors_section(result):
            # a blocking check's own step error repeats what its check said; skipped steps matter when nothing
            # failed and yet nothing was published
            step_error = line.strip().startswith("ERROR in") and "DagsterAssetCheckFailedError" not in line
            if step_error or (result.success and "steps skipped" in line):
                out.append(line.strip())
        quarantined = quarantined_rows(self.warehouse_path, run_id)
        if quarantined:
            out.append(
                f"{quarantined} rows quarantined by this run: raw.quarantine_rows where run_id = '{run_id}' "
                f"in {self.warehouse_path}"
            )
        if (site / "index.html").exists():
            out.append(f"Data Docs (every validation of the recent runs): {site / 'index.html'}")
        if self.log_path is not None:
            out.append(f"run log (tracebacks, dbt's node lines): {self.log_path}")
        if len(out) == 1:
            out.append("no failed check or step recorded: see the run log")
        return "\n".join(out)


def validation_page(site: Path, run_id: str, check: str) -> Path | None:
    """The Data Docs page of a failed GE check's validation in this run (its file names the suite), if rendered."""
    token = data_docs.safe_name(check.removeprefix("ge_"))
    pages = sorted((site / "validations" / data_docs.safe_name(run_id)).glob(f"*{token}*.html"))
    return pages[-1] if pages else None


def quarantined_rows(warehouse_path: Path, run_id: str) -> int:
    """Rows the run quarantined (raw.quarantine_rows), 0 when there is no such table yet."""
    if not warehouse_path.exists():
        return 0
    con = duckdb.connect(str(warehouse_path), read_only=True)
    try:
        if not table_exists(con, "raw", "quarantine_rows"):
            return 0
        return sum(n for *_, n in quarantine_counts(con, run_id))
    finally:
        con.close()
