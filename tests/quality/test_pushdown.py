"""The SQL pushdown of the raw suites counts exactly what Great Expectations counts.

Every test here runs both engines — GX's pandas engine on the whole table read into a frame, and the
single pushdown query in DuckDB — on the same data, and compares the unexpected count of every
expectation. The data covers clean rows and, per expectation, rows that break it, sit on its bounds, or
are missing (NULL, and NaN in DOUBLE columns, which pandas treats as null).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import duckdb
import pytest
from quality_tables import clean_value, contract, create_raw_table, load_partition

from growthmart.contracts import CONTRACTS, SourceContract
from growthmart.quality import pushdown, suites
from growthmart.quality.gx_runner import Expect, validate
from growthmart.quality.pushdown import PushdownError
from growthmart.quality.settings import QualitySettings

DAY = date(2026, 1, 5)
SETTINGS = QualitySettings()


@pytest.fixture
def con() -> Iterator[duckdb.DuckDBPyConnection]:
    """In memory: these tests compare engines on tiny tables and need no warehouse file."""
    connection = duckdb.connect()
    yield connection
    connection.close()


def both_engines(
    con: duckdb.DuckDBPyConnection, table: str, expectations: list[Expect], schema: str = "raw"
) -> tuple[dict[str, int], dict[str, int]]:
    """{label: unexpected_count} of every expectation, from GX (whole table as a frame) and from SQL."""
    df = con.execute(f'select * from "{schema}"."{table}"').df()
    ge = validate(df, f"test.{table}", expectations)
    sql = pushdown.run(con, schema, table, expectations, partitions=None)
    ge_counts = {c.label: 0 for c in sql.counts}
    for f in ge.failed:
        ge_counts[pushdown.label(f.expectation, f.column)] += f.unexpected_count
    return ge_counts, {c.label: c.unexpected_count for c in sql.counts}


def bad_changes(source: SourceContract, expectations: list[Expect]) -> list[dict[str, Any]]:
    """Row changes that break, or sit on the edge of, each expectation of `source`'s raw suite."""
    out: list[dict[str, Any]] = []
    kind_of = {c.name: c.type for c in source.columns}

    def number(column: str, value: float) -> Any:
        return int(value) if kind_of.get(column) == "int" else value

    for e in expectations:
        kw = e.kwargs
        if e.kind == "ExpectColumnValuesToNotBeNull" and kw["column"] in kind_of:
            out.append({kw["column"]: None})
        elif e.kind == "ExpectColumnValuesToBeBetween":
            col, low, high = kw["column"], kw.get("min_value"), kw.get("max_value")
            out += [{col: None}]
            if low is not None:
                out += [{col: number(col, low)}, {col: number(col, low - 1)}]  # on the bound, below it
            if high is not None:
                out += [{col: number(col, high)}, {col: number(col, high + 1)}]
            if kind_of[col] == "double":  # NaN is null to pandas; infinities are out of range
                out += [{col: float("nan")}, {col: float("inf")}, {col: float("-inf")}]
        elif e.kind == "ExpectColumnValuesToBeInSet":
            col = kw["column"]
            out += [{col: "zzz"}, {col: ""}, {col: kw["value_set"][0].lower()}, {col: None}]
        elif e.kind == "ExpectColumnValuesToBeJsonParseable":
            col = kw["column"]
            # DuckDB's json_valid accepts the first four and rejects the last; Python's json is the rule.
            out += [{col: v} for v in ("[1,]", '{"a": 1,}', "nan", "{not json", '"\\ud800"', "NaN", "")]
        elif e.kind == "ExpectColumnPairValuesAToBeGreaterThanB":
            a, b = kw["column_A"], kw["column_B"]
            if kind_of[a] == "date":
                low, high = DAY - timedelta(days=3), DAY
            else:
                low, high = number(a, 1), number(a, 5)
            out += [{a: low, b: high}, {a: high, b: high}, {a: None, b: high}, {a: high, b: None}]
            out += [{a: None, b: None}]
        elif e.kind == "ExpectCompoundColumnsToBeUnique":
            keys = [c for c in kw["column_list"] if c in kind_of]
            out.append({k: clean_value(source, k, 0, DAY) for k in keys})  # duplicates row 0
            out += [{k: None for k in keys}] * 2  # two rows whose key is all NULL (but the partition)
    return out


@pytest.mark.parametrize("source", CONTRACTS, ids=lambda c: c.name)
def test_sql_and_gx_agree_on_clean_rows(source, con):
    load_partition(con, source, DAY, rows=3)  # fx_rates is keyed by (date, one of 3 currencies)
    expectations = suites.raw_expectations(source, SETTINGS)
    ge, sql = both_engines(con, source.name, expectations)
    assert sql == ge
    assert set(sql.values()) == {0}


@pytest.mark.parametrize("source", CONTRACTS, ids=lambda c: c.name)
def test_sql_and_gx_count_the_same_unexpected_rows_expectation_by_expectation(source, con):
    expectations = suites.raw_expectations(source, SETTINGS)
    changes = bad_changes(source, expectations)
    load_partition(con, source, DAY, rows=3 + len(changes), changes=dict(enumerate(changes, start=3)))
    ge, sql = both_engines(con, source.name, expectations)
    assert sql == ge
    assert sum(sql.values()) > 0
    for e in expectations:  # every expectation kind the suite uses is exercised by a bad row
        if e.kind != "ExpectColumnValuesToNotBeNull" or e.kwargs["column"] in source.column_names:
            key = pushdown.label(pushdown.gx_type(e.kind), pushdown.expectation_column(e.kwargs))
            assert sql[key] > 0, key


def test_counts_cover_only_the_partitions_asked_for_and_return_samples(con):
    source = contract("app_orders")
    load_partition(con, source, date(2026, 1, 4), changes={0: {"status": "shipped"}})
    load_partition(con, source, DAY, rows=4, changes={1: {"status": "lost"}, 2: {"amount": -1.0}})
    expectations = suites.raw_expectations(source, SETTINGS)
    outcome = pushdown.run(con, "raw", "app_orders", expectations, [DAY])
    assert outcome.row_count == 4 and outcome.latest_partition == DAY
    failed = {c.label: c for c in outcome.failed}
    assert set(failed) == {
        "expect_column_values_to_be_in_set(status)",
        "expect_column_values_to_be_between(amount)",
        "expect_column_pair_values_a_to_be_greater_than_b(amount, refund_amount)",  # -1 < refund 12.5
    }
    assert failed["expect_column_values_to_be_in_set(status)"].sample == ("lost",)
    assert pushdown.run(con, "raw", "app_orders", expectations, [date(2026, 1, 4), DAY]).unexpected_count == 4
    empty = pushdown.run(con, "raw", "app_orders", expectations, [])
    assert empty.row_count == 0 and empty.success and empty.latest_partition is None


def test_the_json_udf_is_registered_once_per_connection_and_reused(con):
    source = contract("meta_ads_insights")
    load_partition(con, source, DAY, changes={0: {"actions": "[1,]"}})
    expectations = suites.raw_expectations(source, SETTINGS)
    for _ in range(2):
        outcome = pushdown.run(con, "raw", source.name, expectations, [DAY])
        assert [c.label for c in outcome.failed] == ["expect_column_values_to_be_json_parseable(actions)"]


def test_a_null_sample_names_the_row_it_came_from(con):
    load_partition(con, contract("app_events"), DAY, changes={2: {"event_name": None}})
    outcome = pushdown.run(
        con, "raw", "app_events", suites.raw_expectations(contract("app_events"), SETTINGS), [DAY]
    )
    (failure,) = outcome.failed
    assert failure.sample == (f"app_events/{DAY}/file.csv#3",)


# ---------------------------------------------------------------- GX semantics beyond the raw suites

GENERIC = """create table main.t as select * from (values
    (1,    1.0,           'a',  date '2026-01-01', date '2026-01-02', 'k1', 'x'),
    (5,    0.0,           'b',  date '2026-01-03', date '2026-01-02', 'k1', 'x'),
    (null, 'nan'::double, null, null,              date '2026-01-02', 'k2', null),
    (-1,   null,          'c',  null,              null,              null, null),
    (10,   'inf'::double, 'a',  date '2026-01-02', date '2026-01-02', null, null),
    (0,    -0.5,          'A',  date '2026-01-01', null,              'k2', null)
) v(i, d, s, a, b, k1, k2)"""


@pytest.mark.parametrize(
    "expectation",
    [
        Expect.of("ExpectColumnValuesToNotBeNull", column="d"),
        Expect.of("ExpectColumnValuesToBeNull", column="d"),
        Expect.of("ExpectColumnValuesToBeNull", column="s"),
        Expect.of("ExpectColumnValuesToBeBetween", column="i", min_value=0, max_value=5),
        Expect.of("ExpectColumnValuesToBeBetween", column="i", min_value=0, max_value=5, strict_max=True),
        Expect.of("ExpectColumnValuesToBeBetween", column="i", min_value=0, strict_min=True),
        Expect.of("ExpectColumnValuesToBeBetween", column="d", max_value=0.5),
        Expect.of("ExpectColumnValuesToBeBetween", column="d", min_value=-0.5, max_value=1.0),
        Expect.of("ExpectColumnValuesToBeInSet", column="s", value_set=["a", "b"]),
        Expect.of("ExpectColumnValuesToBeInSet", column="i", value_set=[0, 1, 5]),
        Expect.of("ExpectColumnValuesToBeInSet", column="s", value_set=[]),
        *[
            Expect.of("ExpectColumnPairValuesAToBeGreaterThanB", column_A="a", column_B="b", **kw)
            for kw in (
                {},
                {"or_equal": True},
                {"or_equal": True, "ignore_row_if": "either_value_is_missing"},
                {"or_equal": True, "ignore_row_if": "neither"},
            )
        ],
        # (GX raises on a nullable BIGINT compared with a missing value unless such rows are ignored.)
        Expect.of(
            "ExpectColumnPairValuesAToBeGreaterThanB",
            column_A="i",
            column_B="d",
            or_equal=True,
            ignore_row_if="either_value_is_missing",
        ),
        *[
            Expect.of("ExpectCompoundColumnsToBeUnique", column_list=["k1", "k2"], **kw)
            for kw in ({}, {"ignore_row_if": "any_value_is_missing"}, {"ignore_row_if": "never"})
        ],
        Expect.of("ExpectCompoundColumnsToBeUnique", column_list=["d", "k2"], ignore_row_if="never"),
        Expect.of("ExpectCompoundColumnsToBeUnique", column_list=["k1", "s"], mostly=1.0),
    ],
    ids=lambda e: f"{e.kind}-{'-'.join(f'{k}={v}' for k, v in e.kwargs.items())}",
)
def test_sql_matches_gx_on_nulls_nan_bounds_and_ignore_rules(expectation, con):
    con.execute(GENERIC)
    ge, sql = both_engines(con, "t", [expectation], schema="main")
    assert sql == ge


# ---------------------------------------------------------------- what is not pushed down raises

TYPES = {"n": "BIGINT", "s": "VARCHAR", "x": "DOUBLE", "_partition_date": "DATE"}


@pytest.mark.parametrize(
    ("expectation", "message"),
    [
        (Expect.of("ExpectTableRowCountToBeBetween", min_value=1), "has no SQL translation"),
        (Expect.of("ExpectColumnPairValuesToBeEqual", column_A="n", column_B="x"), "has no SQL translation"),
        (Expect.of("ExpectColumnValuesToNotBeNull", column="n", mostly=0.95), "mostly=0.95"),
        (
            Expect.of(
                "ExpectColumnValuesToBeNull", column="x", row_condition="n > 1", condition_parser="pandas"
            ),
            "row_condition",
        ),
        (Expect.of("ExpectColumnValuesToBeBetween", column="s", min_value=0), "not numeric"),
        (Expect.of("ExpectColumnValuesToBeBetween", column="n"), "cannot both be None"),
        (Expect.of("ExpectColumnValuesToBeBetween", column="n", min_value="0"), "not a finite number"),
        (Expect.of("ExpectColumnValuesToBeInSet", column="n", value_set=["1"]), "does not match column"),
        (Expect.of("ExpectColumnValuesToNotBeNull", column="nope"), "does not exist"),
        (Expect.of("ExpectColumnValuesToNotBeNull"), "missing argument"),
        (Expect.of("ExpectColumnValuesToNotBeNull", column="n", parse_strings_as_datetimes=True), "argument"),
        (
            Expect.of("ExpectColumnPairValuesAToBeGreaterThanB", column_A="n", column_B="_partition_date"),
            "not both numeric",
        ),
    ],
)
def test_anything_without_a_faithful_translation_raises(expectation, message):
    with pytest.raises(PushdownError, match=message):
        pushdown.translate([expectation], TYPES)


def test_an_empty_suite_or_a_gx_object_raises():
    import great_expectations as gx

    with pytest.raises(PushdownError, match="no expectations"):
        pushdown.translate([], TYPES)
    with pytest.raises(PushdownError, match="only Expect specs"):
        pushdown.translate([gx.expectations.ExpectColumnValuesToNotBeNull(column="n")], TYPES)


def test_every_raw_suite_translates(con):
    for source in CONTRACTS:
        create_raw_table(con, source)
        expectations = suites.raw_expectations(source, SETTINGS)
        outcome = pushdown.run(con, "raw", source.name, expectations, [DAY])
        assert len(outcome.counts) == len(expectations) and outcome.row_count == 0


def test_gx_type_names_match_great_expectations():
    samples = {
        "ExpectColumnPairValuesAToBeGreaterThanB": {"column_A": "a", "column_B": "b"},
        "ExpectCompoundColumnsToBeUnique": {"column_list": ["a", "b"]},
        "ExpectColumnValuesToBeBetween": {"column": "a", "min_value": 0},
        "ExpectColumnValuesToBeInSet": {"column": "a", "value_set": ["x"]},
    }
    for kind in pushdown.SUPPORTED_KINDS:
        gx_expectation = Expect(kind, samples.get(kind, {"column": "a"})).to_gx()
        assert pushdown.gx_type(kind) == gx_expectation.expectation_type


def test_the_per_user_report_suites_count_the_same_in_sql_as_in_gx(con):
    # rpt_user_segments is validated only in SQL in the pipeline (one row per user); this pins that the
    # pushed-down suite means what the GX suite means, on a small table with one bad value per expectation.
    from quality_tables import clean_report_row, create_report, published_columns

    for report in suites.SQL_PUSHDOWN_REPORTS:
        expectations = [
            e
            for e in suites.report_expectations(report, published_columns(report))
            if e.kind != "ExpectTableRowCountToBeBetween"
        ]
        clean = clean_report_row(report)
        bad = [
            clean | {"user_id": "u2", "recency_days": -1},
            clean | {"user_id": "u3", "monetary_cny": -1.0},
            clean | {"user_id": "u4", "frequency": -2, "recency_days": None},
        ]
        create_report(con, report, [clean, *bad])
        ge_counts, sql_counts = both_engines(con, report, expectations, schema="reports")
        assert sql_counts == ge_counts
        assert sum(sql_counts.values()) >= 3
