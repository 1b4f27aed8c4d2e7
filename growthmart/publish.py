"""Publish report and mart tables for BI: a fresh DuckDB file and Parquet files, swapped in atomically.

Readers never see a half-written state and never touch the pipeline's working warehouse (and so never hit
its write lock): everything is written under a temporary name first, then `os.replace` swaps the DuckDB file
and a symlink swap moves `parquet/` to the new version. A reader that opened the old file keeps reading it; a
reader that resolved `parquet/` keeps reading that version, which the next publish keeps (KEEP_PARQUET_VERSIONS).
Tables CRM and push tools import (CSV_EXPORTS) are also written as CSV next to their Parquet file, in the same
version directory, so they swap with it.

A publish that dies (SIGKILL, disk full, an exception) changes nothing a reader sees. What it leaves behind —
its temporary DuckDB file and WAL, a Parquet version directory without the COMPLETE_MARKER — is debris the
next publish removes first; it holds LOCK_FILE throughout, so debris found under the lock belongs to no live
publish. A version is complete only once every file of it is on disk (fsync) and the marker is written, the
last step before the swap; pruning keeps complete versions only and never removes the one being swapped out.

Only what changed is rewritten. Each table's fingerprint (its columns and types, its row count and the sum of
its rows' hashes, computed in DuckDB) is recorded in `main.publication`; a table whose fingerprint equals the one
the current publication recorded is not written again: its Parquet (and CSV) file is hard-linked from the
current version, and the new DuckDB file starts as a copy of the current one, in which only changed tables are
replaced. A night that changes a few tables writes a few tables. Anything unexpected (no fingerprints in the
current publication, a missing file, a copy that does not open) falls back to writing the table or the file
from the warehouse.

DuckDB 1.x readers open the file (STORAGE_VERSION): the BI drivers bundled in Metabase, DBeaver and many Superset
installs are DuckDB 1.x, which refuses DuckDB 2.x's own storage format. A current file in another storage version
(written before this choice) is never patched: the copy would keep its format, so the file is written anew.

dbt's descriptions (`TableDocs`, from the manifest: `manifest_docs`) go with the tables: as table and column comments
in the DuckDB file and as key-value metadata of the Parquet files (DOCS_KEY, COLUMN_DOCS_KEY). A table's descriptions
have their own fingerprint, beside its data's: a table whose rows and descriptions are both unchanged is carried over
with the comments and metadata it has; an edited description rewrites that table once.

Modes: the publication is for BI readers in the owner's group (growthmart/config.py SHARED_*_MODE).
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import shutil
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from growthmart.config import SHARED_DIR_MODE, SHARED_FILE_MODE, share_with_readers
from growthmart.ingest.sql import ident, literal

PUBLISHED_SCHEMAS = ("reports", "marts")
KEEP_PARQUET_VERSIONS = 2
# Patch a copy of the current DuckDB file when at most this share of the published rows changed; else write anew.
PATCH_AT_MOST_SHARE = 0.5
# Published as CSV too: the user list a CRM or push tool imports for targeted recalls (docs/metrics.md).
CSV_EXPORTS = (("reports", "rpt_user_segments"),)
# UTF-8 byte order mark: Excel and common CRM importers read a BOM-less CSV in the system code page (GBK on a
# Chinese Windows), which garbles the Chinese tier labels and actions.
UTF8_BOM = b"\xef\xbb\xbf"

# The storage format of the published DuckDB file: v1.0.0 is read by every DuckDB from 1.0 on (1.x drivers of BI
# tools included) and by DuckDB 2.x; the features it lacks do not matter here (DECISIONLOG "The published file opens
# in DuckDB 1.x"). A file's format is fixed when it is created: a copy of an older file keeps the older format.
STORAGE_VERSION = "v1.0.0"
# Parquet key-value metadata: the table's dbt description, and its columns' as a JSON object {column: description}.
DOCS_KEY = "description"
COLUMN_DOCS_KEY = "column_descriptions"

DB_NAME = "growthmart.duckdb"
PARQUET_LINK = "parquet"
VERSIONS_DIR = ".parquet_versions"
COMPLETE_MARKER = ".complete"  # in a version directory: every file of it is on disk
PUBLICATION_PARQUET = "publication.parquet"  # main.publication, in each Parquet version
LOCK_FILE = ".publish.lock"
TMP_DB_PREFIX = ".growthmart."  # .growthmart.<token>.duckdb.tmp and its .wal
TMP_DB_SUFFIX = ".duckdb.tmp"


class PublishLockedError(RuntimeError):
    pass


@dataclass(frozen=True)
class TableDocs:
    """A table's dbt description and its columns' (by lower-case column name); empty strings are no description."""

    description: str = ""
    columns: Mapping[str, str] = field(default_factory=dict)

    def fingerprint(self) -> str:
        described = sorted((c, d) for c, d in self.columns.items() if d)
        if not self.description and not described:
            return ""
        return hashlib.sha256(json.dumps([self.description, described]).encode()).hexdigest()[:32]


Docs = Mapping[tuple[str, str], TableDocs]  # (schema, table) -> its descriptions


def manifest_docs(
    manifest: Path, schemas: tuple[str, ...] = PUBLISHED_SCHEMAS
) -> dict[tuple[str, str], TableDocs]:
    """The descriptions dbt's manifest holds for the models of `schemas`, by (schema, table) in lower case."""
    nodes = json.loads(manifest.read_text(encoding="utf-8"))["nodes"].values()
    return {
        (node["schema"].lower(), (node.get("alias") or node["name"]).lower()): TableDocs(
            (node.get("description") or "").strip(),
            {
                c["name"].lower(): (c.get("description") or "").strip()
                for c in node.get("columns", {}).values()
            },
        )
        for node in nodes
        if node["resource_type"] in ("model", "seed", "snapshot") and node["schema"].lower() in schemas
    }


@dataclass(frozen=True)
class PublishedTable:
    schema: str
    name: str
    rows: int
    fingerprint: str = ""
    docs_fingerprint: str = ""  # of its descriptions (TableDocs.fingerprint)
    rewritten: bool = True  # False: unchanged since the previous publication, carried over without a rewrite

    @property
    def qualified(self) -> str:
        return f"{self.schema}.{self.name}"


def _tables(con: duckdb.DuckDBPyConnection, catalog: str, schemas: tuple[str, ...]) -> list[tuple[str, str]]:
    marks = ", ".join("?" for _ in schemas)
    return con.execute(
        f"""select table_schema, table_name from information_schema.tables
            where table_catalog = ? and table_schema in ({marks}) and table_type = 'BASE TABLE'
            order by 1, 2""",
        [catalog, *schemas],
    ).fetchall()


def publish(
    warehouse_path: Path,
    published_dir: Path,
    schemas: tuple[str, ...] = PUBLISHED_SCHEMAS,
    run_id: str | None = None,
    docs: Docs | None = None,
) -> list[PublishedTable]:
    """Copy every table of `schemas` from the warehouse into `published_dir` (DuckDB + Parquet), with `docs`
    (by lower-case schema and table) as their comments and Parquet metadata."""
    published_dir.mkdir(parents=True, exist_ok=True)
    published_dir.chmod(SHARED_DIR_MODE)
    with _locked(published_dir / LOCK_FILE):
        remove_debris(published_dir)
        return _publish(warehouse_path, published_dir, schemas, run_id, docs or {})


def _publish(
    warehouse_path: Path, published_dir: Path, schemas: tuple[str, ...], run_id: str | None, docs: Docs
) -> list[PublishedTable]:
    # Microseconds: versions sort by creation even when two publishes fall in the same second.
    token = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f") + "-" + uuid.uuid4().hex[:8]
    tmp_db = published_dir / f"{TMP_DB_PREFIX}{token}{TMP_DB_SUFFIX}"  # same filesystem: os.replace is atomic
    versions = published_dir / VERSIONS_DIR
    versions.mkdir(exist_ok=True)
    versions.chmod(SHARED_DIR_MODE)
    version = versions / token
    version.mkdir()
    previous = current_version(published_dir)
    previous_dir = versions / previous if previous else None
    published: list[PublishedTable] = []
    written: list[tuple[str, str]] = []  # tables (re)written into the new DuckDB file
    try:
        current = _fingerprints(warehouse_path, schemas)  # (schema, name) -> (rows, fingerprint)
        if not current:
            raise RuntimeError(f"nothing to publish: no tables in schemas {schemas} of {warehouse_path}")
        described = {t: docs.get((t[0].lower(), t[1].lower()), TableDocs()) for t in current}
        carried, patchable = _previous_fingerprints(published_dir / DB_NAME, previous_dir)
        changed = {
            t
            for t, (_rows, fp) in current.items()
            if carried.get(f"{t[0]}.{t[1]}") != (fp, described[t].fingerprint())
        }
        changed_rows = sum(current[t][0] for t in changed)
        # Few changed rows: start from a copy of the current DuckDB file and replace only those tables. Many: a
        # fresh file is cheaper than a copy in which nearly every table is replaced (measured at 100M events).
        patch = (
            patchable
            and bool(carried)
            and changed_rows <= PATCH_AT_MOST_SHARE * sum(r for r, _ in current.values())
        )
        if patch:
            with _naming(tmp_db):
                shutil.copyfile(published_dir / DB_NAME, tmp_db)
        # The setting applies to a file this connection creates; a copied file keeps its own (patchable: ours).
        con = duckdb.connect(str(tmp_db), config={"storage_compatibility_version": STORAGE_VERSION})
        try:
            con.execute(f"attach {literal(str(warehouse_path))} as wh (read_only)")
            for (schema, name), (rows, fingerprint) in current.items():
                (version / schema).mkdir(exist_ok=True)
                files = [f"{name}.parquet"] + ([f"{name}.csv"] if (schema, name) in CSV_EXPORTS else [])
                linked = (schema, name) not in changed and _link_files(previous_dir, version, schema, files)
                if not (patch and linked):
                    _write_table(con, schema, name, version, described[(schema, name)], files=not linked)
                    written.append((schema, name))
                published.append(
                    PublishedTable(
                        schema,
                        name,
                        rows,
                        fingerprint,
                        described[(schema, name)].fingerprint(),
                        rewritten=not linked,
                    )
                )
            _comment(con, [(schema, name, described[(schema, name)]) for schema, name in written])
            if patch:
                _drop_tables_not_in(con, schemas, set(current))
                con.execute("drop table main.publication")
            con.execute(
                """create table main.publication as
                   select cast(? as timestamp) as published_at, ? as run_id,
                          unnest(?::varchar[]) as table_name, unnest(?::bigint[]) as row_count,
                          unnest(?::varchar[]) as fingerprint, unnest(?::varchar[]) as docs_fingerprint,
                          unnest(?::boolean[]) as rewritten""",
                [
                    datetime.now(UTC).replace(tzinfo=None),
                    run_id,
                    [t.qualified for t in published],
                    [t.rows for t in published],
                    [t.fingerprint for t in published],
                    [t.docs_fingerprint for t in published],
                    [t.rewritten for t in published],
                ],
            )
            con.execute(
                f"copy main.publication to {literal(str(version / PUBLICATION_PARQUET))} (format parquet)"
            )
            con.execute("detach wh")
            con.execute("checkpoint")
        finally:
            con.close()
        tmp_db.chmod(SHARED_FILE_MODE)
        share_with_readers(version)
        _sync_tree(version)
        _mark_complete(version)
        os.replace(tmp_db, published_dir / DB_NAME)
        _swap_symlink(published_dir / PARQUET_LINK, version)
        _fsync_dir(published_dir)
    except BaseException:
        _remove_tmp_db(tmp_db)
        shutil.rmtree(version, ignore_errors=True)
        raise
    _prune_versions(versions, keep=KEEP_PARQUET_VERSIONS, protect={version.name, previous})
    return published


def _fingerprints(warehouse_path: Path, schemas: tuple[str, ...]) -> dict[tuple[str, str], tuple[int, str]]:
    con = duckdb.connect()
    try:
        con.execute(f"attach {literal(str(warehouse_path))} as wh (read_only)")
        return {
            (schema, name): _fingerprint(con, "wh", schema, name)
            for schema, name in _tables(con, "wh", schemas)
        }
    finally:
        con.close()


def _fingerprint(con: duckdb.DuckDBPyConnection, catalog: str, schema: str, name: str) -> tuple[int, str]:
    """(rows, fingerprint) of a table: its columns and types in order, its row count and the sum of its rows'
    hashes, computed in DuckDB (one scan, nothing leaves the engine). Equal fingerprints mean equal contents
    (row order aside) up to a 64-bit-hash collision; a DuckDB upgrade that changes `hash` only makes every
    table look changed once."""
    columns = con.execute(
        """select string_agg(column_name || ' ' || data_type, ', ' order by ordinal_position)
           from information_schema.columns where table_catalog = ? and table_schema = ? and table_name = ?""",
        [catalog, schema, name],
    ).fetchone()[0]
    table = f"{ident(catalog)}.{ident(schema)}.{ident(name)}"
    rows, digest = con.execute(
        f"select count(*), coalesce(sum(hash(t)::hugeint), 0) from {table} as t"
    ).fetchone()
    return rows, hashlib.sha256(f"{columns}|{rows}|{digest}".encode()).hexdigest()[:32]


def _previous_fingerprints(
    previous_db: Path, previous_dir: Path | None
) -> tuple[dict[str, tuple[str, str]], bool]:
    """The (fingerprint, docs fingerprint) the current publication recorded, by table, and whether its DuckDB file
    is in STORAGE_VERSION (else it must not be patched); empty if there is no usable one (none yet, a publication
    from before fingerprints, or a DuckDB file and Parquet version from different publishes). A publication from
    before docs fingerprints has "" for them: its tables are rewritten once, with their comments."""
    if previous_dir is None or not is_complete(previous_dir) or not previous_db.is_file():
        return {}, False
    try:
        con = duckdb.connect(str(previous_db), read_only=True)
        try:
            storage = con.execute(
                "select tags['storage_version'] from duckdb_databases() where database_name = current_database()"
            ).fetchone()[0]
            columns = {r[0] for r in con.execute("describe main.publication").fetchall()}
            if "fingerprint" not in columns:
                return {}, False
            stamp = "select any_value(published_at)::varchar from {}"
            db_run = con.execute(stamp.format("main.publication")).fetchone()[0]
            pq_run = con.execute(stamp.format(literal(str(previous_dir / PUBLICATION_PARQUET)))).fetchone()[0]
            if db_run != pq_run:
                return {}, False
            docs = "docs_fingerprint" if "docs_fingerprint" in columns else "''"
            rows = con.execute(f"select table_name, fingerprint, {docs} from main.publication").fetchall()
            return {t: (fp, docs_fp) for t, fp, docs_fp in rows}, storage == f"{STORAGE_VERSION}+"
        finally:
            con.close()
    except duckdb.Error:
        return {}, False


def _link_files(previous_dir: Path | None, version: Path, schema: str, files: list[str]) -> bool:
    """Hard-link a table's files from the previous version into the new one (versions are never written in
    place, so sharing an inode is safe); False, with nothing linked, if any of them is missing."""
    sources = [previous_dir / schema / f for f in files] if previous_dir else []
    if not sources or not all(p.is_file() for p in sources):
        return False
    for source in sources:
        os.link(source, version / schema / source.name)
    return True


def _write_table(
    con: duckdb.DuckDBPyConnection, schema: str, name: str, version: Path, docs: TableDocs, files: bool
) -> None:
    """(Re)write a table from the warehouse into the new DuckDB file and, with `files`, its Parquet file (with its
    descriptions as key-value metadata) and CSV."""
    table = f"{ident(schema)}.{ident(name)}"
    con.execute(f"create schema if not exists {ident(schema)}")
    con.execute(f"create or replace table {table} as select * from wh.{table}")
    if not files:
        return
    metadata = {DOCS_KEY: docs.description} if docs.description else {}
    if described := _described_columns(con, schema, name, docs):
        metadata[COLUMN_DOCS_KEY] = json.dumps(described, ensure_ascii=False)
    kv = ", ".join(f"{literal(k)}: {literal(v)}" for k, v in metadata.items())
    options = f"format parquet, kv_metadata {{{kv}}}" if kv else "format parquet"
    con.execute(f"copy {table} to {literal(str(version / schema / f'{name}.parquet'))} ({options})")
    if (schema, name) in CSV_EXPORTS:
        _write_csv(con, table, version / schema / f"{name}.csv")


def _described_columns(
    con: duckdb.DuckDBPyConnection, schema: str, name: str, docs: TableDocs
) -> dict[str, str]:
    """The columns of the new file's table that dbt describes, in table order, with their descriptions."""
    columns = con.execute(
        """select column_name from duckdb_columns() where database_name = current_database()
           and schema_name = ? and table_name = ? order by column_index""",
        [schema, name],
    ).fetchall()
    return {c: docs.columns[c.lower()] for (c,) in columns if docs.columns.get(c.lower())}


def _comment(con: duckdb.DuckDBPyConnection, tables: list[tuple[str, str, TableDocs]]) -> None:
    """dbt's descriptions as comments on the tables written into the new file, in one transaction: one commit,
    not one per statement (436 comments at the demo: 0.2 s instead of 1.5 s)."""
    statements = []
    for schema, name, docs in tables:
        table = f"{ident(schema)}.{ident(name)}"
        if docs.description:
            statements.append(f"comment on table {table} is {literal(docs.description)}")
        statements += [
            f"comment on column {table}.{ident(c)} is {literal(d)}"
            for c, d in _described_columns(con, schema, name, docs).items()
        ]
    if statements:
        con.execute("begin;\n" + ";\n".join(statements) + ";\ncommit")


def _drop_tables_not_in(
    con: duckdb.DuckDBPyConnection, schemas: tuple[str, ...], keep: set[tuple[str, str]]
) -> None:
    """Drop what the copied publication has that the warehouse no longer has (a model removed)."""
    for schema, name in _tables(con, con.execute("select current_database()").fetchone()[0], schemas):
        if (schema, name) not in keep:
            con.execute(f"drop table {ident(schema)}.{ident(name)}")


def remove_debris(published_dir: Path) -> list[Path]:
    """Remove what dead publishes left in `published_dir` and return it: temporary DuckDB files, their WAL and
    spill directory, temporary `parquet` links, Parquet versions never marked complete. The version `parquet/`
    points at is complete however old (it was swapped in; an older layout's has no marker: it gets one). Call
    it only under LOCK_FILE, so that nothing removed belongs to a live publish."""
    debris = [*published_dir.glob(f"{TMP_DB_PREFIX}*{TMP_DB_SUFFIX}*")]
    debris += [p for p in published_dir.glob(f".{PARQUET_LINK}.*") if p.is_symlink()]
    current = current_version(published_dir)
    versions = published_dir / VERSIONS_DIR
    for version in sorted(versions.iterdir()) if versions.is_dir() else []:
        if version.name == current and not is_complete(version):
            _mark_complete(version)
        elif version.is_dir() and not is_complete(version):
            debris.append(version)
    for path in debris:
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        else:
            path.unlink(missing_ok=True)
    return debris


def current_version(published_dir: Path) -> str | None:
    """The name of the Parquet version `parquet/` points at (None before the first publish)."""
    link = published_dir / PARQUET_LINK
    return Path(os.readlink(link)).name if link.is_symlink() else None


def is_complete(version: Path) -> bool:
    return (version / COMPLETE_MARKER).is_file()


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on `path` (released by the kernel if the process dies); fail at once, naming the
    holder, if another publish holds it."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT, SHARED_FILE_MODE)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 64, 0).decode(errors="replace").strip() or "?"
            raise PublishLockedError(
                f"another publish into {path.parent} is running (pid {holder} holds {path})"
            ) from None
        with contextlib.suppress(
            OSError
        ):  # who holds it, for the message above; a full disk must not fail here
            os.ftruncate(fd, 0)
            os.pwrite(fd, str(os.getpid()).encode(), 0)
        yield
    finally:
        os.close(fd)  # releases the lock


@contextlib.contextmanager
def _naming(path: Path) -> Iterator[None]:
    """An OSError from writing `path` names it ("[Errno 28] No space left on device: '<path>'")."""
    try:
        yield
    except OSError as exc:
        if exc.filename is None:
            exc.filename = str(path)
        raise


def _write_csv(con: duckdb.DuckDBPyConnection, table: str, target: Path) -> None:
    """`table` as CSV with a header, UTF-8 with a BOM; DuckDB writes it, Python only prepends the BOM (streamed)."""
    plain = target.with_name(f".{target.name}.nobom")
    con.execute(f"copy {table} to {literal(str(plain))} (format csv, header true, delimiter ',', quote '\"')")
    with _naming(target), target.open("wb") as out, plain.open("rb") as body:
        out.write(UTF8_BOM)
        shutil.copyfileobj(body, out, length=1 << 20)
    plain.unlink()


def _sync_tree(root: Path) -> None:
    """Every file and directory under `root` on disk: a full disk fails here, before the swap, and a crash
    after the marker cannot leave a marked version with missing blocks."""
    for dirpath, _dirs, files in os.walk(root):
        for name in files:
            path = Path(dirpath) / name
            with _naming(path):
                fd = os.open(path, os.O_RDONLY)
                try:
                    os.fsync(fd)
                finally:
                    os.close(fd)
        _fsync_dir(Path(dirpath))


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _mark_complete(version: Path) -> None:
    marker = version / COMPLETE_MARKER
    with _naming(marker):
        fd = os.open(marker, os.O_WRONLY | os.O_CREAT | os.O_EXCL, SHARED_FILE_MODE)
        try:
            os.fchmod(fd, SHARED_FILE_MODE)  # whatever the umask
            os.fsync(fd)
        finally:
            os.close(fd)
        _fsync_dir(version)


def _remove_tmp_db(tmp_db: Path) -> None:
    tmp_db.unlink(missing_ok=True)
    tmp_db.with_name(tmp_db.name + ".wal").unlink(missing_ok=True)


def _swap_symlink(link: Path, target: Path) -> None:
    if link.exists() and not link.is_symlink():
        shutil.rmtree(link)  # a plain directory from an older layout
    tmp_link = link.with_name(f".{link.name}.{uuid.uuid4().hex[:8]}")
    tmp_link.symlink_to(target.relative_to(link.parent))
    os.replace(tmp_link, link)


def _prune_versions(versions: Path, keep: int, protect: set[str | None]) -> None:
    """Keep the newest `keep` complete versions and those in `protect` (the new one and the one just swapped
    out, which readers may still be reading); incomplete versions are not counted (remove_debris removes them)."""
    complete = sorted(p for p in versions.iterdir() if p.is_dir() and is_complete(p))
    for old in complete[:-keep]:
        if old.name not in protect:
            shutil.rmtree(old, ignore_errors=True)
