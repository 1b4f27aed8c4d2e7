"""The app database source: users and orders pulled from the app's PostgreSQL (OLTP) into landing files.

A pull reads every row whose `updated_at` is on or after the start of the reporting-timezone day that holds
(watermark - overlap), in one REPEATABLE READ read-only snapshot, ordered and paged by (updated_at, key) (keyset
pagination, never OFFSET). Each row lands in the folder of the reporting day of its `updated_at`, in one file per
table and day, `landing/<source>/<day>/app_db_<source>_<day>.csv`, with the contract's columns: the loader,
contracts and quarantine read it like any export. A day's file keeps every version the connector has seen land in
that day (merged by the contract key), so re-pulling the overlap rewrites the same bytes, and an order's `paid`
version stays in its day when a refund moves the order's row to a later one, exactly as the app's file export
lands them. Files are written atomically (temp + fsync + rename); a pull that fails leaves the watermark where it
was, and its rerun writes the same files.

Deletes and re-keys (DECISIONLOG "App database source"): the pull compares the table's full key set, in the same
snapshot, with the keys it had landed. A key gone from the table is a deletion; a gone key whose identity
(users: anonymous_id + signup_at; orders: user_id + created_at) reappears under a new key is a re-key. Neither
removes what was landed; both are written to `connector_state/app_db/key_changes-*.json`, the run's metadata and
a WARN asset check naming table and keys. A new key whose row was not pulled (committed with an `updated_at`
older than the overlap) is fetched by key and landed, and counted as `late_beyond_overlap`.

State (`<data>/connector_state/app_db/state.json`, mode 0600, replaced atomically): per table the watermark and
the file of keys landed. Settings come only from environment variables: the DSN in GROWTHMART_APP_DB_DSN (its
password never reaches a log, metadata, file or the warehouse), the overlap and page size.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import hashlib
import json
import os
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

from growthmart.connectors.app_db_files import (
    StateStore,
    TableState,
    file_name,
    render_csv,
    to_text,
    write_atomic,
)
from growthmart.contracts import get_contract

DSN_VAR = "GROWTHMART_APP_DB_DSN"  # libpq URI or key=value string; the password may also come from PGPASSWORD
OVERLAP_DAYS_VAR = "GROWTHMART_APP_DB_OVERLAP_DAYS"
PAGE_SIZE_VAR = "GROWTHMART_APP_DB_PAGE_SIZE"
DEFAULT_OVERLAP_DAYS = 3  # a refund or cancellation committed up to 3 days after its updated_at still arrives
DEFAULT_PAGE_SIZE = 5000


class AppDbError(RuntimeError):
    """A pull that cannot go on: says which database (never its password), table, key, column and value.
    `transient`: the database could not be reached or dropped the connection (trying again later may succeed)."""

    def __init__(self, message: str, transient: bool = False) -> None:
        super().__init__(message)
        self.transient = transient


@dataclass(frozen=True)
class AppTable:
    """One OLTP table and the landing source it feeds (its contract's columns are the table's columns)."""

    source: str  # landing source / contract name
    table: str  # table in the app database
    key: tuple[str, ...]  # the table's primary key
    identity: tuple[str, ...]  # what stays the same when a row is re-keyed
    sort: tuple[str, ...]  # row order inside a day's file

    @property
    def columns(self) -> tuple[str, ...]:
        return tuple(c.name for c in get_contract(self.source).columns)

    @property
    def landing_key(self) -> tuple[str, ...]:
        """The contract's key: what one row of a day's file is (orders: one row per version)."""
        return get_contract(self.source).primary_key


TABLES = (
    AppTable("app_users", "users", ("user_id",), ("anonymous_id", "signup_at"), ("signup_at", "user_id")),
    AppTable("app_orders", "orders", ("order_id",), ("user_id", "created_at"), ("updated_at", "order_id")),
)


@dataclass(frozen=True)
class AppDbSettings:
    dsn: str
    overlap: dt.timedelta = dt.timedelta(days=DEFAULT_OVERLAP_DAYS)
    page_size: int = DEFAULT_PAGE_SIZE

    @classmethod
    def from_env(cls) -> AppDbSettings:
        dsn = os.environ.get(DSN_VAR, "").strip()
        if not dsn:
            raise AppDbError(f"app database: {DSN_VAR} is not set")
        overlap = _positive(OVERLAP_DAYS_VAR, DEFAULT_OVERLAP_DAYS, float)
        return cls(dsn, dt.timedelta(days=overlap), int(_positive(PAGE_SIZE_VAR, DEFAULT_PAGE_SIZE, int)))


def enabled() -> bool:
    """Whether the app database source is configured (else `make run` stays file-based and offline)."""
    return bool(os.environ.get(DSN_VAR, "").strip())


def _positive(var: str, default, kind):
    text = os.environ.get(var, "").strip()
    if not text:
        return default
    try:
        value = kind(text)
    except ValueError:
        value = 0
    if value <= 0:
        raise AppDbError(f"app database: {var}={text!r} is not a positive number")
    return value


# What a person must fix: a refused login or a missing role or database (SQLSTATE classes 28 and 3D; libpq's
# connection errors carry no SQLSTATE, only the server's message).
NOT_TRANSIENT = re.compile(
    r"authentication failed|pg_hba\.conf|does not exist|permission denied", re.IGNORECASE
)


def _is_transient(exc: Exception) -> bool:
    """An unreachable server or a dropped connection: trying again later may succeed."""
    import psycopg

    state = getattr(exc, "sqlstate", None) or ""
    return (
        isinstance(exc, psycopg.OperationalError)
        and not state.startswith(("28", "3D"))
        and not NOT_TRANSIENT.search(str(exc))
    )


def describe_dsn(dsn: str) -> str:
    """user@host:port/dbname of a DSN, for logs and errors: never its password."""
    from psycopg.conninfo import conninfo_to_dict

    try:
        p = conninfo_to_dict(dsn)
    except Exception:  # noqa: BLE001 - an unparseable DSN is described without echoing it
        return "(unparseable DSN)"
    return f"{p.get('user', '')}@{p.get('host', '')}:{p.get('port', '5432')}/{p.get('dbname', '')}"


def scrub(text: str, dsn: str) -> str:
    """`text` with the DSN and its password blanked out (driver messages may quote their input)."""
    from psycopg.conninfo import conninfo_to_dict

    secrets = [dsn]
    with contextlib.suppress(Exception):  # an unparseable DSN is blanked out whole
        secrets.append(str(conninfo_to_dict(dsn).get("password") or ""))
    if os.environ.get("PGPASSWORD"):
        secrets.append(os.environ["PGPASSWORD"])
    for s in sorted(filter(None, secrets), key=len, reverse=True):
        text = text.replace(s, "***")
    return text


# ---------------------------------------------------------------------------------------------- pull
@dataclass
class TablePull:
    table: str
    source: str
    watermark_before: str | None
    watermark_after: str | None
    pulled_since: str | None  # start of the window (None: the whole table, a first pull)
    rows_pulled: int = 0
    pages: int = 0
    days: list[str] = field(default_factory=list)  # landing days written or confirmed
    files_changed: int = 0
    deleted: list[str] = field(default_factory=list)
    rekeyed: dict[str, str] = field(default_factory=dict)  # old key -> new key
    late_beyond_overlap: list[str] = field(default_factory=list)
    # Other files of the source in a folder the pull wrote (a hand-dropped or demo export): the loader reads them
    # too, and quarantines the rows both files hold as repeated keys.
    other_files: list[str] = field(default_factory=list)

    @property
    def key_changes(self) -> int:
        return len(self.deleted) + len(self.rekeyed)


class _DayWriter:
    """Merges pulled rows into a table's day files, writing each day as soon as the ordered pull has passed it."""

    def __init__(self, spec: AppTable, landing: Path, tz: ZoneInfo, result: TablePull) -> None:
        self.spec, self.landing, self.tz, self.result = spec, landing, tz, result
        self.current: str | None = None
        self.rows: dict[tuple, dict[str, str]] = {}

    def day_of(self, updated_at: dt.datetime) -> str:
        return updated_at.astimezone(self.tz).date().isoformat()

    def add(self, day: str, row: dict[str, str]) -> None:
        if day != self.current:
            self.flush()
            self.current = day
        self.rows[tuple(row[c] for c in self.spec.landing_key)] = row

    def flush(self) -> None:
        if self.current is None:
            return
        self.write_day(self.current, self.rows)
        self.current, self.rows = None, {}

    def write_day(self, day: str, pulled: dict[tuple, dict[str, str]]) -> None:
        spec = self.spec
        path = self.landing / spec.source / day / file_name(spec.source, day)
        merged: dict[tuple, dict[str, str]] = {}
        if path.exists():  # the versions landed in this day by earlier pulls stay (newest pull wins per key)
            with path.open(newline="", encoding="utf-8") as f:
                for row in csv.DictReader(f):
                    merged[tuple(row[c] for c in spec.landing_key)] = row
        merged.update(pulled)
        ordered = sorted(merged.values(), key=lambda r: tuple(r[c] for c in spec.sort))
        if write_atomic(path, render_csv(spec.columns, ordered)):
            self.result.files_changed += 1
        if day not in self.result.days:
            self.result.days.append(day)
            self.result.other_files += [
                f"{spec.source}/{day}/{p.name}"
                for p in sorted(path.parent.glob(get_contract(spec.source).file_glob))
                if p.name != path.name and not p.name.startswith(".")
            ]


def _window_start(watermark: str | None, overlap: dt.timedelta, tz: ZoneInfo) -> dt.datetime | None:
    """Start of the reporting day holding (watermark - overlap): whole days are re-pulled, so each day's file is
    rebuilt from every row the table holds for it."""
    if watermark is None:
        return None
    back = (dt.datetime.fromisoformat(watermark) - overlap).astimezone(tz)
    return dt.datetime.combine(back.date(), dt.time(), tz).astimezone(dt.UTC)


def _updated_at(spec: AppTable, row: dict) -> dt.datetime:
    if row["updated_at"] is None:
        key = ", ".join(f"{k} {row[k]}" for k in spec.key)
        raise AppDbError(
            f"app database table {spec.table}: row {key} has no updated_at (column updated_at, value NULL): it "
            "cannot be pulled incrementally; the app must set it (tools/app_db_seed.py shows a trigger that does)"
        )
    return row["updated_at"]


def _key_text(values: Iterable) -> str:
    return "|".join(to_text(v) for v in values)


def pull(
    settings: AppDbSettings,
    data_dir: Path,
    timezone: str,
    log: Callable[[str], None] = print,
    after_page: Callable[[str, int], None] | None = None,
) -> list[TablePull]:
    """One pull of every table into <data_dir>/landing, then the new watermarks (only if all of it succeeded).

    `after_page(table, page_number)` is called after each page's rows are handed to the day files (tests raise
    there to crash a pull between pages)."""
    import psycopg
    from psycopg import sql

    tz = ZoneInfo(timezone)
    landing = Path(data_dir) / "landing"
    store = StateStore(Path(data_dir))
    states = store.load(t.table for t in TABLES)
    where = describe_dsn(settings.dsn)
    results: list[TablePull] = []
    new_keys: dict[str, dict[str, str]] = {}
    try:
        con = psycopg.connect(settings.dsn, application_name="growthmart-app-db", connect_timeout=30)
    except psycopg.Error as exc:
        message = f"app database {where}: cannot connect: {scrub(str(exc), settings.dsn)}"
        raise AppDbError(message, transient=_is_transient(exc)) from None
    try:
        con.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        con.read_only = True
        with con.transaction():  # one snapshot for every page, table and key set
            con.execute("set local time zone 'UTC'")
            for spec in TABLES:
                state = states[spec.table]
                result, keys = _pull_table(con, sql, spec, state, store, settings, landing, tz, after_page)
                results.append(result)
                new_keys[spec.table] = keys
                log(
                    f"app database {where}: {spec.table}: {result.rows_pulled} rows in {result.pages} pages since "
                    f"{result.pulled_since or 'the beginning'}; watermark {result.watermark_before} -> "
                    f"{result.watermark_after}; {result.files_changed} landing files changed; "
                    f"{len(result.deleted)} deleted, {len(result.rekeyed)} re-keyed, "
                    f"{len(result.late_beyond_overlap)} late beyond the overlap"
                )
    except psycopg.Error as exc:
        message = f"app database {where}: {scrub(str(exc), settings.dsn)}"
        raise AppDbError(message, transient=_is_transient(exc)) from None
    finally:
        con.close()
    _record_key_changes(store, results)
    for r in results:  # commit: only now do the watermarks and key sets move
        states[r.table] = TableState(r.watermark_after, store.save_keys(r.table, new_keys[r.table]))
    store.commit(states)
    return results


def _pull_table(con, sql, spec, state, store, settings, landing, tz, after_page) -> tuple[TablePull, dict]:
    since = _window_start(state.watermark, settings.overlap, tz)
    result = TablePull(
        spec.table,
        spec.source,
        state.watermark,
        state.watermark,
        None if since is None else to_text(since),
    )
    cols = [*spec.columns, *(c for c in ("updated_at",) if c not in spec.columns)]
    select = sql.SQL(", ").join(sql.Identifier(c) for c in cols)
    order = sql.SQL(", ").join(sql.Identifier(c) for c in ("updated_at", *spec.key))
    table = sql.Identifier(spec.table)
    writer = _DayWriter(spec, landing, tz, result)
    pulled: set[str] = set()
    newest: dt.datetime | None = None
    last: tuple | None = None
    while True:
        conds, params = [], {"n": settings.page_size}
        if since is not None:
            conds.append(sql.SQL("updated_at >= %(since)s"))
            params["since"] = since
        if last is not None:  # keyset: strictly after the last row of the previous page
            conds.append(
                sql.SQL("({}) > ({})").format(
                    order, sql.SQL(", ").join(sql.Placeholder(f"k{i}") for i in range(len(last)))
                )
            )
            params |= {f"k{i}": v for i, v in enumerate(last)}
        query = sql.SQL("select {} from {}{} order by {} limit %(n)s").format(
            select, table, sql.SQL(" where ") + sql.SQL(" and ").join(conds) if conds else sql.SQL(""), order
        )
        page = con.execute(query, params).fetchall()
        if not page:
            break
        result.pages += 1
        for values in page:
            row = dict(zip(cols, values, strict=True))
            key = _key_text(row[k] for k in spec.key)
            updated = _updated_at(spec, row)
            writer.add(writer.day_of(updated), {c: to_text(row[c]) for c in spec.columns})
            pulled.add(key)
            newest = updated if newest is None or updated > newest else newest
        result.rows_pulled += len(page)
        last = tuple(page[-1][cols.index(c)] for c in ("updated_at", *spec.key))
        if after_page is not None:
            after_page(spec.table, result.pages)
        if len(page) < settings.page_size:
            break
    writer.flush()

    # The table's whole key set, in the same snapshot: deletions, re-keys, rows committed too late for the window.
    key_cols = sql.SQL(", ").join(sql.Identifier(c) for c in (*spec.key, *spec.identity, "updated_at"))
    current: dict[str, str] = {}
    for values in con.execute(sql.SQL("select {} from {}").format(key_cols, table)):
        _updated_at(spec, dict(zip((*spec.key, *spec.identity, "updated_at"), values, strict=True)))
        key = _key_text(values[: len(spec.key)])
        current[key] = json.dumps([to_text(v) for v in values[len(spec.key) : -1]])
    landed = store.load_keys(state)
    gone = sorted(set(landed) - set(current))
    appeared = set(current) - set(landed)
    by_identity: dict[str, list[str]] = {}
    for k in appeared:
        by_identity.setdefault(current[k], []).append(k)
    for k in gone:
        match = by_identity.get(landed[k], [])
        if len(match) == 1:
            result.rekeyed[k] = match[0]
        else:
            result.deleted.append(k)
    missed = sorted(appeared - pulled)
    if missed:
        result.late_beyond_overlap = missed
        newest = _land_by_key(con, sql, spec, cols, select, table, missed, writer, newest)
    if newest is not None:
        after = to_text(newest)
        if result.watermark_before is None or newest > dt.datetime.fromisoformat(result.watermark_before):
            result.watermark_after = after
    return result, current


def _land_by_key(con, sql, spec, cols, select, table, missed, writer, newest):
    """Land rows whose key is new but whose updated_at was older than the window (committed late)."""
    key_expr = sql.SQL("concat_ws('|', {})").format(
        sql.SQL(", ").join(sql.SQL("{}::text").format(sql.Identifier(k)) for k in spec.key)
    )
    rows = con.execute(
        sql.SQL("select {} from {} where {} = any(%s) order by updated_at").format(select, table, key_expr),
        [missed],
    ).fetchall()
    by_day: dict[str, dict[tuple, dict[str, str]]] = {}
    for values in rows:
        row = dict(zip(cols, values, strict=True))
        day = writer.day_of(_updated_at(spec, row))
        text = {c: to_text(row[c]) for c in spec.columns}
        by_day.setdefault(day, {})[tuple(text[c] for c in spec.landing_key)] = text
        newest = row["updated_at"] if newest is None or row["updated_at"] > newest else newest
    for day in sorted(by_day):
        writer.write_day(day, by_day[day])
    return newest


def _record_key_changes(store: StateStore, results: list[TablePull]) -> Path | None:
    """Deletions and re-keys found by this pull, in a file named by its content (a rerun writes the same)."""
    changes = {
        r.table: {"deleted": r.deleted, "rekeyed": r.rekeyed, "watermark_before": r.watermark_before}
        for r in results
        if r.key_changes
    }
    if not changes:
        return None
    data = (json.dumps(changes, indent=2, sort_keys=True) + "\n").encode()
    path = store.dir / f"key_changes-{hashlib.sha256(data).hexdigest()[:16]}.json"
    write_atomic(path, data)
    return path


def key_change_lines(results: list[TablePull], limit: int = 20) -> Iterator[str]:
    """Human lines naming each deleted and re-keyed row (the first `limit` of each table)."""
    for r in results:
        key = "/".join(next(t.key for t in TABLES if t.table == r.table))
        for k in r.deleted[:limit]:
            yield f"{r.table}: {key} {k} was deleted in the app database (its landed rows are kept)"
        for old, new in list(r.rekeyed.items())[:limit]:
            yield f"{r.table}: {key} {old} was re-keyed to {new} (both keys' rows are landed)"
        more = max(0, len(r.deleted) - limit) + max(0, len(r.rekeyed) - limit)
        if more:
            yield f"{r.table}: {more} more key changes, see connector_state/app_db/key_changes-*.json"


def other_file_lines(results: list[TablePull]) -> Iterator[str]:
    """Human lines naming the files of another export in the folders the pull wrote."""
    for r in results:
        for name in r.other_files:
            yield (
                f"{r.table}: landing/{name} is not the connector's; the loader reads it too and quarantines the "
                "keys it shares with the pulled file as repeated"
            )
