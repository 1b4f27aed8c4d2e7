"""A thin runner that validates a pandas frame against a Great Expectations 1.x suite.

Why pandas: DuckDB is not a GX-supported SQL engine (through SQLAlchemy every expectation errors), so
callers read a bounded slice (at most `max_rows_per_batch` rows of a raw partition, or a small report
table) into pandas and hand it here; every row of a raw load is covered by `pushdown.py` in SQL.
GX is imported lazily and one ephemeral context is created per process and reused: importing GX costs
~2.5 s, a validation of a few thousand rows ~50 ms.

A validation that errors (any expectation raised) or evaluates nothing is never a pass: `validate`
raises `ValidationEngineError`, so the Dagster check that called it fails as an error.

Inside a `data_docs.recording(...)` block (a Dagster check opens one) every validation, passed, failed or
errored, is also written to the run's result store, from which the Data Docs site is built.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

# How many unexpected values each failed expectation keeps as a sample (metadata stays small).
SAMPLE_SIZE = 5


class ValidationEngineError(RuntimeError):
    """GX could not evaluate the suite: an expectation raised, or nothing was evaluated."""


@dataclass(frozen=True)
class Expect:
    """One expectation as data: a GX 1.x class name (`gx.expectations.<kind>`) and its keyword args.

    Suites are lists of these, so defining them needs no GX import and they print and compare plainly.
    """

    kind: str
    kwargs: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def of(cls, kind: str, **kwargs: Any) -> Expect:
        return cls(kind, kwargs)

    def to_gx(self) -> Any:
        import great_expectations as gx

        try:
            expectation_class = getattr(gx.expectations, self.kind)
        except AttributeError:
            raise ValueError(f"unknown Great Expectations expectation {self.kind!r}") from None
        return expectation_class(**self.kwargs)


@dataclass(frozen=True)
class FailedExpectation:
    expectation: str  # GX snake-case type, e.g. expect_column_values_to_not_be_null
    column: str | None  # the column, or the columns of a pair / compound expectation joined by ', '
    unexpected_count: int  # rows that broke it; for table-level expectations, the items that differ
    observed: str | None = None  # short rendering of the observed value or a sample of unexpected ones

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"expectation": self.expectation, "unexpected_count": self.unexpected_count}
        if self.column is not None:
            out["column"] = self.column
        if self.observed is not None:
            out["observed"] = self.observed
        return out


@dataclass(frozen=True)
class ValidationOutcome:
    suite_name: str
    success: bool
    evaluated_count: int
    row_count: int
    failed: tuple[FailedExpectation, ...]
    seconds: float

    @property
    def unexpected_count(self) -> int:
        return sum(f.unexpected_count for f in self.failed)

    def metadata(self) -> dict[str, Any]:
        """Compact values for Dagster check metadata (plain ints, strings and JSON-able lists)."""
        return {
            "suite": self.suite_name,
            "evaluated": self.evaluated_count,
            "failed": len(self.failed),
            "unexpected_count": self.unexpected_count,
            "rows_validated": self.row_count,
            "failed_expectations": [f.as_dict() for f in self.failed],
            "gx_seconds": round(self.seconds, 3),
        }


_lock = threading.Lock()
_batch_definition: Any = None


def _get_batch_definition() -> Any:
    """One ephemeral context, pandas data source and whole-frame batch definition per process."""
    global _batch_definition
    if _batch_definition is None:
        import great_expectations as gx
        from great_expectations.data_context.types.base import (
            DataContextConfig,
            InMemoryStoreBackendDefaults,
            ProgressBarsConfig,
        )

        config = DataContextConfig(
            store_backend_defaults=InMemoryStoreBackendDefaults(),
            progress_bars=ProgressBarsConfig(globally=False),  # tqdm bars would flood Dagster's logs
            analytics_enabled=False,  # no network from pipeline runs
        )
        context = gx.get_context(mode="ephemeral", project_config=config)
        asset = context.data_sources.add_pandas("growthmart").add_dataframe_asset("frame")
        _batch_definition = asset.add_batch_definition_whole_dataframe("whole_frame")
    return _batch_definition


def validate(
    df: pd.DataFrame, suite_name: str, expectations: Sequence[Expect | Any], batch: str | None = None
) -> ValidationOutcome:
    """Validate `df` against `expectations` (`Expect` specs or GX expectation objects).

    Raises `ValidationEngineError` when the list is empty, when GX evaluates fewer expectations than it
    was given, or when any expectation raised while being evaluated. `batch` says what `df` is, for the
    Data Docs (default: its row count).
    """
    from growthmart.quality import data_docs

    batch = batch or f"{len(df)} rows"
    if not expectations:
        raise _recorded(
            ValidationEngineError(f"suite {suite_name}: no expectations to evaluate"), suite_name, batch
        )
    import great_expectations as gx

    gx_expectations = [e.to_gx() if isinstance(e, Expect) else e for e in expectations]
    suite = gx.ExpectationSuite(name=suite_name, expectations=gx_expectations)
    started = time.perf_counter()
    try:
        with _lock:
            gx_batch = _get_batch_definition().get_batch(batch_parameters={"dataframe": df})
            result = gx_batch.validate(
                suite, result_format={"result_format": "SUMMARY", "partial_unexpected_count": SAMPLE_SIZE}
            )
    except Exception as exc:  # the engine itself failed: no verdict at all
        error = ValidationEngineError(f"suite {suite_name}: Great Expectations failed: {exc}")
        raise _recorded(error, suite_name, batch) from exc
    seconds = time.perf_counter() - started

    errors = [msg for r in result.results if (msg := _raised_message(r.exception_info))]
    evaluated = len(result.results)
    if errors:
        detail = "; ".join(sorted(set(errors))[:5])
        error = ValidationEngineError(
            f"suite {suite_name}: {len(errors)} of {evaluated} expectations raised instead of evaluating: "
            f"{detail}"
        )
        raise _recorded(error, suite_name, batch, result)
    if evaluated == 0 or evaluated < len(gx_expectations):
        error = ValidationEngineError(
            f"suite {suite_name}: evaluated {evaluated} of {len(gx_expectations)} expectations"
        )
        raise _recorded(error, suite_name, batch, result)
    data_docs.record_result(result, suite_name, batch)
    failed = tuple(_failed(r) for r in result.results if not r.success)
    return ValidationOutcome(
        suite_name=suite_name,
        success=bool(result.success) and not failed,
        evaluated_count=evaluated,
        row_count=len(df),
        failed=failed,
        seconds=seconds,
    )


def _recorded(
    error: ValidationEngineError, suite_name: str, batch: str, result: Any = None
) -> ValidationEngineError:
    """Record `error` for the Data Docs (with GX's result when there is one) and mark it recorded."""
    from growthmart.quality import data_docs

    data_docs.record_error(suite_name, str(error), batch, result=result, engine=data_docs.ENGINE_GX)
    error._gx_recorded = True  # type: ignore[attr-defined]  # recording() must not record it twice
    return error


def _raised_message(exception_info: Mapping[str, Any] | None) -> str | None:
    """GX reports errors either flat ({raised_exception, exception_message}) or keyed by metric id."""
    if not exception_info:
        return None
    if "raised_exception" in exception_info:
        infos = [exception_info]
    else:
        infos = [v for v in exception_info.values() if isinstance(v, Mapping)]
    for info in infos:
        if info.get("raised_exception"):
            return str(info.get("exception_message") or "unknown error")
    return None


def _failed(r: Any) -> FailedExpectation:
    kwargs = r.expectation_config.kwargs
    if "column" in kwargs:
        column = kwargs["column"]
    elif "column_A" in kwargs:
        column = f"{kwargs['column_A']}, {kwargs['column_B']}"
    elif "column_list" in kwargs:
        column = ", ".join(kwargs["column_list"])
    else:
        column = None
    condition = kwargs.get("row_condition")
    if isinstance(condition, Mapping):  # GX 1.x wraps a pandas condition as {"pass_through_filter": ...}
        condition = condition.get("pass_through_filter") or str(condition)
    if condition:
        column = f"{column} where {condition}"
    result = r.result or {}
    unexpected = result.get("unexpected_count")
    mismatched = (result.get("details") or {}).get("mismatched")
    if unexpected is not None:
        observed = short(result.get("partial_unexpected_list"))
    elif isinstance(mismatched, Mapping):  # table-level set expectations report which items differ
        unexpected = sum(len(v or []) for v in mismatched.values())
        observed = short({k: v for k, v in mismatched.items() if v})
    else:  # aggregate expectations (row count, distinct set) fail as a whole
        unexpected = 1
        observed = short(result.get("observed_value"))
    return FailedExpectation(
        expectation=r.expectation_config.type,
        column=column,
        unexpected_count=int(unexpected) or 1,
        observed=observed,
    )


def short(value: Any, limit: int = 300) -> str | None:
    if value is None or value == []:
        return None
    text = str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"
