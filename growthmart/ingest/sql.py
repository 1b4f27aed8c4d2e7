"""SQL fragments that type raw landing values under a contract, each rule stated once for every engine.

The expressions take a `Dialect` (dialect.py: DuckDB by default, Spark SQL) for the few pieces the engines
spell differently; `ident` and `literal` here are DuckDB's (the DuckDB-only modules use them).
"""

from __future__ import annotations

from growthmart.contracts import NULL_TOKENS, Column, SourceContract
from growthmart.ingest.dialect import DUCKDB, Dialect

DUCKDB_TYPES = DUCKDB.types

LINEAGE_COLUMNS = (
    ("_source_file", "varchar"),
    ("_row_number", "bigint"),
    ("_partition_date", "date"),
    ("_loaded_at", "timestamp"),
)


def ident(name: str) -> str:
    """Quote an identifier (Chinese headers and punctuation included)."""
    return DUCKDB.ident(name)


def literal(value: str) -> str:
    return DUCKDB.literal(value)


def cleaned(column: Column, d: Dialect = DUCKDB) -> str:
    """The landing text of a column with surrounding blanks removed and null tokens mapped to NULL."""
    tokens = ", ".join(d.literal(t) for t in NULL_TOKENS)
    ref = d.ident(column.name)
    return f"(case when trim({ref}) in ({tokens}) then null else trim({ref}) end)"


# Numbers are read only when their text means one number beyond doubt (RE2 patterns, matched whole); anything
# else is quarantined with its text, never rewritten. A ',' is a thousands separator only between groups of
# exactly three digits after a first group of one to three ("1,234", "1,234,567.89"): "12,5" (a decimal
# comma?), "1,2,3", "1,23", "1234,567" and ",5" are ambiguous. No currency symbols, '%', spaces inside,
# full-width digits, NaN or infinity. A decimal keeps 4 places: a fifth significant one would be rounded.
_GROUPED = "([0-9]+|[0-9]{1,3}(,[0-9]{3})+)"
INT_PATTERN = f"[+-]?{_GROUPED}"
DECIMAL_PATTERN = f"[+-]?({_GROUPED}(\\.[0-9]{{0,4}}0*)?|\\.[0-9]{{1,4}}0*)"
DOUBLE_PATTERN = "[+-]?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)([eE][+-]?[0-9]+)?"
# A date is YYYY-MM-DD or YYYY/MM/DD (month and day of one or two digits); engines' parsers also read "26-05-10"
# as the year 26 or "infinity" as a date.
DATE_PATTERN = "[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}|[0-9]{4}/[0-9]{1,2}/[0-9]{1,2}"
# A timestamp is ISO 8601: a date, optionally a time (hours 00-23) with optional seconds and fraction, optionally
# an offset (Z, +08, +08:00, +0800); without one it is UTC. Engines' casts accept other spellings as well (year
# 26 for "26-05-10", "24:00", a bare time of today, "infinity"...), which would be read differently or wrongly.
TIMESTAMP_PATTERN = (
    "[0-9]{4}-[0-9]{2}-[0-9]{2}([T ]([01][0-9]|2[0-3]):[0-9]{2}(:[0-9]{2}(\\.[0-9]{1,9})?)?)?"
    "(Z|[+-][0-9]{2}(:?[0-9]{2})?)?"
)


def typed(column: Column, v: str, d: Dialect = DUCKDB) -> str:
    """Expression that parses the cleaned text `v` to the column's type, NULL when it cannot."""
    t = column.type
    if t == "string":
        return v
    if t == "int":
        # Integers only: "12.5" must not silently round.
        cast = d.try_cast(f"replace({v}, ',', '')", d.types["int"])
        return f"(case when {d.full_match(v, INT_PATTERN)} then {cast} end)"
    if t == "decimal":
        cast = d.try_cast(f"replace({v}, ',', '')", d.types["decimal"])
        return f"(case when {d.full_match(v, DECIMAL_PATTERN)} then {cast} end)"
    if t == "double":
        return f"(case when {d.full_match(v, DOUBLE_PATTERN)} then {d.try_cast(v, d.types['double'])} end)"
    if t == "date":
        return f"(case when {d.full_match(v, DATE_PATTERN)} then {d.parse_date(v)} end)"
    if t == "timestamp":
        return f"(case when {d.full_match(v, TIMESTAMP_PATTERN)} then {d.parse_timestamp_utc(v)} end)"
    if t == "json":
        return f"(case when {d.json_valid(v)} then {v} end)"
    raise ValueError(t)


def _why_unreadable(column: Column, v: str, d: Dialect) -> str:
    """A hint appended to "cannot parse" for the numeric texts that look like numbers but are ambiguous."""
    if column.type in ("int", "decimal"):
        hints = [
            (
                f"contains({v}, ',')",
                "ambiguous comma: a thousands separator stands only between groups of three digits",
            ),
        ]
        if column.type == "decimal":
            hints.append((d.full_match(v, "[+-]?[0-9,]*\\.[0-9]{5,}"), "more than 4 decimal places"))
        if column.type == "int":
            hints.append((f"contains({v}, '.')", "not an integer; it is never rounded"))
        whens = " ".join(f"when {cond} then {d.literal(' (' + hint + ')')}" for cond, hint in hints)
        return f"(case {whens} else '' end)"
    return "''"


def _quoted(v: str, d: Dialect) -> str:
    return f"{d.literal(chr(39))} || {v} || {d.literal(chr(39))}"


def problem(column: Column, v: str, t: str, partition_date: str | None = None, d: Dialect = DUCKDB) -> str:
    """Why a value is unacceptable (NULL when it is fine), from its cleaned text `v` and typed value `t`.

    `partition_date` (an SQL expression) is given for the contract's report-date column: a row dated another
    day than its folder's is a misfiled export.
    """
    checks = [
        f"when {v} is not null and {t} is null then "
        f"{d.literal(column.name + ': cannot parse ')} || {_quoted(v, d)} "
        f"|| {d.literal(' as ' + column.type)} || {_why_unreadable(column, v, d)}"
    ]
    if column.required:
        checks.append(f"when {v} is null then {d.literal(column.name + ': required value missing')}")
    bounds = column.bounds
    if "min_value" in bounds:
        low, strict = bounds["min_value"], bounds.get("strict_min", False)
        below, rule = ("<=", ">") if strict else ("<", ">=")
        checks.append(
            f"when {t} {below} {low} then {d.literal(column.name + ': ')} || {_quoted(v, d)} "
            f"|| {d.literal(f' is out of range: the contract says {rule} {low:g}')}"
        )
    if "max_value" in bounds:
        high = bounds["max_value"]
        checks.append(
            f"when {t} > {high} then {d.literal(column.name + ': ')} || {_quoted(v, d)} "
            f"|| {d.literal(f' is out of range: the contract says <= {high:g}')}"
        )
    if partition_date is not None:
        checks.append(
            f"when {t} <> {partition_date} then {d.literal(column.name + ': ')} || {_quoted(v, d)} "
            f"|| {d.literal(' is not the day of its folder ')} || cast({partition_date} as {d.text}) "
            f"|| {d.literal(' (a misfiled export?)')}"
        )
    return "(case " + " ".join(checks) + " end)"


def raw_table_ddl(contract: SourceContract, d: Dialect = DUCKDB) -> str:
    """The raw table of a source: its contract columns typed, then the lineage ones; partitioned by day where
    the engine partitions tables (Spark)."""
    cols = [(c.name, d.types[c.type], False) for c in contract.columns]
    cols += [(name, _TYPE_KEYS[typ](d), False) for name, typ in LINEAGE_COLUMNS]
    return d.table_ddl(f"raw.{d.ident(contract.name)}", cols, ["_partition_date"])


def raw_table_upgrade_ddl(
    contract: SourceContract, have: set[str] | None = None, d: Dialect = DUCKDB
) -> list[str]:
    """Statements adding the contract's columns an existing raw table lacks (optional columns added to a
    contract later): an existing warehouse upgrades in place, earlier rows read NULL there. New columns go
    after the lineage columns, so the loader always inserts by column name. `have`: the table's columns, where
    the engine cannot say `if not exists` (Spark)."""
    return [
        d.add_column_ddl(f"raw.{d.ident(contract.name)}", d.ident(c.name), d.types[c.type])
        for c in contract.columns
        if have is None or c.name not in have
    ]


_TYPE_KEYS = {
    "varchar": lambda d: d.text,
    "bigint": lambda d: "bigint",
    "date": lambda d: "date",
    "timestamp": lambda d: d.timestamp,
}

# The loader's bookkeeping, per (source, partition day): (column, type, not null); the day's rows are replaced
# with the partition's (loader.py). Spark partitions them by (source, partition_date).
BOOKKEEPING_TABLES = {
    "quarantine_rows": (
        ("source", "varchar", True),
        ("partition_date", "date", True),
        ("source_file", "varchar", True),
        ("row_number", "bigint", False),
        ("column_name", "varchar", False),
        ("reason", "varchar", True),
        ("raw_record", "varchar", False),
        ("quarantined_at", "timestamp", True),
        ("run_id", "varchar", False),
    ),
    "load_log": (
        ("source", "varchar", True),
        ("partition_date", "date", True),
        ("source_file", "varchar", True),
        ("file_sha256", "varchar", True),
        ("rows_landed", "bigint", True),
        ("rows_loaded", "bigint", True),
        ("rows_quarantined", "bigint", True),
        ("loaded_at", "timestamp", True),
        ("run_id", "varchar", False),
    ),
    # A file's columns the contract knows but the file lacks, or the other way round (a renamed column?):
    # the rows load, the warning is kept with the partition (replaced with it on reload).
    "load_warnings": (
        ("source", "varchar", True),
        ("partition_date", "date", True),
        ("source_file", "varchar", True),
        ("column_name", "varchar", False),
        ("warning", "varchar", True),
        ("warned_at", "timestamp", True),
        ("run_id", "varchar", False),
    ),
}


def bookkeeping_ddl(d: Dialect = DUCKDB) -> tuple[str, ...]:
    return (
        "create schema if not exists raw",
        *(
            d.table_ddl(
                f"raw.{name}",
                [(col, _TYPE_KEYS[typ](d), not_null) for col, typ, not_null in cols],
                ["source", "partition_date"],
            )
            for name, cols in BOOKKEEPING_TABLES.items()
        ),
    )


BOOKKEEPING_DDL = bookkeeping_ddl()
