"""Which raw-load failures are retried (assets/ingest/raw_assets.py): only transient ones. Out of memory fails at
once, saying which limit and what to do; so does anything else that retrying cannot fix."""

from __future__ import annotations

import dagster as dg
import duckdb
import pytest

from assets.ingest.raw_assets import is_transient, transient_only
from assets.resources import WarehouseResource, is_out_of_memory
from growthmart.ingest import LoadError

OOM = "Out of Memory Error: failed to allocate data of size 32.0 KiB (959.9 KiB/976.5 KiB used)"


@pytest.fixture
def warehouse(tmp_path) -> WarehouseResource:
    return WarehouseResource(data_dir=str(tmp_path), memory_limit="1MB", threads=1)


def raised(warehouse: WarehouseResource, error: BaseException) -> BaseException:
    with (
        pytest.raises(BaseException) as info,
        transient_only(warehouse, "loading raw.app_events", {"source": "app_events"}),
    ):
        raise error
    return info.value


def test_a_lock_held_by_another_process_and_a_file_not_readable_yet_are_retried(warehouse):
    locked = duckdb.IOException(
        'IO Error: Could not set lock on file "/data/warehouse.duckdb": Conflicting lock is held in dbt (PID 12)'
    )
    for error in (locked, FileNotFoundError("landing/x.csv"), duckdb.IOException("IO Error: No files found")):
        assert is_transient(error)
        assert raised(warehouse, error) is error, "re-raised as is: the retry policy applies"


def test_out_of_memory_is_not_retried_and_names_the_limit(warehouse):
    wrapped = LoadError("app_events", "landing/a.csv", f"unparseable file: {OOM}")
    wrapped.__cause__ = duckdb.OutOfMemoryException(OOM)
    for error in (duckdb.OutOfMemoryException(OOM), MemoryError(), wrapped):
        assert is_out_of_memory(error) and not is_transient(error)
        failure = raised(warehouse, error)
        assert isinstance(failure, dg.Failure) and not failure.allow_retries
        assert failure.description.startswith("Out of memory loading raw.app_events.")
        assert "GROWTHMART_DUCKDB_MEMORY_LIMIT=1MB" in failure.description
        assert "Raise GROWTHMART_DUCKDB_MEMORY_LIMIT" in failure.description


def test_anything_else_fails_at_once(warehouse):
    for error in (ValueError("a bug"), duckdb.BinderException("Binder Error: column x not found")):
        assert not is_transient(error)
        failure = raised(warehouse, error)
        assert isinstance(failure, dg.Failure) and not failure.allow_retries
        assert str(error) in failure.description
    contract = dg.Failure("bad file", allow_retries=False)
    assert raised(warehouse, contract) is contract
