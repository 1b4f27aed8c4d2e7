"""Blocking ERROR checks on the published report tables: they gate the BI publication.

Per report a Great Expectations suite (`ge_<report>`): what dbt's tests of the report do not already state, see
growthmart/quality/suites.py. Keys, not-null columns, accepted values, rates in [0, 1], column pairs and every
invariant across rows or models are dbt tests, which Dagster shows as checks of the same assets (one home per
rule: tests/quality/test_one_home_per_rule.py). The per-user segments report's suite runs as SQL
(`validate_report_in_sql`: a per-user table is not read into pandas). A report table that does not exist fails
its check.
"""

from collections.abc import Iterator, Sequence

import dagster as dg
import duckdb

from assets.quality.raw_checks import run_id_of, selected_checks
from assets.resources import WarehouseResource
from growthmart.quality import data_docs, gx_runner, pushdown, suites
from growthmart.quality import warehouse as wh
from growthmart.spark import Select

ERROR = dg.AssetCheckSeverity.ERROR


def validate_report(con: duckdb.DuckDBPyConnection, report: str) -> tuple[bool, str, dict]:
    """The report's GX suite on the whole table; (passed, description, metadata)."""
    name = suites.report_suite_name(report)
    if not wh.table_exists(con, wh.REPORTS_SCHEMA, report):
        data_docs.record_error(name, f"table {wh.REPORTS_SCHEMA}.{report} does not exist", batch=None)
        meta = {"suite": name, "unexpected_count": 1, "missing_table": f"{wh.REPORTS_SCHEMA}.{report}"}
        return False, f"table {wh.REPORTS_SCHEMA}.{report} does not exist", meta
    if report in suites.SQL_PUSHDOWN_REPORTS:
        return validate_report_in_sql(con, report)
    df = wh.report_frame(con, report)  # reports are small aggregates: read whole
    batch = f"{wh.REPORTS_SCHEMA}.{report}: whole table ({len(df)} rows)"
    inputs = suites.REPORT_INPUTS.get(report, ())
    inputs_empty = bool(inputs) and wh.empty_sources(con, inputs) == list(inputs)
    first_day = report in suites.COMPARISON_REPORTS and wh.loaded_days(con) < 2
    may_be_empty = inputs_empty or first_day or report in suites.EXCEPTION_REPORTS
    expectations = suites.report_expectations(report, df.columns, may_be_empty=may_be_empty)
    outcome = gx_runner.validate(df, name, expectations, batch=batch)
    meta = outcome.metadata() | {"suite": name}
    verdict = "passed" if outcome.success else f"failed {len(outcome.failed)} expectation(s)"
    reason = f"{outcome.suite_name} {verdict} ({outcome.evaluated_count} evaluated)"
    if inputs_empty:  # a source the team does not use: the report may be empty
        sources = ", ".join(f"{wh.RAW_SCHEMA}.{s}" for s in inputs)
        meta["empty_inputs"] = list(inputs)
        reason += f"; {len(df)} rows, may be empty: its input(s) {sources} have no rows"
    if first_day:  # nothing to compare with yet
        meta["loaded_days"] = wh.loaded_days(con)
        reason += f"; {len(df)} rows, may be empty: fewer than two days loaded"
    return outcome.success, reason, meta


def validate_report_in_sql(con: duckdb.DuckDBPyConnection, report: str) -> tuple[bool, str, dict]:
    """A per-user report's suite without reading it into pandas: every row expectation pushed down to DuckDB in
    one query (pushdown.run)."""
    name = suites.report_suite_name(report)
    actual = wh.column_types(con, wh.REPORTS_SCHEMA, report)
    expectations = suites.report_expectations(report, actual)
    table_level = [e for e in expectations if e.kind == "ExpectTableRowCountToBeBetween"]
    row_level = [e for e in expectations if e not in table_level]
    sql = pushdown.run(con, wh.REPORTS_SCHEMA, report, row_level, partitions=None, column_types=actual)
    failed = [
        {"expectation": c.expectation, "unexpected_count": c.unexpected_count, "observed": list(c.sample)}
        | ({"column": c.column} if c.column is not None else {})
        for c in sql.failed
    ]
    data_docs.record_pushdown(
        name,
        row_level,
        sql,
        batch=f"{wh.REPORTS_SCHEMA}.{report}: every row ({sql.row_count})",
        table_level=[(e, sql.row_count >= 1, sql.row_count) for e in table_level],
    )
    if sql.row_count < 1:  # an empty report is a broken build
        failed.append(
            {"expectation": "expect_table_row_count_to_be_between", "unexpected_count": 1, "observed": 0}
        )
    meta = {
        "suite": name,
        "engine": "sql_pushdown",
        "evaluated": len(row_level) + len(table_level),
        "failed": len(failed),
        "unexpected_count": sum(f["unexpected_count"] for f in failed),
        "rows_validated": sql.row_count,
        "failed_expectations": failed,
        "sql_seconds": round(sql.seconds, 3),
    }
    verdict = "passed" if not failed else f"failed {len(failed)} expectation(s)"
    return not failed, f"{name} {verdict} in SQL ({meta['evaluated']} evaluated, {sql.row_count} rows)", meta


def report_inputs(report: str) -> dict[str, Select]:
    """What a report's suite reads (on Spark, growthmart.spark.duckdb_copy): the whole report table, whether each
    of its raw inputs has a row, and the loaded days (marts.dim_dates)."""
    return {
        f"{wh.REPORTS_SCHEMA}.{report}": Select(),
        **{f"{wh.RAW_SCHEMA}.{s}": Select(limit=1) for s in suites.REPORT_INPUTS.get(report, ())},
        f"{wh.MARTS_SCHEMA}.dim_dates": Select(columns=("date_day",)),
    }


def build_report_checks(reports: Sequence[str] = suites.REPORTS) -> list[dg.AssetChecksDefinition]:
    """Every report's GE check (or those of `reports`), blocking with ERROR severity, all in one step: they all wait
    for the dbt build and all gate the publication, and a step per report cost Dagster's per-step events (~0.1 s;
    22 steps were ~3 s of a one-day run)."""
    return [_checks(reports)]


def report_asset_key(report: str) -> dg.AssetKey:
    """The dbt asset of a report table: dagster-dbt prefixes a model's key with its configured schema
    (`+schema: reports`), so `rpt_x` is `reports/rpt_x`. A check on a key no asset has would make Dagster
    create a stand-in asset nothing materializes: the check would never run and never block anything
    (tests/orchestration/test_definitions.py fails on any such check)."""
    return dg.AssetKey([wh.REPORTS_SCHEMA, report])


def _checks(reports: Sequence[str]) -> dg.AssetChecksDefinition:
    keys = {report: dg.AssetCheckKey(report_asset_key(report), f"ge_{report}") for report in reports}

    @dg.multi_asset_check(
        name="report_checks",
        specs=[
            dg.AssetCheckSpec(
                keys[report].name,
                asset=keys[report].asset_key,
                blocking=True,
                description=f"Great Expectations suite {suites.report_suite_name(report)}.",
            )
            for report in reports
        ],
        can_subset=True,
    )
    def _report_checks(
        context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource
    ) -> Iterator[dg.AssetCheckResult]:
        selected = selected_checks(context, keys.values())
        errors: list[tuple[str, Exception]] = []
        for report in (r for r in reports if keys[r] in selected):
            try:
                yield _evaluate(context, warehouse, keys[report])
            except Exception as exc:  # noqa: BLE001 — the other reports are still checked; raised below
                errors.append((report, exc))
        if errors:  # a validation that errors is an error: the step fails with the first, naming the others
            report, exc = errors[0]
            if len(errors) > 1:
                exc.add_note(f"the checks of {', '.join(r for r, _ in errors[1:])} also raised (run log)")
                for other, other_exc in errors[1:]:
                    context.log.error(
                        f"{keys[other].name} on {wh.REPORTS_SCHEMA}.{other} raised: {other_exc!r}"
                    )
            raise exc

    return _report_checks


def _evaluate(
    context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource, key: dg.AssetCheckKey
) -> dg.AssetCheckResult:
    report = key.asset_key.path[-1]
    suite = suites.report_suite_name(report)
    check = f"{wh.REPORTS_SCHEMA}/{report} {key.name}"
    with (
        data_docs.recording(warehouse.data_dir, run_id_of(context), check=check, suite=suite) as rec,
        warehouse.reading(report_inputs(report)) as con,
    ):
        passed, reason, metadata = validate_report(con, report)
        rec.check_failed = not passed
    return dg.AssetCheckResult(
        asset_key=key.asset_key,
        check_name=key.name,
        passed=passed,
        severity=ERROR,
        description=reason,
        metadata=metadata,
    )
