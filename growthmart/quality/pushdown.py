"""The raw suites pushed down into DuckDB: one aggregate query counts every expectation's unexpected rows.

Great Expectations validates pandas frames (DuckDB is not a GX SQL engine), so validating every row of a
365-day backfill in GX means reading 100M rows into pandas batch after batch. Here the same `Expect`
specs the GX suite is built from are translated into SQL predicates and evaluated by DuckDB in ONE
statement over the partitions a run loaded (`WHERE _partition_date IN (...)`): a row-wise aggregate (one
`count_if(<row is unexpected>)` per expectation, and up to `SAMPLE_SIZE` sample values),
plus one GROUP BY per compound-uniqueness expectation (the costly part: a hash table of every key).
Nothing but the counts and samples comes back to Python.

Semantics are GX's pandas semantics, expectation by expectation (tests/quality/test_pushdown.py runs both
engines on the same clean and bad data and compares the unexpected counts):
  * "missing" is what pandas calls null: SQL NULL, and also NaN in a DOUBLE/FLOAT column (DuckDB hands a
    NaN to pandas as NaN, which GX treats as null). Column-map expectations skip missing values, except
    `not_be_null`, which counts them.
  * between: inclusive bounds unless strict_min/strict_max; in_set: exact match; json_parseable: Python's
    `json.loads` succeeds (the very function GX uses, registered as a DuckDB UDF, because DuckDB's
    `json_valid` is more lenient: it accepts trailing commas and bare nan/inf, and rejects lone surrogates).
  * pair A > B (or >=): rows skipped per `ignore_row_if`; a remaining row with a missing side is unexpected.
  * compound unique: rows skipped per `ignore_row_if` (default: all key values missing); every row of a
    key that occurs more than once is unexpected (pandas `duplicated(keep=False)`), missing values of a key
    compare equal (pandas and GROUP BY agree on that).
  * `mostly` must be 1 (the default): every unexpected row fails the expectation.
An expectation kind, argument or column type without a translation raises `PushdownError` (an engine
error, never a silent skip); so does a query DuckDB cannot run.
"""

from __future__ import annotations

import contextlib
import json
import math
import re
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import duckdb

from growthmart.quality.gx_runner import SAMPLE_SIZE, Expect, ValidationEngineError

PARTITION_COLUMN = "_partition_date"
LOCATOR_COLUMNS = ("_source_file", "_row_number")  # where a sample row came from (raw lineage)
JSON_UDF = "growthmart_json_parseable"

_NAN_TYPES = ("DOUBLE", "FLOAT", "REAL")
_NUMERIC_TYPES = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT",
                  "UINTEGER", "UBIGINT", "DECIMAL", *_NAN_TYPES)  # fmt: skip
_TEXT_TYPES = ("VARCHAR",)
# Arguments that do not change what is counted.
_NEUTRAL_KWARGS = {"catch_exceptions", "result_format", "meta", "notes", "description", "id"}


class PushdownError(ValidationEngineError):
    """An expectation cannot be translated to SQL, or the pushdown query failed: no verdict at all."""


def gx_type(kind: str) -> str:
    """GX's snake-case expectation type of a class name: ExpectColumnValuesToNotBeNull → expect_column_…"""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", kind).lower()


def expectation_column(kwargs: Mapping[str, Any]) -> str | None:
    """The column label gx_runner gives a failure: the column, 'A, B' of a pair, or the joined list."""
    if "column" in kwargs:
        return kwargs["column"]
    if "column_A" in kwargs:
        return f"{kwargs['column_A']}, {kwargs['column_B']}"
    if "column_list" in kwargs:
        return ", ".join(kwargs["column_list"])
    return None


def label(expectation: str, column: str | None) -> str:
    return f"{expectation}({column})" if column else expectation


@dataclass(frozen=True)
class ExpectationCount:
    expectation: str  # GX snake-case type
    column: str | None  # same label as gx_runner.FailedExpectation.column
    unexpected_count: int
    sample: tuple[str, ...] = ()  # up to SAMPLE_SIZE unexpected values (a row locator for nulls)

    @property
    def label(self) -> str:
        return label(self.expectation, self.column)


@dataclass(frozen=True)
class PushdownOutcome:
    table: str
    row_count: int  # rows the query covered
    latest_partition: date | None  # newest partition that has rows (None: no rows, or no partitioning)
    counts: tuple[ExpectationCount, ...]  # one per expectation, in suite order
    seconds: float

    @property
    def success(self) -> bool:
        return all(c.unexpected_count == 0 for c in self.counts)

    @property
    def failed(self) -> tuple[ExpectationCount, ...]:
        return tuple(c for c in self.counts if c.unexpected_count)

    @property
    def unexpected_count(self) -> int:
        return sum(c.unexpected_count for c in self.counts)


# ---------------------------------------------------------------- translation


@dataclass(frozen=True)
class _RowCheck:
    """A row-level expectation: `unexpected` is a SQL boolean, TRUE on a row that breaks it."""

    unexpected: str
    sample: str  # SQL text of a row's sample value (VARCHAR, never NULL)


@dataclass(frozen=True)
class _UniqueCheck:
    """Compound uniqueness: the key expressions and which rows are in the domain."""

    keys: tuple[str, ...]
    domain: str


@dataclass(frozen=True)
class Translated:
    expect: Expect
    check: _RowCheck | _UniqueCheck

    @property
    def expectation(self) -> str:
        return gx_type(self.expect.kind)

    @property
    def column(self) -> str | None:
        return expectation_column(self.expect.kwargs)


def ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def literal(value: Any) -> str:
    """A SQL literal of a plain Python value (str, int, float, date); anything else cannot be pushed down."""
    if isinstance(value, bool) or value is None:
        raise PushdownError(f"cannot render {value!r} as a SQL literal")
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise PushdownError(f"cannot render {value!r} as a SQL literal")
        return repr(value)
    if isinstance(value, date):
        return f"DATE '{value.isoformat()}'"
    raise PushdownError(f"cannot render {value!r} ({type(value).__name__}) as a SQL literal")


class _Columns:
    """The table's columns and DuckDB types, and the SQL of a column's value and missingness."""

    def __init__(self, types: Mapping[str, str]) -> None:
        self.types = {name: t.upper() for name, t in types.items()}

    def base_type(self, column: str) -> str:
        if column not in self.types:
            raise PushdownError(f"column {column!r} does not exist in the table")
        return self.types[column].split("(")[0].strip()

    def ref(self, column: str) -> str:
        self.base_type(column)
        return ident(column)

    def is_nan_type(self, column: str) -> bool:
        return self.base_type(column) in _NAN_TYPES

    def missing(self, column: str) -> str:
        """pandas' isnull: NULL, and NaN in a floating-point column."""
        ref = self.ref(column)
        return f"({ref} IS NULL OR isnan({ref}))" if self.is_nan_type(column) else f"({ref} IS NULL)"

    def key(self, column: str) -> str:
        """A grouping key on which NULL and NaN are one value, as for pandas' duplicated()."""
        ref = self.ref(column)
        return f"(CASE WHEN isnan({ref}) THEN NULL ELSE {ref} END)" if self.is_nan_type(column) else ref

    def text(self, column: str) -> str:
        return f"coalesce(CAST({self.ref(column)} AS VARCHAR), 'NULL')"

    def category(self, column: str) -> str:
        base = self.base_type(column)
        if base in _NUMERIC_TYPES:
            return "number"
        if base in _TEXT_TYPES:
            return "text"
        return base.lower()  # date, timestamp, boolean …: comparable only with the same type

    @property
    def locator(self) -> str | None:
        if all(c in self.types for c in LOCATOR_COLUMNS):
            return f"({ident(LOCATOR_COLUMNS[0])} || '#' || CAST({ident(LOCATOR_COLUMNS[1])} AS VARCHAR))"
        return None


def _check_kwargs(expect: Expect, allowed: set[str]) -> None:
    kwargs = expect.kwargs
    unknown = set(kwargs) - allowed - _NEUTRAL_KWARGS - {"mostly", "row_condition", "condition_parser"}
    if unknown:
        raise PushdownError(f"{expect.kind}: no SQL translation for argument(s) {sorted(unknown)}")
    if kwargs.get("mostly") not in (None, 1, 1.0):
        raise PushdownError(f"{expect.kind}: mostly={kwargs['mostly']} is not pushed down (only 1)")
    if kwargs.get("row_condition") or kwargs.get("condition_parser"):
        raise PushdownError(f"{expect.kind}: row_condition is not pushed down")


def _number(expect: Expect, name: str) -> int | float | None:
    value = expect.kwargs.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise PushdownError(f"{expect.kind}: {name}={value!r} is not a finite number")
    return value


def _not_null(expect: Expect, cols: _Columns) -> _RowCheck:
    _check_kwargs(expect, {"column"})
    column = expect.kwargs["column"]
    return _RowCheck(cols.missing(column), cols.locator or "'NULL'")


def _null(expect: Expect, cols: _Columns) -> _RowCheck:
    _check_kwargs(expect, {"column"})
    column = expect.kwargs["column"]
    return _RowCheck(f"NOT {cols.missing(column)}", cols.text(column))


def _between(expect: Expect, cols: _Columns) -> _RowCheck:
    _check_kwargs(expect, {"column", "min_value", "max_value", "strict_min", "strict_max"})
    column = expect.kwargs["column"]
    if cols.category(column) != "number":
        raise PushdownError(f"{expect.kind}: column {column!r} is {cols.types[column]}, not numeric")
    low, high = _number(expect, "min_value"), _number(expect, "max_value")
    if low is None and high is None:
        raise PushdownError(f"{expect.kind}: min_value and max_value cannot both be None")
    if low is not None and high is not None and low > high:
        raise PushdownError(f"{expect.kind}: min_value cannot be greater than max_value")
    ref, within = cols.ref(column), []
    if low is not None:
        within.append(f"{ref} {'>' if expect.kwargs.get('strict_min') else '>='} {literal(low)}")
    if high is not None:
        within.append(f"{ref} {'<' if expect.kwargs.get('strict_max') else '<='} {literal(high)}")
    return _RowCheck(f"(NOT {cols.missing(column)} AND NOT ({' AND '.join(within)}))", cols.text(column))


def _in_set(expect: Expect, cols: _Columns) -> _RowCheck:
    _check_kwargs(expect, {"column", "value_set"})
    column, values = expect.kwargs["column"], expect.kwargs.get("value_set")
    if (
        values is None
        or isinstance(values, str | bytes)
        or not isinstance(values, Sequence | set | frozenset)
    ):
        raise PushdownError(f"{expect.kind}: value_set must be a list of values")
    category = cols.category(column)
    wanted = {"text": (str,), "number": (int, float)}.get(category)
    if wanted is None or not all(isinstance(v, wanted) and not isinstance(v, bool) for v in values):
        raise PushdownError(f"{expect.kind}: value_set {list(values)!r} does not match column {column!r}")
    outside = f"NOT ({cols.ref(column)} IN ({', '.join(literal(v) for v in values)}))" if values else "TRUE"
    return _RowCheck(f"(NOT {cols.missing(column)} AND {outside})", cols.text(column))


def _json_parseable(expect: Expect, cols: _Columns) -> _RowCheck:
    _check_kwargs(expect, {"column"})
    column = expect.kwargs["column"]
    if cols.category(column) != "text":
        raise PushdownError(f"{expect.kind}: column {column!r} is {cols.types[column]}, not text")
    return _RowCheck(
        f"(NOT {cols.missing(column)} AND NOT {JSON_UDF}({cols.ref(column)}))", cols.text(column)
    )


def _pair_greater(expect: Expect, cols: _Columns) -> _RowCheck:
    _check_kwargs(expect, {"column_A", "column_B", "or_equal", "ignore_row_if"})
    a, b = expect.kwargs["column_A"], expect.kwargs["column_B"]
    if cols.category(a) != cols.category(b) or cols.category(a) == "text":
        raise PushdownError(
            f"{expect.kind}: columns {a!r} ({cols.types.get(a)}) and {b!r} ({cols.types.get(b)}) "
            "are not both numeric or of one temporal type"
        )
    ignore = expect.kwargs.get("ignore_row_if") or "both_values_are_missing"
    skipped = {
        "both_values_are_missing": f"({cols.missing(a)} AND {cols.missing(b)})",
        "either_value_is_missing": f"({cols.missing(a)} OR {cols.missing(b)})",
        "neither": "FALSE",
    }.get(ignore)
    if skipped is None:
        raise PushdownError(f"{expect.kind}: ignore_row_if={ignore!r} is not pushed down")
    op = ">=" if expect.kwargs.get("or_equal") else ">"
    # pandas compares a missing side as False: such a row (if not skipped) is unexpected.
    holds = f"(NOT {cols.missing(a)} AND NOT {cols.missing(b)} AND {cols.ref(a)} {op} {cols.ref(b)})"
    return _RowCheck(f"(NOT {skipped} AND NOT {holds})", f"({cols.text(a)} || ' vs ' || {cols.text(b)})")


def _compound_unique(expect: Expect, cols: _Columns) -> _UniqueCheck:
    _check_kwargs(expect, {"column_list", "ignore_row_if"})
    columns = list(expect.kwargs.get("column_list") or [])
    if not columns:
        raise PushdownError(f"{expect.kind}: empty column_list")
    ignore = expect.kwargs.get("ignore_row_if") or "all_values_are_missing"
    missing = [cols.missing(c) for c in columns]
    skipped = {
        "all_values_are_missing": " AND ".join(missing),
        "any_value_is_missing": " OR ".join(missing),
        "never": "FALSE",
    }.get(ignore)
    if skipped is None:
        raise PushdownError(f"{expect.kind}: ignore_row_if={ignore!r} is not pushed down")
    return _UniqueCheck(tuple(cols.key(c) for c in columns), f"NOT ({skipped})")


_TRANSLATORS = {
    "ExpectColumnValuesToNotBeNull": _not_null,
    "ExpectColumnValuesToBeNull": _null,
    "ExpectColumnValuesToBeBetween": _between,
    "ExpectColumnValuesToBeInSet": _in_set,
    "ExpectColumnValuesToBeJsonParseable": _json_parseable,
    "ExpectColumnPairValuesAToBeGreaterThanB": _pair_greater,
    "ExpectCompoundColumnsToBeUnique": _compound_unique,
}
SUPPORTED_KINDS = frozenset(_TRANSLATORS)


def translate(expectations: Sequence[Expect], column_types: Mapping[str, str]) -> list[Translated]:
    """SQL for each expectation, in order; raises `PushdownError` for anything without a translation."""
    if not expectations:
        raise PushdownError("no expectations to push down")
    cols = _Columns(column_types)
    out = []
    for expect in expectations:
        if not isinstance(expect, Expect):
            raise PushdownError(f"only Expect specs are pushed down, not {type(expect).__name__}")
        translator = _TRANSLATORS.get(expect.kind)
        if translator is None:
            raise PushdownError(f"{expect.kind} has no SQL translation")
        try:
            out.append(Translated(expect, translator(expect, cols)))
        except KeyError as exc:
            raise PushdownError(f"{expect.kind}: missing argument {exc}") from None
    return out


# ---------------------------------------------------------------- the query


def build_query(
    schema: str,
    table: str,
    translated: Sequence[Translated],
    column_types: Mapping[str, str],
    partitions: Sequence[date] | None,
) -> str:
    """ONE statement returning (rows, latest_partition, then unexpected_count and sample per expectation).

    `partitions` None covers the whole table (small tables, tests); an empty list covers no rows.
    """
    source = f"{ident(schema)}.{ident(table)}"
    partitioned = PARTITION_COLUMN in column_types
    where = _scope(schema, table, column_types, partitions)
    latest = f"max({ident(PARTITION_COLUMN)})" if partitioned else "CAST(NULL AS DATE)"
    ctes = [f"scoped AS NOT MATERIALIZED (SELECT * FROM {source} WHERE {where})"]
    flags = []  # each row-level predicate, evaluated once per row
    row_items = ["count(*) AS n_rows", f"{latest} AS latest_partition"]
    selects = ["r.n_rows", "r.latest_partition"]
    joins = ["row_checks AS r"]
    for i, t in enumerate(translated):
        if isinstance(t.check, _RowCheck):
            flag = f"__gm_unexpected_{i}"
            flags.append(f"({t.check.unexpected}) AS {flag}")
            # The sample text is built only on unexpected rows (CASE), not on every row.
            row_items += [
                f"count_if({flag}) AS u{i}",
                f"min(CASE WHEN {flag} THEN {t.check.sample} END, {SAMPLE_SIZE}) AS s{i}",
            ]
            selects += [f"r.u{i}", f"r.s{i}"]
        else:
            keys = ", ".join(t.check.keys)
            ctes.append(
                f"d{i} AS (SELECT coalesce(sum(n), 0) AS u, min(k, {SAMPLE_SIZE}) AS s FROM ("
                f"SELECT count(*) AS n, CAST(row({keys}) AS VARCHAR) AS k FROM scoped "
                f"WHERE {t.check.domain} GROUP BY {keys} HAVING count(*) > 1))"
            )
            selects += [f"d{i}.u AS u{i}", f"d{i}.s AS s{i}"]
            joins.append(f"d{i}")
    flagged = f"(SELECT *, {', '.join(flags)} FROM scoped)" if flags else "scoped"
    ctes.insert(1, f"row_checks AS (SELECT {', '.join(row_items)} FROM {flagged})")
    return f"WITH {', '.join(ctes)}\nSELECT {', '.join(selects)}\nFROM {' CROSS JOIN '.join(joins)}"


def _scope(
    schema: str, table: str, column_types: Mapping[str, str], partitions: Sequence[date] | None
) -> str:
    """The WHERE condition selecting `partitions` (None: every row; an empty list: none)."""
    if partitions is None:
        return "TRUE"
    if not partitions:
        return "FALSE"
    if PARTITION_COLUMN not in column_types:
        raise PushdownError(f"{schema}.{table} has no {PARTITION_COLUMN} column to select partitions by")
    days = sorted(set(partitions))
    col = ident(PARTITION_COLUMN)
    # The BETWEEN lets DuckDB skip row groups by their min/max before the IN list is probed.
    return (
        f"{col} BETWEEN {literal(days[0])} AND {literal(days[-1])} "
        f"AND {col} IN ({', '.join(literal(d) for d in days)})"
    )


def offending_rows(
    con: duckdb.DuckDBPyConnection,
    schema: str,
    table: str,
    expect: Expect,
    column_types: Mapping[str, str],
    partitions: Sequence[date] | None,
    limit: int = 3,
) -> list[dict[str, Any]]:
    """Up to `limit` rows breaking `expect`, in load order, each as {partition, file, row, column, value}: where
    a failure came from (raw lineage columns; absent ones are left out). Run only for a failed expectation."""
    (t,) = translate([expect], column_types)
    where = _scope(schema, table, column_types, partitions)
    source = f"{ident(schema)}.{ident(table)}"
    if isinstance(t.check, _RowCheck):
        condition = t.check.unexpected
        value = (
            _Columns(column_types).text(expect.kwargs["column"])
            if "column" in expect.kwargs
            else t.check.sample
        )
    else:
        keys = ", ".join(t.check.keys)
        condition = (
            f"({t.check.domain}) AND ({keys}) IN (SELECT ({keys}) FROM {source} WHERE {where} "
            f"AND {t.check.domain} GROUP BY {keys} HAVING count(*) > 1)"
        )
        value = f"CAST(row({keys}) AS VARCHAR)"
    lineage = [c for c in (PARTITION_COLUMN, *LOCATOR_COLUMNS) if c in column_types]
    select = ", ".join([*(f"{ident(c)}" for c in lineage), f"{value} AS __gm_value"])
    sql = (
        f"SELECT {select} FROM {source} WHERE ({where}) AND ({condition}) "
        f"ORDER BY {', '.join(ident(c) for c in lineage) or 'ALL'} LIMIT {int(limit)}"
    )
    try:
        if JSON_UDF in sql:
            _register_udfs(con)
        rows = con.execute(sql).fetchall()
    except duckdb.Error as exc:
        raise PushdownError(f"{schema}.{table}: the offending-rows query failed: {exc}") from exc
    names = {PARTITION_COLUMN: "partition", "_source_file": "file", "_row_number": "row"}
    out = []
    for row in rows:
        entry = {
            names[c]: (v.isoformat() if isinstance(v, date) else v)
            for c, v in zip(lineage, row, strict=False)
        }
        out.append(entry | {"column": t.column, "value": row[-1]})
    return out


def _json_parseable_udf(values: Any) -> Any:
    """GX's pandas json_parseable, vectorised over an Arrow array (NULL stays NULL)."""
    import pyarrow as pa

    def parses(text: str | None) -> bool | None:
        if text is None:
            return None
        try:
            json.loads(text)
        except Exception:
            return False
        return True

    return pa.array([parses(v) for v in values.to_pylist()], type=pa.bool_())


def _register_udfs(con: duckdb.DuckDBPyConnection) -> None:
    """The JSON UDF, once per connection (DuckDB refuses to register a name twice)."""
    from duckdb import sqltypes

    sql = "select count(*) from duckdb_functions() where function_name = ?"
    if con.execute(sql, [JSON_UDF]).fetchall()[0][0]:
        return
    con.create_function(
        JSON_UDF,
        _json_parseable_udf,
        [sqltypes.VARCHAR],
        sqltypes.BOOLEAN,
        type="arrow",
        null_handling="special",
    )


@contextlib.contextmanager
def _no_progress_bar(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    before = con.execute("select current_setting('enable_progress_bar')").fetchall()[0][0]
    con.execute("set enable_progress_bar = false")
    try:
        yield
    finally:
        con.execute(f"set enable_progress_bar = {'true' if before else 'false'}")


def run(
    con: duckdb.DuckDBPyConnection,
    schema: str,
    table: str,
    expectations: Sequence[Expect],
    partitions: Sequence[date] | None,
    column_types: Mapping[str, str] | None = None,
) -> PushdownOutcome:
    """Count every expectation's unexpected rows of `schema.table` (the given partitions) in one query.

    Raises `PushdownError` when an expectation has no translation or the query fails.
    """
    started = time.perf_counter()
    if column_types is None:
        rows = con.execute(
            "select column_name, data_type from information_schema.columns "
            "where table_schema = ? and table_name = ? order by ordinal_position",
            [schema, table],
        ).fetchall()
        column_types = dict(rows)
    translated = translate(expectations, column_types)
    sql = build_query(schema, table, translated, column_types, partitions)
    try:
        if any(isinstance(t.check, _RowCheck) and JSON_UDF in t.check.unexpected for t in translated):
            _register_udfs(con)
        with _no_progress_bar(con):  # a long scan would otherwise draw a bar into the run's stderr log
            (row,) = con.execute(sql).fetchall()
    except duckdb.Error as exc:
        raise PushdownError(f"{schema}.{table}: the pushdown query failed: {exc}") from exc
    n_rows, latest = int(row[0]), row[1]
    counts = tuple(
        ExpectationCount(
            expectation=t.expectation,
            column=t.column,
            unexpected_count=int(row[2 + 2 * i] or 0),
            sample=tuple(str(v) for v in (row[3 + 2 * i] or ())),
        )
        for i, t in enumerate(translated)
    )
    return PushdownOutcome(
        table=f"{schema}.{table}",
        row_count=n_rows,
        latest_partition=latest,
        counts=counts,
        seconds=time.perf_counter() - started,
    )
