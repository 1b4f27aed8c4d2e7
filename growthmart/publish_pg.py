"""Publish the DuckDB publication to PostgreSQL, for BI servers on other hosts (GROWTHMART_PG_DSN; off without it).

The published DuckDB file (growthmart/publish.py) is the source: each table of its `reports` and `marts` schemas is
streamed out of it in Arrow batches, written as CSV by Arrow and loaded with COPY (DuckDB's postgres extension would
need a download). No table is ever whole in Python memory. Its dbt descriptions, which the file carries as comments,
become COMMENT ON in PostgreSQL.

Each publish loads into fresh schemas, `growthmart_next_<token>_reports` and `..._marts` (one transaction per table:
create, COPY FREEZE, comments, grants, ANALYZE), checks every table's row count against the file's
`main.publication`, then swaps them in in ONE short transaction: the published schemas are renamed to
`growthmart_old_<token>_*`, the new ones to `reports` and `marts`. A schema rename changes only pg_namespace rows:
it takes no lock on any table, so it neither waits for readers nor blocks them (measured in milliseconds:
`swap_ms`). A query that is running keeps the tables it opened (it holds them by OID) and reads the old
publication to its end; every later statement resolves the names to the new publication, whole, since the renames
commit together. Rows are loaded FROZEN, so even a REPEATABLE READ transaction begun before the swap sees the new
tables full, not empty. The old schemas are dropped after the swap, in their own transaction with a short
lock_timeout: DROP takes ACCESS EXCLUSIVE on each old table and would wait for a reader still holding one (a long
transaction); then they stay, and the next publish drops them.

A publish that dies (killed, the server gone, a row count that does not reconcile) leaves only `growthmart_next_*`
(and perhaps `growthmart_old_*`) schemas, which nobody can read (no USAGE is granted on them until the swap) and
the next publish drops first; the published schemas are untouched. One publish at a time: a session advisory lock
(released by the server when the session dies) guards the debris clean-up against a live publish's schemas.

Roles (NOLOGIN group roles; people's logins are granted them): BI_ROLE reads the published tables except the
user-level ones; CRM_ROLE reads the user-level ones, those with a column identifying a person (USER_KEY_COLUMNS):
a new per-user model is CRM-only without anyone listing it. Both get USAGE on the published schemas and nothing
else; privileges are granted on the new schemas and tables before the swap, so they move with them.

The DSN is a secret: messages name the server as user@host:port/db (describe_dsn) and pass through `scrub`.
"""

from __future__ import annotations

import hashlib
import io
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.csv as pa_csv

from growthmart.ingest.sql import ident, literal
from growthmart.publish import PUBLISHED_SCHEMAS  # the same schema names as in the DuckDB publication

NEXT_PREFIX = "growthmart_next_"
OLD_PREFIX = "growthmart_old_"
SCHEMA_MARKER = "growthmart publication"  # how a schema comment says the publisher owns the schema
BI_ROLE = "growthmart_bi"
CRM_ROLE = "growthmart_crm"
# A table with one of these columns holds a row per person (or per person and day, order, ...): user-level, CRM only.
USER_KEY_COLUMNS = ("user_id", "person_id", "anonymous_id")
BATCH_ROWS = 100_000  # rows per Arrow batch and COPY chunk
# The drop of the swapped-out schemas waits at most this long for a reader that still holds an old table.
DROP_LOCK_TIMEOUT = "500ms"
# The swap itself takes no table lock; this only bounds a wait behind concurrent DDL on the same schemas.
SWAP_LOCK_TIMEOUT = "5s"
ADVISORY_LOCK_KEY = int.from_bytes(hashlib.sha256(b"growthmart.publish_pg").digest()[:8], "big", signed=True)

# DuckDB type (as information_schema spells it, without its parameters) -> PostgreSQL type.
PG_TYPES = {
    "BOOLEAN": "boolean",
    "TINYINT": "smallint",
    "SMALLINT": "smallint",
    "INTEGER": "integer",
    "BIGINT": "bigint",
    "HUGEINT": "numeric(39, 0)",
    "UTINYINT": "smallint",
    "USMALLINT": "integer",
    "UINTEGER": "bigint",
    "UBIGINT": "numeric(20, 0)",
    "FLOAT": "real",
    "DOUBLE": "double precision",
    "VARCHAR": "text",
    "DATE": "date",
    "TIME": "time",
    "TIMESTAMP": "timestamp",
    "TIMESTAMP WITH TIME ZONE": "timestamptz",
    "UUID": "uuid",
}


class PgPublishError(RuntimeError):
    pass


@dataclass(frozen=True)
class PgTable:
    schema: str
    name: str
    rows: int
    user_level: bool

    @property
    def qualified(self) -> str:
        return f"{self.schema}.{self.name}"


@dataclass
class PgPublication:
    target: str  # user@host:port/db, never the password
    run_id: str | None
    tables: list[PgTable] = field(default_factory=list)
    load_seconds: float = 0.0
    swap_ms: float = 0.0
    debris_dropped: list[str] = field(default_factory=list)
    old_kept: list[str] = field(
        default_factory=list
    )  # swapped-out schemas a reader still held: the next drops them

    @property
    def rows(self) -> int:
        return sum(t.rows for t in self.tables)


def pg_type(duckdb_type: str) -> str:
    """The PostgreSQL column type for a DuckDB one; a type without a faithful mapping fails the publish."""
    upper = duckdb_type.upper()
    if upper.startswith("DECIMAL"):
        return upper.replace("DECIMAL", "numeric")
    if upper in PG_TYPES:
        return PG_TYPES[upper]
    raise PgPublishError(f"no PostgreSQL type for DuckDB type {duckdb_type}: add it to PG_TYPES")


def is_user_level(columns: list[str]) -> bool:
    return any(c.lower() in USER_KEY_COLUMNS for c in columns)


def describe_dsn(dsn: str) -> str:
    from growthmart.connectors.app_db import describe_dsn as describe

    return describe(dsn)


def scrub(text: str, dsn: str) -> str:
    from growthmart.connectors.app_db import scrub as scrub_dsn

    return scrub_dsn(text, dsn)


def publish_pg(
    published_db: Path,
    dsn: str,
    *,
    token: str | None = None,
    before_swap: Callable[[], None] | None = None,
    log: Callable[[str], None] = lambda _line: None,
) -> PgPublication:
    """Load the tables of the DuckDB publication `published_db` into PostgreSQL at `dsn` and swap them in.

    `before_swap` runs after the load and the row-count check, before the swap (tests use it to kill a publish or to
    hold a reader mid-query). Errors are PgPublishError with the DSN scrubbed out."""
    import psycopg

    token = token or datetime.now(UTC).strftime("%Y%m%dt%H%M%S") + "_" + uuid.uuid4().hex[:8]
    try:
        with psycopg.connect(dsn, autocommit=True, application_name="growthmart publish") as pg:
            return _publish(published_db, pg, describe_dsn(dsn), token, before_swap, log)
    except psycopg.Error as exc:
        raise PgPublishError(scrub(f"{type(exc).__name__}: {exc}", dsn).strip()) from None


def _publish(published_db, pg, target, token, before_swap, log) -> PgPublication:
    if not pg.execute("select pg_try_advisory_lock(%s)", [ADVISORY_LOCK_KEY]).fetchone()[0]:
        raise PgPublishError(f"another publish to PostgreSQL {target} is running (advisory lock held)")
    src = duckdb.connect(str(published_db), read_only=True)
    try:
        run_id, published_at, expected = _publication(src)
        result = PgPublication(target=target, run_id=run_id)
        result.debris_dropped = _drop_debris(pg)
        _check_ours(pg)
        _ensure_roles(pg)
        started = time.monotonic()
        next_schemas = {s: f"{NEXT_PREFIX}{token}_{s}" for s in PUBLISHED_SCHEMAS}
        comment = f"{SCHEMA_MARKER} of run {run_id}, published {published_at} UTC"
        for schema, next_schema in next_schemas.items():
            with pg.transaction():
                pg.execute(f"create schema {ident(next_schema)}")
                pg.execute(f"comment on schema {ident(next_schema)} is {literal(f'{comment}: {schema}')}")
        for schema, name in _tables(src):
            table = _load_table(src, pg, schema, name, next_schemas[schema])
            result.tables.append(table)
            log(
                f"loaded {table.qualified}: {table.rows} rows{' (user-level: CRM role)' if table.user_level else ''}"
            )
        _reconcile(result.tables, expected)
        result.load_seconds = time.monotonic() - started
        if before_swap is not None:
            before_swap()
        result.swap_ms = _swap(pg, next_schemas, token)
        result.old_kept = _drop_old(pg)
        return result
    finally:
        src.close()
        if not pg.closed and not pg.broken:
            pg.execute("select pg_advisory_unlock(%s)", [ADVISORY_LOCK_KEY])


def _publication(src: duckdb.DuckDBPyConnection) -> tuple[str | None, str, dict[str, int]]:
    """The run, time and row counts the DuckDB publication recorded (main.publication)."""
    rows = src.execute(
        "select run_id, published_at::varchar, table_name, row_count from main.publication"
    ).fetchall()
    if not rows:
        raise PgPublishError("the DuckDB publication records no tables (main.publication is empty)")
    return rows[0][0], rows[0][1], {r[2]: r[3] for r in rows}


def _tables(src: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    marks = ", ".join("?" for _ in PUBLISHED_SCHEMAS)
    return src.execute(
        f"""select schema_name, table_name from duckdb_tables()
            where database_name = current_database() and schema_name in ({marks}) order by 1, 2""",
        list(PUBLISHED_SCHEMAS),
    ).fetchall()


def _load_table(src, pg, schema: str, name: str, next_schema: str) -> PgTable:
    """One table in one transaction: created, filled by COPY FREEZE from Arrow CSV batches, commented, granted to
    its role, analyzed."""
    table_comment = src.execute(
        """select comment from duckdb_tables()
           where database_name = current_database() and schema_name = ? and table_name = ?""",
        [schema, name],
    ).fetchone()[0]
    columns = src.execute(
        """select column_name, data_type, comment from duckdb_columns()
           where database_name = current_database() and schema_name = ? and table_name = ?
           order by column_index""",
        [schema, name],
    ).fetchall()
    user_level = is_user_level([c for c, _, _ in columns])
    target = f"{ident(next_schema)}.{ident(name)}"
    column_list = ", ".join(ident(c) for c, _, _ in columns)
    with pg.transaction():
        pg.execute(f"create table {target} ({', '.join(f'{ident(c)} {pg_type(t)}' for c, t, _ in columns)})")
        rows = 0
        reader = src.sql(f"select {column_list} from {ident(schema)}.{ident(name)}").to_arrow_reader(
            BATCH_ROWS
        )
        options = pa_csv.WriteOptions(include_header=False)
        with pg.cursor().copy(f"copy {target} ({column_list}) from stdin (format csv, freeze true)") as copy:
            for batch in reader:
                if batch.num_rows == 0:
                    continue
                buffer = io.BytesIO()
                pa_csv.write_csv(pa.Table.from_batches([batch]), buffer, options)
                copy.write(buffer.getbuffer())
                rows += batch.num_rows
        if table_comment:
            pg.execute(f"comment on table {target} is {literal(table_comment)}")
        for column, _type, comment in columns:
            if comment:
                pg.execute(f"comment on column {target}.{ident(column)} is {literal(comment)}")
        pg.execute(f"grant select on {target} to {ident(CRM_ROLE if user_level else BI_ROLE)}")
    pg.execute(f"analyze {target}")
    return PgTable(schema, name, rows, user_level)


def _reconcile(tables: list[PgTable], expected: dict[str, int]) -> None:
    """Every table holds the rows main.publication recorded for it, and every recorded table is there."""
    loaded = {t.qualified: t.rows for t in tables}
    wrong = {
        t: (expected.get(t), loaded.get(t))
        for t in set(expected) | set(loaded)
        if expected.get(t) != loaded.get(t)
    }
    if wrong:
        detail = ", ".join(f"{t}: DuckDB {e}, PostgreSQL {p}" for t, (e, p) in sorted(wrong.items()))
        raise PgPublishError(f"row counts do not reconcile with the DuckDB publication: {detail}")


def _swap(pg, next_schemas: dict[str, str], token: str) -> float:
    """Rename the published schemas away and the new ones in, and open them to the roles, in one transaction; its
    duration in milliseconds."""
    started = time.monotonic()
    with pg.transaction():
        pg.execute(f"set local lock_timeout = '{SWAP_LOCK_TIMEOUT}'")
        existing = _existing_schemas(pg)
        for schema, next_schema in next_schemas.items():
            if schema in existing:
                pg.execute(f"alter schema {ident(schema)} rename to {ident(f'{OLD_PREFIX}{token}_{schema}')}")
            pg.execute(f"alter schema {ident(next_schema)} rename to {ident(schema)}")
            pg.execute(f"grant usage on schema {ident(schema)} to {ident(BI_ROLE)}, {ident(CRM_ROLE)}")
    return (time.monotonic() - started) * 1000


def _existing_schemas(pg) -> set[str]:
    return {r[0] for r in pg.execute("select nspname from pg_namespace").fetchall()}


def _our_schemas(pg, prefix: str) -> list[str]:
    """Schemas named `prefix`* that this publisher's user owns."""
    return [
        r[0]
        for r in pg.execute(
            """select nspname from pg_namespace
               where starts_with(nspname, %s) and pg_get_userbyid(nspowner) = current_user order by 1""",
            [prefix],
        ).fetchall()
    ]


def _drop_debris(pg) -> list[str]:
    """Drop what dead publishes left (their next schemas) and swapped-out schemas a reader held at the last drop
    (one it still holds stays). Called under the advisory lock: none of them belongs to a live publish."""
    debris = _our_schemas(pg, NEXT_PREFIX) + _our_schemas(pg, OLD_PREFIX)
    kept = _drop_schemas(pg, debris)
    return [s for s in debris if s not in kept]


def _drop_old(pg) -> list[str]:
    """Drop the swapped-out schemas; those a reader still holds are kept for the next publish (returned)."""
    return _drop_schemas(pg, _our_schemas(pg, OLD_PREFIX))


def _drop_schemas(pg, schemas: list[str]) -> list[str]:
    """Drop `schemas`, each waiting at most DROP_LOCK_TIMEOUT for a reader holding one of its tables; those kept."""
    import psycopg

    kept = []
    for schema in schemas:
        try:
            with pg.transaction():
                pg.execute(f"set local lock_timeout = '{DROP_LOCK_TIMEOUT}'")
                pg.execute(f"drop schema {ident(schema)} cascade")
        except psycopg.errors.LockNotAvailable:
            kept.append(schema)
    return kept


def _check_ours(pg) -> None:
    """Refuse to replace a `reports` or `marts` schema that is not a growthmart publication by this user."""
    for schema in PUBLISHED_SCHEMAS:
        row = pg.execute(
            """select pg_get_userbyid(nspowner) = current_user, coalesce(obj_description(oid, 'pg_namespace'), '')
               from pg_namespace where nspname = %s""",
            [schema],
        ).fetchone()
        if row and not (row[0] and row[1].startswith(SCHEMA_MARKER)):
            raise PgPublishError(
                f"schema {schema} exists and is not a growthmart publication owned by this user: refusing to "
                "replace it (use another database, or drop or rename that schema)"
            )


def _ensure_roles(pg) -> None:
    """Create the BI and CRM group roles if missing (the publisher needs CREATEROLE for that, once)."""
    import psycopg

    for role in (BI_ROLE, CRM_ROLE):
        if pg.execute("select 1 from pg_roles where rolname = %s", [role]).fetchone():
            continue
        try:
            pg.execute(f"create role {ident(role)} nologin")
        except psycopg.errors.InsufficientPrivilege:
            raise PgPublishError(
                f"role {role} does not exist and this user may not create it: as an administrator, run "
                f"CREATE ROLE {role} NOLOGIN"
            ) from None
