"""The engine-specific spelling of the loader's SQL: DuckDB (the default warehouse) and Spark SQL (issue 15).

sql.py and row_checks.py state each rule once (what a number looks like, which dates parse, what a bad row's
reason says, which repeated key is quarantined); a Dialect only spells the pieces the two engines write
differently: identifiers and string literals, a whole-text regular-expression match, try-casts, date and
timestamp parsing, JSON validity, the raw tables' column types and the batch's scratch tables. Nothing else in
the loader asks which engine it runs on.

Equal behaviour is pinned by tests/spark (the same texts typed by both engines give the same values).
"""

from __future__ import annotations

from dataclasses import dataclass

# The two layouts a date column accepts, as strptime formats (DuckDB) and java.time patterns (Spark).
DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d")
_JAVA_DATE = {"%Y-%m-%d": "y-M-d", "%Y/%m/%d": "y/M/d"}


@dataclass(frozen=True)
class Dialect:
    name: str
    types: dict[str, str]  # contract type -> column type of a raw table
    text: str  # the text type
    timestamp: str  # a naive timestamp (UTC by convention)
    now: str  # the current naive UTC timestamp (the session time zone is UTC)

    def ident(self, name: str) -> str:
        raise NotImplementedError

    def literal(self, value: str) -> str:
        raise NotImplementedError

    def full_match(self, v: str, pattern: str) -> str:
        """True when the whole text `v` matches `pattern` (RE2 / java.util.regex common syntax)."""
        raise NotImplementedError

    def try_cast(self, v: str, sql_type: str) -> str:
        return f"try_cast({v} as {sql_type})"

    def parse_date(self, v: str) -> str:
        """The date `v` spells in one of DATE_FORMATS, NULL when none."""
        raise NotImplementedError

    def parse_timestamp_utc(self, v: str) -> str:
        """The naive UTC timestamp of `v` (an offset converts it, none means UTC), NULL when unreadable."""
        raise NotImplementedError

    def json_valid(self, v: str) -> str:
        raise NotImplementedError

    def scratch_table(self, name: str, select: str, reused: bool = True) -> list[str]:
        """Statements (re)creating the batch's scratch table `name` from `select`, materialised once where the
        engine would otherwise compute it again at each use (`reused`: read more than once)."""
        raise NotImplementedError

    def table_ddl(self, table: str, columns: list[tuple[str, str, bool]], partition_by: list[str]) -> str:
        """`create table if not exists` of (name, type, not null) columns, partitioned where the engine does."""
        raise NotImplementedError

    def add_column_ddl(self, table: str, column: str, sql_type: str) -> str:
        raise NotImplementedError

    def pack_json(self, pairs: list[tuple[str, str]]) -> str:
        """A JSON object text of (key, text expression) pairs, NULL values kept as null, keys in order."""
        raise NotImplementedError


class _DuckDB(Dialect):
    def ident(self, name: str) -> str:
        return '"' + name.replace('"', '""') + '"'

    def literal(self, value: str) -> str:
        return "'" + value.replace("'", "''") + "'"

    def full_match(self, v: str, pattern: str) -> str:
        return f"regexp_full_match({v}, {self.literal(pattern)})"

    def parse_date(self, v: str) -> str:
        formats = ", ".join(self.literal(f) for f in DATE_FORMATS)
        return f"cast(try_strptime({v}, [{formats}]) as date)"

    def parse_timestamp_utc(self, v: str) -> str:
        return f"timezone('UTC', try_cast({v} as timestamptz))"

    def json_valid(self, v: str) -> str:
        return f"json_valid({v})"

    def scratch_table(self, name: str, select: str, reused: bool = True) -> list[str]:
        return [f"create or replace temp table {name} as {select}"]

    def table_ddl(self, table: str, columns: list[tuple[str, str, bool]], partition_by: list[str]) -> str:
        cols = ",\n  ".join(
            f"{self.ident(name)} {typ}{' not null' if not_null else ''}" for name, typ, not_null in columns
        )
        return f"create table if not exists {table} (\n  {cols}\n)"

    def add_column_ddl(self, table: str, column: str, sql_type: str) -> str:
        return f"alter table {table} add column if not exists {column} {sql_type}"

    def pack_json(self, pairs: list[tuple[str, str]]) -> str:
        packed = ", ".join(f"{self.ident(k)} := {v}" for k, v in pairs)
        return f"cast(to_json(struct_pack({packed})) as varchar)"


class _Spark(Dialect):
    def ident(self, name: str) -> str:
        return "`" + name.replace("`", "``") + "`"

    def literal(self, value: str) -> str:
        # Spark reads backslash escapes in string literals; a quote is doubled as in DuckDB.
        return "'" + value.replace("\\", "\\\\").replace("'", "''") + "'"

    def full_match(self, v: str, pattern: str) -> str:
        # \z: the very end (java's $ also matches before a final line break)
        whole = "^(?:" + pattern + ")\\z"
        return f"({v} rlike {self.literal(whole)})"

    def parse_date(self, v: str) -> str:
        tries = ", ".join(f"try_to_date({v}, {self.literal(_JAVA_DATE[f])})" for f in DATE_FORMATS)
        return f"coalesce({tries})"

    def parse_timestamp_utc(self, v: str) -> str:
        # the session time zone is UTC (config.spark_settings): a text without an offset is UTC
        return f"cast(try_cast({v} as timestamp) as timestamp_ntz)"

    def json_valid(self, v: str) -> str:
        return f"(try_parse_json({v}) is not null)"

    def scratch_table(self, name: str, select: str, reused: bool = True) -> list[str]:
        # a temp view, cached when first read if it is read again (dropping it uncaches it)
        if not reused:
            return [f"create or replace temp view {name} as {select}"]
        return [f"drop view if exists {name}", f"cache lazy table {name} as {select}"]

    def table_ddl(self, table: str, columns: list[tuple[str, str, bool]], partition_by: list[str]) -> str:
        # Parquet tables of the metastore: no NOT NULL (the loader writes no NULL there); the partition
        # columns go last, as Spark stores them.
        cols = [c for c in columns if c[0] not in partition_by] + [c for c in columns if c[0] in partition_by]
        body = ",\n  ".join(f"{self.ident(name)} {typ}" for name, typ, _ in cols)
        parts = ", ".join(self.ident(p) for p in partition_by)
        return f"create table if not exists {table} (\n  {body}\n) using parquet partitioned by ({parts})"

    def add_column_ddl(self, table: str, column: str, sql_type: str) -> str:
        return f"alter table {table} add columns ({column} {sql_type})"

    def pack_json(self, pairs: list[tuple[str, str]]) -> str:
        packed = ", ".join(f"{self.literal(k)}, {v}" for k, v in pairs)
        return f"to_json(named_struct({packed}), map('ignoreNullFields', 'false'))"


DUCKDB = _DuckDB(
    "duckdb",
    {
        "string": "varchar",
        "int": "bigint",
        "decimal": "decimal(18, 4)",
        "double": "double",
        "date": "date",
        "timestamp": "timestamp",
        "json": "varchar",
    },
    text="varchar",
    timestamp="timestamp",
    now="current_localtimestamp()",
)
SPARK = _Spark(
    "spark",
    {
        "string": "string",
        "int": "bigint",
        "decimal": "decimal(18, 4)",
        "double": "double",
        "date": "date",
        "timestamp": "timestamp_ntz",
        "json": "string",
    },
    text="string",
    timestamp="timestamp_ntz",
    now="localtimestamp()",
)


def table_exists(con, schema: str, table: str) -> bool:
    """Whether `schema.table` exists: Spark's catalog answers for a Spark connection (growthmart.spark.SparkCon;
    Spark SQL has no information_schema), DuckDB's information_schema otherwise."""
    if hasattr(con, "table_exists"):
        return con.table_exists(schema, table)
    sql = "select count(*) from information_schema.tables where table_schema = ? and table_name = ?"
    return con.execute(sql, [schema, table]).fetchone()[0] > 0


def dialect_of(con) -> Dialect:
    """The dialect of a connection: a Spark one (spark_session.SparkCon) says so, anything else is DuckDB."""
    return getattr(con, "dialect", DUCKDB)
