"""The GX runner: failures are counted, errors and empty suites are never a pass."""

from __future__ import annotations

import json

import great_expectations as gx
import pandas as pd
import pytest

from growthmart.quality.gx_runner import Expect, ValidationEngineError, validate

FRAME = pd.DataFrame({"clicks": [1, 5, 3], "impressions": [10, 4, 3], "status": ["paid", "lost", None]})


def test_a_clean_frame_passes_with_every_expectation_evaluated():
    expectations = [
        Expect.of("ExpectColumnValuesToBeBetween", column="clicks", min_value=0),
        Expect.of("ExpectColumnValuesToBeInSet", column="status", value_set=["paid", "lost"]),
    ]
    outcome = validate(FRAME, "test.clean", expectations)
    assert outcome.success
    assert outcome.evaluated_count == 2
    assert outcome.unexpected_count == 0
    assert outcome.failed == ()


def test_failures_name_the_expectation_column_and_unexpected_rows():
    expectations = [
        Expect.of("ExpectColumnValuesToNotBeNull", column="status"),
        Expect.of(
            "ExpectColumnPairValuesAToBeGreaterThanB",
            column_A="impressions",
            column_B="clicks",
            or_equal=True,
        ),
        Expect.of("ExpectColumnValuesToBeInSet", column="status", value_set=["paid"]),
    ]
    outcome = validate(FRAME, "test.bad", expectations)
    assert not outcome.success
    failed = {(f.expectation, f.column): f.unexpected_count for f in outcome.failed}
    assert failed == {
        ("expect_column_values_to_not_be_null", "status"): 1,
        ("expect_column_pair_values_a_to_be_greater_than_b", "impressions, clicks"): 1,
        ("expect_column_values_to_be_in_set", "status"): 1,
    }
    assert outcome.unexpected_count == 3


def test_table_level_failures_count_the_columns_that_differ():
    expectation = Expect.of("ExpectTableColumnsToMatchSet", column_set=["clicks", "spend"], exact_match=True)
    outcome = validate(FRAME, "test.columns", [expectation])
    (failure,) = outcome.failed
    assert failure.unexpected_count == 3  # spend missing; impressions and status unexpected
    assert "spend" in failure.observed


def test_metadata_is_compact_and_json_serialisable():
    outcome = validate(FRAME, "test.meta", [Expect.of("ExpectColumnValuesToNotBeNull", column="status")])
    meta = outcome.metadata()
    json.dumps(meta)
    assert meta["suite"] == "test.meta"
    assert (meta["evaluated"], meta["failed"], meta["unexpected_count"], meta["rows_validated"]) == (
        1,
        1,
        1,
        3,
    )


def test_gx_expectation_objects_are_accepted_as_well_as_specs():
    outcome = validate(FRAME, "test.gx", [gx.expectations.ExpectColumnValuesToNotBeNull(column="clicks")])
    assert outcome.success and outcome.evaluated_count == 1


def test_an_expectation_that_raises_is_an_engine_error_not_a_failure():
    # A numeric range on a text column makes GX's pandas metric raise a TypeError: a real error path.
    expectations = [
        Expect.of("ExpectColumnValuesToNotBeNull", column="clicks"),
        Expect.of("ExpectColumnValuesToBeBetween", column="status", min_value=0),
    ]
    with pytest.raises(ValidationEngineError, match=r"test.error: 1 of 2 expectations raised.*same type"):
        validate(FRAME, "test.error", expectations)


def test_an_expectation_on_a_missing_column_is_an_engine_error():
    with pytest.raises(ValidationEngineError, match="does not exist"):
        validate(FRAME, "test.missing", [Expect.of("ExpectColumnValuesToNotBeNull", column="spend")])


def test_an_empty_expectation_list_is_an_engine_error():
    with pytest.raises(ValidationEngineError, match="no expectations"):
        validate(FRAME, "test.empty", [])


def test_an_unknown_expectation_kind_is_rejected():
    with pytest.raises(ValueError, match="unknown Great Expectations expectation"):
        validate(FRAME, "test.unknown", [Expect.of("ExpectColumnValuesToBeDelightful", column="clicks")])


def test_an_engine_failure_before_any_expectation_runs_is_an_engine_error():
    # A dict is not a pandas DataFrame: GX cannot even build the batch.
    with pytest.raises(ValidationEngineError, match="test.engine: Great Expectations failed"):
        validate(
            {"clicks": [1]}, "test.engine", [Expect.of("ExpectColumnValuesToNotBeNull", column="clicks")]
        )
