"""SQL fragments that type raw landing values under a contract (DuckDB dialect: raw is DuckDB-only)."""

from __future__ import annotations

from growthmart.contracts import NULL_TOKENS, Column, SourceContract

DUCKDB_TYPES = {
    "string": "varchar",
    "int": "bigint",
    "decimal": "decimal(18, 4)",
    "double": "double",
    "date": "date",
    "timestamp": "timestamp",
    "json": "varchar",
}

LINEAGE_COLUMNS = (
    ("_source_file", "varchar"),
    ("_row_number", "bigint"),
    ("_partition_date", "date"),
    ("_loaded_at", "timestamp"),
)


def ident(name: str) -> str:
    """Quote an identifier (Chinese headers and punctuation included)."""
    return '"' + name.replace('"', '""') + '"'


def literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def cleaned(column: Column) -> str:
    """The landing text of a column with surrounding blanks removed and null tokens mapped to NULL."""
    tokens = ", ".join(literal(t) for t in NULL_TOKENS)
    ref = ident(column.name)
    return f"(case when trim({ref}) in ({tokens}) then null else trim({ref}) end)"


def typed(column: Column, v: str) -> str:
    """Expression that parses the cleaned text `v` to the column's type, NULL when it cannot."""
    t = column.type
    if t == "string":
        return v
    if t == "int":
        # Integers only: "12.5" must not silently round.
        return f"(case when regexp_full_match(replace({v}, ',', ''), '[+-]?[0-9]+') \
then try_cast(replace({v}, ',', '') as bigint) end)"
    if t == "decimal":
        return f"try_cast(replace({v}, ',', '') as decimal(18, 4))"
    if t == "double":
        return f"try_cast({v} as double)"
    if t == "date":
        return f"cast(try_strptime({v}, ['%Y-%m-%d', '%Y/%m/%d']) as date)"
    if t == "timestamp":
        return f"timezone('UTC', try_cast({v} as timestamptz))"
    if t == "json":
        return f"(case when json_valid({v}) then {v} end)"
    raise ValueError(t)


def problem(column: Column, v: str, t: str) -> str:
    """Why a value is unacceptable (NULL when it is fine), from its cleaned text `v` and typed value `t`."""
    checks = [
        f"when {v} is not null and {t} is null then "
        f"{literal(column.name + ': cannot parse ' + chr(39))} || {v} "
        f"|| {literal(chr(39) + ' as ' + column.type)}"
    ]
    if column.required:
        checks.append(f"when {v} is null then {literal(column.name + ': required value missing')}")
    return "(case " + " ".join(checks) + " end)"


def raw_table_ddl(contract: SourceContract) -> str:
    cols = [f"{ident(c.name)} {DUCKDB_TYPES[c.type]}" for c in contract.columns]
    cols += [f"{name} {typ}" for name, typ in LINEAGE_COLUMNS]
    return f"create table if not exists raw.{ident(contract.name)} (\n  " + ",\n  ".join(cols) + "\n)"


def raw_table_upgrade_ddl(contract: SourceContract) -> list[str]:
    """Statements adding the contract's columns an existing raw table lacks (optional columns added to a
    contract later): an existing warehouse upgrades in place, earlier rows read NULL there. New columns go
    after the lineage columns, so the loader always inserts by column name."""
    return [
        f"alter table raw.{ident(contract.name)} add column if not exists {ident(c.name)} {DUCKDB_TYPES[c.type]}"
        for c in contract.columns
    ]


BOOKKEEPING_DDL = (
    "create schema if not exists raw",
    """create table if not exists raw.quarantine_rows (
        source varchar not null,
        partition_date date not null,
        source_file varchar not null,
        row_number bigint,
        column_name varchar,
        reason varchar not null,
        raw_record varchar,
        quarantined_at timestamp not null,
        run_id varchar
    )""",
    """create table if not exists raw.load_log (
        source varchar not null,
        partition_date date not null,
        source_file varchar not null,
        file_sha256 varchar not null,
        rows_landed bigint not null,
        rows_loaded bigint not null,
        rows_quarantined bigint not null,
        loaded_at timestamp not null,
        run_id varchar
    )""",
)
