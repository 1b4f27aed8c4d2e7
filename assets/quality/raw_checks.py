"""Asset checks on every raw source: the GE contract suite (blocking), volume and freshness (warnings).

Which partitions a check looks at: the ones `raw.load_log` says this run loaded (`run_id`), or, when the
run loaded none of this source (a check-only run), the latest loaded partition.
"""

from collections.abc import Sequence
from datetime import UTC, date, datetime

import dagster as dg
import duckdb

from assets.ingest.raw_assets import WRITER_POOL
from assets.resources import WarehouseResource
from growthmart.contracts import SourceContract
from growthmart.quality import gx_runner, suites
from growthmart.quality import warehouse as wh
from growthmart.quality.settings import QualitySettings
from growthmart.quality.verdicts import Verdict, freshness_verdict, volume_verdict

WARN = dg.AssetCheckSeverity.WARN
ERROR = dg.AssetCheckSeverity.ERROR


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
    """Column contract, then the data suite on `partitions` in row-bounded batches; (passed, metadata)."""
    name = suites.raw_suite_name(contract)
    actual = wh.column_types(con, wh.RAW_SCHEMA, contract.name)
    frame = wh.column_contract_frame(actual, suites.raw_expected_types(contract))
    outcome = gx_runner.validate(frame, f"{name}.columns", suites.column_contract_expectations())
    outcomes = [outcome]
    counts = wh.partition_row_counts(con, contract.name, partitions) if outcome.success else {}
    expectations = suites.raw_expectations(contract, settings)
    for batch in wh.batches_by_rows(counts, settings.max_rows_per_batch):
        df = wh.partition_frame(con, contract.name, batch)
        outcomes.append(gx_runner.validate(df, name, expectations))
    return all(o.success for o in outcomes), merge_outcomes(outcomes)


def merge_outcomes(outcomes: Sequence[gx_runner.ValidationOutcome]) -> dict:
    failed = [f.as_dict() for o in outcomes for f in o.failed]
    return {
        "suite": outcomes[0].suite_name.removesuffix(".columns"),
        "evaluated": sum(o.evaluated_count for o in outcomes),
        "failed": len(failed),
        "unexpected_count": sum(o.unexpected_count for o in outcomes),
        "failed_expectations": failed[:20],
        "validations": len(outcomes),
        "rows_validated": sum(o.row_count for o in outcomes[1:]),  # the first frame lists columns
        "gx_seconds": round(sum(o.seconds for o in outcomes), 3),
    }


def _result(verdict: Verdict, severity: dg.AssetCheckSeverity) -> dg.AssetCheckResult:
    return dg.AssetCheckResult(
        passed=verdict.passed, severity=severity, description=verdict.reason, metadata=verdict.metadata
    )


def build_raw_checks(
    contracts: Sequence[SourceContract], settings: QualitySettings | None = None
) -> list[dg.AssetChecksDefinition]:
    """Per raw source: `ge_<source>` (blocking ERROR), `volume` and `freshness` (WARN)."""
    cfg = settings or QualitySettings()
    checks: list[dg.AssetChecksDefinition] = []
    for contract in contracts:
        checks += [_ge_check(contract, cfg), _volume_check(contract, cfg), _freshness_check(contract, cfg)]
    return checks


def _ge_check(contract: SourceContract, cfg: QualitySettings) -> dg.AssetChecksDefinition:
    @dg.asset_check(
        asset=dg.AssetKey(["raw", contract.name]),
        name=f"ge_{contract.name}",
        blocking=True,
        pool=WRITER_POOL,
        description=f"Great Expectations suite {suites.raw_suite_name(contract)}: the column contract, "
        "then required values, ranges, accepted values and keys of the partitions this run loaded.",
    )
    def _check(context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource) -> dg.AssetCheckResult:
        with warehouse.connect() as con:
            if not _table_exists(con, contract.name):
                return _missing_table(contract.name)
            partitions, chosen = partitions_to_check(con, contract.name, run_id_of(context))
            passed, meta = validate_raw(con, contract, partitions, cfg)
        meta |= {"partitions_validated": [p.isoformat() for p in partitions], "partitions_chosen": chosen}
        scope = f"{len(partitions)} partition(s) {chosen}" if partitions else "no partition loaded yet"
        verdict = "passed" if passed else f"failed {meta['failed']} expectation(s)"
        description = f"{meta['suite']} {verdict} on {scope} ({meta['evaluated']} evaluated)"
        return dg.AssetCheckResult(passed=passed, severity=ERROR, description=description, metadata=meta)

    return _check


def _volume_check(contract: SourceContract, cfg: QualitySettings) -> dg.AssetChecksDefinition:
    @dg.asset_check(
        asset=dg.AssetKey(["raw", contract.name]),
        name="volume",
        pool=WRITER_POOL,
        description=f"Rows of the latest loaded partition within [{cfg.volume_min_ratio}x, "
        f"{cfg.volume_max_ratio}x] the median of the previous {cfg.volume_history_partitions} partitions.",
    )
    def _check(context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource) -> dg.AssetCheckResult:
        with warehouse.connect() as con:
            if not _table_exists(con, contract.name):
                return _missing_table(contract.name, WARN)
            checked, _ = partitions_to_check(con, contract.name, run_id_of(context))
            if not checked:
                return dg.AssetCheckResult(
                    passed=False, severity=WARN, description="no partition has been loaded",
                    metadata={"unexpected_count": 1},
                )  # fmt: skip
            latest = checked[-1]
            earlier = [p for p in wh.loaded_partitions(con, contract.name) if p < latest]
            earlier = earlier[-cfg.volume_history_partitions :] if cfg.volume_history_partitions else []
            counts = wh.partition_row_counts(con, contract.name, [*earlier, latest])
        rows = counts.pop(latest)
        return _result(volume_verdict(latest, rows, counts, cfg.volume_min_ratio, cfg.volume_max_ratio), WARN)

    return _check


def _freshness_check(contract: SourceContract, cfg: QualitySettings) -> dg.AssetChecksDefinition:
    @dg.asset_check(
        asset=dg.AssetKey(["raw", contract.name]),
        name="freshness",
        pool=WRITER_POOL,
        description=f"The latest loaded partition is at most {cfg.freshness_max_lag_days} day(s) older than "
        "yesterday in the reporting timezone.",
    )
    def _check(warehouse: WarehouseResource) -> dg.AssetCheckResult:
        with warehouse.connect() as con:
            exists = _table_exists(con, contract.name)
            partitions = wh.loaded_partitions(con, contract.name) if exists else []
            loaded_at = wh.latest_loaded_at(con, contract.name) if exists else None
        latest = partitions[-1] if partitions else None
        verdict = freshness_verdict(
            latest, loaded_at, datetime.now(UTC), warehouse.timezone, cfg.freshness_max_lag_days
        )
        return _result(verdict, WARN)

    return _check


def _table_exists(con: duckdb.DuckDBPyConnection, source: str) -> bool:
    return wh.table_exists(con, wh.RAW_SCHEMA, source)


def _missing_table(source: str, severity: dg.AssetCheckSeverity = ERROR) -> dg.AssetCheckResult:
    return dg.AssetCheckResult(
        passed=False,
        severity=severity,
        description=f"table raw.{source} does not exist",
        metadata={"unexpected_count": 1, "missing_table": f"raw.{source}"},
    )
