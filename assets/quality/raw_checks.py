"""Asset checks on every raw source, one step per source: the GE contract suite (blocking), volume and freshness
(warnings).

Which partitions a check looks at: the ones `raw.load_log` says this run loaded (`run_id`), or, when the
run loaded none of this source (a check-only run), the latest loaded partition. The GE suite covers every
row of them in SQL (`growthmart/quality/pushdown.py`: one aggregate query) and runs in GX itself on a
bounded slice of the latest (at most `max_rows_per_batch` rows): cost grows with the rows a run loaded
only through DuckDB's scan, never through pandas.
"""

import time
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, date, datetime

import dagster as dg
import duckdb

from assets.resources import WarehouseResource
from growthmart.contracts import SourceContract
from growthmart.ingest.dialect import SPARK
from growthmart.quality import data_docs, gx_runner, pushdown, suites
from growthmart.quality import warehouse as wh
from growthmart.quality.settings import QualitySettings
from growthmart.quality.verdicts import Verdict, failure_lines, freshness_verdict, volume_verdict
from growthmart.spark import Select

WARN = dg.AssetCheckSeverity.WARN
ERROR = dg.AssetCheckSeverity.ERROR
# A failed check names up to this many offending rows of each of its first FAILURES_LOCATED failed expectations.
ROWS_PER_FAILURE = 3
FAILURES_LOCATED = 10


def run_id_of(context: dg.AssetCheckExecutionContext) -> str | None:
    """The Dagster run id, or None when the check function is invoked directly (tests)."""
    try:
        return context.run.run_id
    except dg.DagsterError:  # DagsterInvalidPropertyError: no run outside an execution
        return None


def partitions_to_check(
    con: duckdb.DuckDBPyConnection, source: str, run_id: str | None
) -> tuple[list[date], str]:
    """Partitions this run loaded, else the latest loaded one; and how they were chosen."""
    loaded = wh.partitions_loaded_by_run(con, source, run_id)
    if loaded:
        return loaded, "loaded by this run"
    every = wh.loaded_partitions(con, source)
    return every[-1:], "latest loaded (this run loaded none)"


def validate_raw(
    con: duckdb.DuckDBPyConnection,
    contract: SourceContract,
    partitions: Sequence[date],
    settings: QualitySettings,
) -> tuple[bool, dict]:
    """The column contract; then the data suite twice: pushed down to SQL over every row of `partitions`,
    and in GX over a bounded slice of the latest of them. (passed, metadata); raises
    `ValidationEngineError` when either engine cannot evaluate the suite."""
    name = suites.raw_suite_name(contract)
    actual = wh.column_types(con, wh.RAW_SCHEMA, contract.name)
    frame = wh.column_contract_frame(actual, suites.raw_expected_types(contract))
    columns = gx_runner.validate(
        frame,
        f"{name}.columns",
        suites.column_contract_expectations(),
        batch=f"column contract of {wh.RAW_SCHEMA}.{contract.name} ({len(actual)} columns)",
    )
    meta: dict = {"suite": name, "steps": ["column_contract"], "columns_seconds": round(columns.seconds, 3)}
    if not columns.success:  # the data suite could only error on missing or retyped columns
        failed = [f.as_dict() for f in columns.failed]
        meta |= {"evaluated": columns.evaluated_count, "failed": len(failed)}
        return False, meta | {"unexpected_count": columns.unexpected_count, "failed_expectations": failed}

    expectations = suites.raw_expectations(contract, settings)
    sql = pushdown.run(con, wh.RAW_SCHEMA, contract.name, expectations, partitions, column_types=actual)
    data_docs.record_pushdown(
        name, expectations, sql, batch=_partitions_batch(contract.name, partitions, sql.row_count)
    )
    meta["steps"].append("sql_pushdown")
    meta |= {"sql_rows_covered": sql.row_count, "sql_seconds": round(sql.seconds, 3)}
    # GX on the newest partition that has rows (the run's last day, normally), capped and in load order.
    ge_partition = sql.latest_partition or (max(partitions) if partitions else None)
    ge = None
    if ge_partition is not None:
        started = time.perf_counter()
        df = wh.partition_slice(con, contract.name, ge_partition, settings.max_rows_per_batch)
        read_seconds = time.perf_counter() - started
        ge = gx_runner.validate(
            df,
            name,
            expectations,
            batch=f"{wh.RAW_SCHEMA}.{contract.name} partition {ge_partition.isoformat()}: first {len(df)} rows "
            f"(slice of at most {settings.max_rows_per_batch})",
        )
        meta["steps"].append("ge_slice")
        meta |= {
            "ge_partition": ge_partition.isoformat(),
            "ge_rows_validated": ge.row_count,
            "ge_unexpected_count": ge.unexpected_count,
            "ge_seconds": round(read_seconds + ge.seconds, 3),
            "ge_read_seconds": round(read_seconds, 3),
        }
    per_expectation = merge_counts(sql, ge)
    failed = [f for f in per_expectation if f["unexpected_count"]]
    for entry in failed[:FAILURES_LOCATED]:  # where each failure is: source file, row, column, value
        expect = next(
            e
            for e in expectations
            if (pushdown.gx_type(e.kind), pushdown.expectation_column(e.kwargs))
            == (entry["expectation"], entry.get("column"))
        )
        entry["rows"] = pushdown.offending_rows(
            con, wh.RAW_SCHEMA, contract.name, expect, actual, partitions, limit=ROWS_PER_FAILURE
        )
    meta |= {
        "evaluated": len(expectations),
        "failed": len(failed),
        "unexpected_count": sum(f["unexpected_count"] for f in per_expectation),
        "failed_expectations": failed[:20],
        "unexpected_by_expectation": {
            pushdown.label(f["expectation"], f.get("column")): f["unexpected_count"] for f in per_expectation
        },
    }
    return not failed, meta


def _partitions_batch(source: str, partitions: Sequence[date], rows: int) -> str:
    days = sorted(partitions)
    span = f"{days[0].isoformat()}..{days[-1].isoformat()}" if days else "none"
    return f"{wh.RAW_SCHEMA}.{source}: every row ({rows}) of {len(days)} partition(s) {span}"


def merge_counts(sql: pushdown.PushdownOutcome, ge: gx_runner.ValidationOutcome | None) -> list[dict]:
    """Per expectation (suite order): the larger of the two engines' unexpected counts, and both.

    The GX slice is a subset of the rows SQL covers, so with equal semantics SQL's count is never smaller;
    taking the larger keeps a disagreement visible as a failure rather than hiding it.
    """
    merged: dict[tuple[str, str | None], dict] = {}
    for c in sql.counts:
        entry = merged.setdefault((c.expectation, c.column), _entry(c.expectation, c.column))
        entry["sql_unexpected_count"] += c.unexpected_count
        if c.sample and "observed" not in entry:
            entry["observed"] = gx_runner.short(list(c.sample))
    for f in ge.failed if ge else ():
        entry = merged.setdefault((f.expectation, f.column), _entry(f.expectation, f.column))
        entry["ge_unexpected_count"] += f.unexpected_count
        if f.observed and "observed" not in entry:
            entry["observed"] = f.observed
    for entry in merged.values():
        entry["unexpected_count"] = max(entry["sql_unexpected_count"], entry["ge_unexpected_count"])
    return list(merged.values())


def _entry(expectation: str, column: str | None) -> dict:
    out: dict = {"expectation": expectation}
    if column is not None:
        out["column"] = column
    return out | {"unexpected_count": 0, "sql_unexpected_count": 0, "ge_unexpected_count": 0}


def _result(
    contract: SourceContract, name: str, verdict: Verdict, severity: dg.AssetCheckSeverity
) -> dg.AssetCheckResult:
    return dg.AssetCheckResult(
        asset_key=dg.AssetKey(["raw", contract.name]),
        check_name=name,
        passed=verdict.passed,
        severity=severity,
        description=verdict.reason,
        metadata=verdict.metadata,
    )


def build_raw_checks(
    contracts: Sequence[SourceContract], settings: QualitySettings | None = None
) -> list[dg.AssetChecksDefinition]:
    """Per raw source one step with its three checks: `ge_<source>` (blocking ERROR), `volume` and `freshness`
    (WARN). One step per source, not per check: each step costs Dagster events and a warehouse connection."""
    cfg = settings or QualitySettings()
    return [_source_checks(contract, cfg) for contract in contracts]


def _source_checks(contract: SourceContract, cfg: QualitySettings) -> dg.AssetChecksDefinition:
    key = dg.AssetKey(["raw", contract.name])
    ge_name = f"ge_{contract.name}"

    @dg.multi_asset_check(
        name=f"raw_{contract.name}_checks",
        specs=[
            dg.AssetCheckSpec(
                ge_name,
                asset=key,
                blocking=True,
                description=f"Great Expectations suite {suites.raw_suite_name(contract)}: the column contract, "
                "then required values, ranges, accepted values and keys of every row of the partitions this "
                "run loaded (pushed down to one DuckDB query), and the same suite in GX on a bounded slice of "
                "the latest.",
            ),
            dg.AssetCheckSpec(
                "volume",
                asset=key,
                description=f"Rows of the latest loaded partition within [{cfg.volume_min_ratio}x, "
                f"{cfg.volume_max_ratio}x] the median of the previous {cfg.volume_history_partitions} "
                "partitions.",
            ),
            dg.AssetCheckSpec(
                "freshness",
                asset=key,
                description=f"The latest loaded partition is at most {cfg.freshness_max_lag_days} day(s) older "
                "than yesterday in the reporting timezone.",
            ),
        ],
        can_subset=True,
    )
    def _checks(
        context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource
    ) -> Iterator[dg.AssetCheckResult]:
        names = ("freshness", "volume", ge_name)
        every = [dg.AssetCheckKey(key, name) for name in names]
        selected = {k.name for k in selected_checks(context, every) if k.asset_key == key}
        # The warnings first: an error of the GE suite must not lose them.
        if "freshness" in selected:
            yield _freshness(contract, cfg, warehouse)
        if "volume" in selected:
            yield _volume(context, contract, cfg, warehouse)
        if ge_name in selected:
            yield _ge(context, contract, cfg, warehouse)

    return _checks


def selected_checks(
    context: dg.AssetCheckExecutionContext, every: Iterable[dg.AssetCheckKey]
) -> set[dg.AssetCheckKey]:
    """The checks this step runs: Dagster's selection, or `every` check when the function is invoked directly
    (tests: a direct invocation has no selection)."""
    try:
        return set(context.selected_asset_check_keys)
    except dg.DagsterError:
        return set(every)


def _ge(
    context: dg.AssetCheckExecutionContext,
    contract: SourceContract,
    cfg: QualitySettings,
    warehouse: WarehouseResource,
) -> dg.AssetCheckResult:
    suite = suites.raw_suite_name(contract)
    name = f"ge_{contract.name}"
    check = f"{wh.RAW_SCHEMA}/{contract.name} {name}"
    tables = {}
    if warehouse.on_spark:  # the suite reads the checked partitions only, chosen first from the load log
        with warehouse.reading(_loaded(contract.name)) as con:
            days, _ = partitions_to_check(con, contract.name, run_id_of(context))
        tables = _checked(contract.name, days)
    with (
        data_docs.recording(warehouse.data_dir, run_id_of(context), check=check, suite=suite) as rec,
        warehouse.reading(tables) as con,
    ):
        if not _table_exists(con, contract.name):
            data_docs.record_error(suite, f"table {wh.RAW_SCHEMA}.{contract.name} does not exist", batch=None)
            return _missing_table(contract.name, name)
        partitions, chosen = partitions_to_check(con, contract.name, run_id_of(context))
        passed, meta = validate_raw(con, contract, partitions, cfg)
        rec.check_failed = not passed
    meta |= {"partitions_validated": [p.isoformat() for p in partitions], "partitions_chosen": chosen}
    return dg.AssetCheckResult(
        asset_key=dg.AssetKey(["raw", contract.name]),
        check_name=name,
        passed=passed,
        severity=ERROR,
        description=_describe(passed, meta, partitions, chosen),
        metadata=meta,
    )


def _describe(passed: bool, meta: dict, partitions: Sequence[date], chosen: str) -> str:
    verdict = "passed" if passed else f"failed {meta['failed']} expectation(s)"
    days = ", ".join(p.isoformat() for p in sorted(partitions)[:10]) + (
        " ..." if len(partitions) > 10 else ""
    )
    scope = f"{len(partitions)} partition(s) {chosen} ({days})" if partitions else "no partition loaded yet"
    failures = "" if passed else "\n" + "\n".join(failure_lines(meta))
    if "sql_rows_covered" not in meta:
        return f"{meta['suite']} column contract {verdict} on {scope}{failures}"
    ge = (
        f", GX on {meta['ge_rows_validated']} rows of {meta['ge_partition']}"
        if "ge_partition" in meta
        else ""
    )
    return (
        f"{meta['suite']} {verdict} on {scope}: SQL over {meta['sql_rows_covered']} rows{ge} "
        f"({meta['evaluated']} expectations){failures}"
    )


def _volume(
    context: dg.AssetCheckExecutionContext,
    contract: SourceContract,
    cfg: QualitySettings,
    warehouse: WarehouseResource,
) -> dg.AssetCheckResult:
    with warehouse.reading(_loaded(contract.name)) as con:
        if not _table_exists(con, contract.name):
            return _missing_table(contract.name, "volume", WARN)
        checked, _ = partitions_to_check(con, contract.name, run_id_of(context))
        if not checked:
            return _result(
                contract,
                "volume",
                Verdict(False, "no partition has been loaded", {"unexpected_count": 1}),
                WARN,
            )
        latest = checked[-1]
        earlier = [p for p in wh.loaded_partitions(con, contract.name) if p < latest]
        earlier = earlier[-cfg.volume_history_partitions :] if cfg.volume_history_partitions else []
        counts = wh.partition_row_counts(con, contract.name, [*earlier, latest])
    rows = counts.pop(latest)
    verdict = volume_verdict(latest, rows, counts, cfg.volume_min_ratio, cfg.volume_max_ratio)
    return _result(contract, "volume", verdict, WARN)


def _freshness(
    contract: SourceContract, cfg: QualitySettings, warehouse: WarehouseResource
) -> dg.AssetCheckResult:
    with warehouse.reading(_loaded(contract.name)) as con:
        exists = _table_exists(con, contract.name)
        partitions = wh.loaded_partitions(con, contract.name) if exists else []
        loaded_at = wh.latest_loaded_at(con, contract.name) if exists else None
    latest = partitions[-1] if partitions else None
    verdict = freshness_verdict(
        latest, loaded_at, datetime.now(UTC), warehouse.timezone, cfg.freshness_max_lag_days
    )
    return _result(contract, "freshness", verdict, WARN)


def _loaded(source: str) -> dict[str, Select]:
    """What volume, freshness and the choice of partitions read of a raw source on Spark (engine spark): the
    source's load log and the landing day and load time of each of its rows."""
    return {
        **_load_log(source),
        f"{wh.RAW_SCHEMA}.{source}": Select(columns=(pushdown.PARTITION_COLUMN, "_loaded_at")),
    }


def _checked(source: str, days: Sequence[date]) -> dict[str, Select]:
    """What the GE suite reads of a raw source on Spark: its load log and every row of the checked days."""
    listed = ", ".join(f"date {SPARK.literal(d.isoformat())}" for d in days) or "null"
    return {
        **_load_log(source),
        f"{wh.RAW_SCHEMA}.{source}": Select(where=f"{pushdown.PARTITION_COLUMN} in ({listed})"),
    }


def _load_log(source: str) -> dict[str, Select]:
    return {f"{wh.RAW_SCHEMA}.{wh.LOAD_LOG}": Select(where=f"source = {SPARK.literal(source)}")}


def _table_exists(con: duckdb.DuckDBPyConnection, source: str) -> bool:
    return wh.table_exists(con, wh.RAW_SCHEMA, source)


def _missing_table(source: str, name: str, severity: dg.AssetCheckSeverity = ERROR) -> dg.AssetCheckResult:
    return dg.AssetCheckResult(
        asset_key=dg.AssetKey(["raw", source]),
        check_name=name,
        passed=False,
        severity=severity,
        description=f"table raw.{source} does not exist",
        metadata={"unexpected_count": 1, "missing_table": f"raw.{source}"},
    )
