"""The end-of-run summary: what was loaded, quarantined, checked and published, and where."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import duckdb


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
        reasons = con.execute(
            """select source, reason, count(*) from (
                   select source, regexp_replace(reason, '''.*''', '<value>') as reason
                   from raw.quarantine_rows where run_id = ?)
               group by 1, 2 order by 1, 3 desc""",
            [run_id],
        ).fetchall()
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
    return out


def checks_section(result: dg.ExecuteInProcessResult) -> list[str]:
    evaluations = result.get_asset_check_evaluations()
    passed = [e for e in evaluations if e.passed]
    failed = [e for e in evaluations if not e.passed and e.severity == dg.AssetCheckSeverity.ERROR]
    warned = [e for e in evaluations if not e.passed and e.severity == dg.AssetCheckSeverity.WARN]
    out = [
        f"{len(evaluations)} checks evaluated: {len(passed)} passed, {len(failed)} failed, {len(warned)} warned"
    ]
    for e in failed + warned:
        label = "FAILED" if e in failed else "warn"
        unexpected = e.metadata.get("unexpected_count")
        detail = f" ({getattr(unexpected, 'value', unexpected)} unexpected)" if unexpected is not None else ""
        out.append(f"  {label}: {e.asset_key.to_user_string()} / {e.check_name}{detail}")
    return out


def errors_section(result: dg.ExecuteInProcessResult) -> list[str]:
    """Steps that raised (a contract violation, an errored validation, a dbt failure) and what was skipped."""
    out = []
    for event in result.all_events:
        if event.event_type_value != "STEP_FAILURE":
            continue
        data = event.step_failure_data
        message = (data.user_failure_data.description if data.user_failure_data else None) or (
            data.error.message.strip() if data.error else "unknown error"
        )
        out.append(f"  ERROR in {event.step_key}: {message.splitlines()[0][:400]}")
    skipped = [e.step_key for e in result.all_events if e.event_type_value == "STEP_SKIPPED"]
    if skipped:
        more = " ..." if len(skipped) > 8 else ""
        out.append(
            f"  {len(skipped)} steps skipped because something upstream failed: {', '.join(skipped[:8])}{more}"
        )
    return out or ["none"]


def published_section(
    result: dg.ExecuteInProcessResult, published_dir: Path, publish_key: dg.AssetKey
) -> list[str]:
    mats = [m for m in result.get_asset_materialization_events() if m.asset_key == publish_key]
    if not mats:
        previous = published_dir / "growthmart.duckdb"
        kept = f"; the previous publication at {previous} is unchanged" if previous.exists() else ""
        return [f"NOT published (a blocking check or step failed){kept}"]
    meta = mats[-1].materialization.metadata
    tables = meta["tables"].value
    out = [f"{len(tables)} tables published to {published_dir / 'growthmart.duckdb'}"]
    out.append(f"parquet copies under {published_dir / 'parquet'}")
    out += [f"  {name:<40}{rows:>10} rows" for name, rows in sorted(tables.items())]
    return out


def render(result: dg.ExecuteInProcessResult, warehouse_path: Path, published_dir: Path, publish_key) -> str:
    lines = [_rule(f"growthmart run {result.run_id} — {'SUCCESS' if result.success else 'FAILED'}")]
    lines.append(_rule("loaded"))
    lines += loaded_section(warehouse_path, result.run_id)
    lines.append(_rule("checks"))
    lines += checks_section(result)
    lines.append(_rule("errors"))
    lines += errors_section(result)
    lines.append(_rule("published"))
    lines += published_section(result, published_dir, publish_key)
    return "\n".join(lines) + "\n"
