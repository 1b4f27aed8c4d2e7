"""Fixtures of the data-quality tests: a warehouse in tmp_path and a way to run a check against it."""

from __future__ import annotations

from collections.abc import Callable, Iterable

import dagster as dg
import duckdb
import pytest

from assets.resources import WarehouseResource


@pytest.fixture
def warehouse(tmp_path) -> WarehouseResource:
    return WarehouseResource(data_dir=str(tmp_path / "data"))


@pytest.fixture
def con(warehouse) -> Iterable[duckdb.DuckDBPyConnection]:
    """A connection for arranging tables; the check under test opens its own to the same file."""
    with warehouse.connect() as connection:
        yield connection


@pytest.fixture
def run_check(warehouse, con, instance) -> Callable[[dg.AssetChecksDefinition], dg.AssetCheckResult]:
    """Invoke a check function directly, as Dagster would, against the test warehouse."""

    def _run(check: dg.AssetChecksDefinition | tuple[dg.AssetChecksDefinition, str]) -> dg.AssetCheckResult:
        """`check`, or (a definition of several checks, the name of the one wanted)."""
        check, name = check if isinstance(check, tuple) else (check, None)
        con.execute("checkpoint")
        # The resource as a value: its run-level set-up (file modes, writer lock) belongs to runs, not to a check.
        resources = {"warehouse": dg.ResourceDefinition.hardcoded_resource(warehouse)}
        context = dg.build_asset_check_context(resources=resources, instance=instance)
        out = check(context)
        if isinstance(out, dg.AssetCheckResult):
            return out
        results: dict[str, dg.AssetCheckResult] = {}
        try:
            for result in out:
                results[result.check_name] = result
        except Exception:  # an engine error of one check: raise it unless the wanted one came before it
            if name not in results:
                raise
        return results[name]

    return _run


@pytest.fixture
def instance() -> Iterable[dg.DagsterInstance]:
    """An ephemeral Dagster instance, disposed of when the test ends."""
    with dg.DagsterInstance.ephemeral() as dagster_instance:
        yield dagster_instance
