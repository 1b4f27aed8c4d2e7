"""The PostgreSQL publication, against a real PostgreSQL server (tools/pgserver.py): what the roles may read, row
counts that reconcile with the DuckDB publication, comments, and a swap that readers never see half-done."""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from assets.publish import PG_PUBLISH_KEY, PUBLISH_KEY, build_pg_publish_asset
from assets.resources import WarehouseResource
from growthmart.config import PG_DSN_VAR
from growthmart.publish import TableDocs, publish
from growthmart.publish_pg import (
    BI_ROLE,
    CRM_ROLE,
    NEXT_PREFIX,
    OLD_PREFIX,
    PgPublishError,
    publish_pg,
)
from orchestration.run_summary import pg_section

ROOT = Path(__file__).resolve().parents[1]
PUBLISHER_PASSWORD = "Pub-" + secrets.token_urlsafe(12)
READER_PASSWORD = "Rd-" + secrets.token_urlsafe(12)
AGGREGATES = ("marts.fct_kpis", "reports.rpt_kpi_daily")
USER_LEVEL = ("marts.dim_users", "marts.fct_orders", "reports.rpt_user_segments")
DOCS = {
    ("reports", "rpt_kpi_daily"): TableDocs(
        "Daily KPIs, one row per day (报告日).", {"new_users": "Users who signed up that day; 'new' users."}
    ),
    ("marts", "dim_users"): TableDocs("One row per user.", {"user_id": "The app's user id."}),
}


@pytest.fixture(scope="module")
def logins(pg):
    """The publisher as a deployment has it (no superuser, allowed to create the two group roles once), a BI user
    and a CRM user."""
    import psycopg

    with psycopg.connect(pg._admin_dsn(), autocommit=True) as admin:
        admin.execute(f"create role publisher login createrole password '{PUBLISHER_PASSWORD}'")
        admin.execute(f"create role alice login password '{READER_PASSWORD}'")
        admin.execute(f"create role carol login password '{READER_PASSWORD}'")


_databases = iter(range(1000))


@pytest.fixture
def db(pg, logins):
    """A fresh database owned by the publisher; yields (publisher DSN, admin DSN, reader DSN factory)."""
    import psycopg

    name = f"bi{next(_databases)}"
    with psycopg.connect(pg._admin_dsn(), autocommit=True) as admin:
        admin.execute(f"create database {name} owner publisher")
    base = f"127.0.0.1:{pg.port}/{name}"
    yield {
        "publisher": f"postgresql://publisher:{PUBLISHER_PASSWORD}@{base}",
        "admin": pg._admin_dsn(name),
        "alice": f"postgresql://alice:{READER_PASSWORD}@{base}",
        "carol": f"postgresql://carol:{READER_PASSWORD}@{base}",
    }


def make_publication(tmp_path: Path, version: int) -> Path:
    """A warehouse with reports, marts, raw and staging, published to DuckDB (with comments): its file."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    wh = tmp_path / f"warehouse{version}.duckdb"
    con = duckdb.connect(str(wh))
    con.execute("create schema reports; create schema marts; create schema raw; create schema staging")
    con.execute(
        f"""create table reports.rpt_kpi_daily as
            select date '2026-05-01' + cast(i as integer) as report_date, {version} as publication,
                   cast(i as integer) as new_users, cast(i * 1.25 as decimal(18, 4)) as gmv,
                   case i % 4 when 0 then '增长' when 1 then '' when 2 then 'say "hi",
next line' end as label,
                   case when i = 3 then 'nan'::double else i / 7 end as ratio,
                   timestamp '2026-05-01 08:00:00.123456' + to_seconds(i) as computed_at, i % 2 = 0 as flag
            from range({1000 * version}) t(i)"""
    )
    con.execute(f"create table marts.fct_kpis as select 'day' as period, {version} as publication")
    con.execute(
        "create table marts.dim_users as select 'u' || i as user_id, 'wechat' as channel from range(50) t(i)"
    )
    con.execute(
        "create table marts.fct_orders as select 'o' || i as order_id, 'u' || i as user_id, 9.9 as amount "
        "from range(30) t(i)"
    )
    con.execute("create table reports.rpt_user_segments as select 'u1' as user_id, 'loyal' as value_tier")
    con.execute("create table raw.app_users as select 'u1' as user_id, '13800000000' as phone")
    con.execute("create table staging.stg_users as select 'u1' as user_id")
    con.close()
    published = tmp_path / "published"
    publish(wh, published, run_id=f"run-{version}", docs=DOCS)
    return published / "growthmart.duckdb"


def fetch(dsn: str, sql: str, params=None):
    import psycopg

    with psycopg.connect(dsn, autocommit=True) as con:
        return con.execute(sql, params).fetchall()


def run(dsn: str, *statements: str) -> None:
    import psycopg

    with psycopg.connect(dsn, autocommit=True) as con:
        for statement in statements:
            con.execute(statement)


def schemas(dsn: str) -> set[str]:
    return {r[0] for r in fetch(dsn, "select nspname from pg_namespace where nspname not like 'pg\\_%'")}


def test_published_tables_reconcile_with_the_duckdb_publication_and_carry_its_comments(tmp_path, db):
    source = make_publication(tmp_path, 1)
    result = publish_pg(source, db["publisher"])
    expected = dict(
        duckdb.connect(str(source), read_only=True)
        .execute("select table_name, row_count from main.publication")
        .fetchall()
    )
    assert {t.qualified: t.rows for t in result.tables} == expected
    counted = {
        t: fetch(db["admin"], f"select count(*) from {t}")[0][0] for t in expected
    }  # counted in PostgreSQL, not as loaded
    assert counted == expected
    assert sorted(t.qualified for t in result.tables if t.user_level) == list(USER_LEVEL)
    # Values arrive as they are: NULL apart from '', Chinese, quotes and newlines, NaN, decimals, microseconds.
    rows = fetch(
        db["admin"],
        """select label, ratio::text, gmv::text, computed_at::text, flag, pg_typeof(gmv)::text
           from reports.rpt_kpi_daily where new_users in (0, 1, 2, 3) order by new_users""",
    )
    assert rows == [
        ("增长", "0", "0.0000", "2026-05-01 08:00:00.123456", True, "numeric"),
        ("", "0.14285714285714285", "1.2500", "2026-05-01 08:00:01.123456", False, "numeric"),
        (
            'say "hi",\nnext line',
            "0.2857142857142857",
            "2.5000",
            "2026-05-01 08:00:02.123456",
            True,
            "numeric",
        ),
        (None, "NaN", "3.7500", "2026-05-01 08:00:03.123456", False, "numeric"),
    ]
    assert fetch(
        db["admin"],
        """select obj_description('reports.rpt_kpi_daily'::regclass, 'pg_class'),
                  col_description('reports.rpt_kpi_daily'::regclass, 3),
                  obj_description('marts.dim_users'::regclass, 'pg_class')""",
    ) == [
        (
            "Daily KPIs, one row per day (报告日).",
            "Users who signed up that day; 'new' users.",
            "One row per user.",
        )
    ]


def test_the_bi_role_reads_the_published_aggregates_and_nothing_else(tmp_path, db):
    import psycopg

    publish_pg(make_publication(tmp_path, 1), db["publisher"])
    run(db["admin"], f"grant {BI_ROLE} to alice", f"grant {BI_ROLE}, {CRM_ROLE} to carol")
    # A schema the publication does not own, in the same database: nobody was granted it.
    run(db["admin"], "create schema app_private", "create table app_private.secrets as select 1 as x")
    # Raw and staging data never reach PostgreSQL.
    assert schemas(db["admin"]) == {"public", "reports", "marts", "app_private", "information_schema"}
    for table in AGGREGATES:
        assert fetch(db["alice"], f"select count(*) from {table}")[0][0] > 0
    with psycopg.connect(db["alice"], autocommit=True) as alice:
        for sql in [
            *(f"select * from {t}" for t in USER_LEVEL),
            "select * from app_private.secrets",
            "insert into reports.rpt_kpi_daily (publication) values (9)",
            "update marts.fct_kpis set publication = 9",
            "delete from marts.fct_kpis",
            "truncate marts.fct_kpis",
            "create table reports.mine (x int)",
            "create table marts.mine (x int)",
            "create table public.mine (x int)",
            "drop table reports.rpt_kpi_daily",
            "create schema mine",
        ]:
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                alice.execute(sql)
    # The CRM role opens the user-level tables, and the BI user gets them only when granted it.
    for table in USER_LEVEL:
        assert fetch(db["carol"], f"select count(*) from {table}")[0][0] > 0
    run(db["admin"], f"grant {CRM_ROLE} to alice")
    try:
        assert fetch(db["alice"], "select count(*) from marts.dim_users") == [(50,)]
    finally:
        run(db["admin"], f"revoke {CRM_ROLE} from alice")
    # The grants moved with the next swap: they are given to every new publication before it is renamed in.
    publish_pg(make_publication(tmp_path, 2), db["publisher"])
    assert fetch(db["alice"], "select publication from marts.fct_kpis") == [(2,)]
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        fetch(db["alice"], "select * from reports.rpt_user_segments")
    assert fetch(db["carol"], "select count(*) from reports.rpt_user_segments") == [(1,)]


def test_a_reader_mid_query_keeps_its_publication_and_the_swap_does_not_wait_for_it(tmp_path, db):
    import psycopg

    first = publish_pg(make_publication(tmp_path / "a", 1), db["publisher"])
    run(db["admin"], f"grant {BI_ROLE} to alice")
    with psycopg.connect(db["alice"]) as reader, psycopg.connect(db["alice"]) as repeatable:
        repeatable.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        assert repeatable.execute("select count(*) from marts.fct_kpis").fetchone() == (1,)  # snapshot taken
        cursor = reader.cursor(name="mid_query")  # a server-side cursor: the query runs across the swap
        cursor.execute("select publication from reports.rpt_kpi_daily")
        head = cursor.fetchmany(10)
        started = time.monotonic()
        second = publish_pg(make_publication(tmp_path / "b", 2), db["publisher"])
        took = time.monotonic() - started
        rest = cursor.fetchall()
        assert {p for (p,) in head + rest} == {1} and len(head + rest) == 1000  # the whole old table
        # The swap did not wait for the reader; only dropping the old schemas would, so they are kept.
        assert second.swap_ms < 2000 and took < 60
        assert len(second.old_kept) == 2 and all(s.startswith(OLD_PREFIX) for s in second.old_kept)
        # A transaction begun before the swap sees the new publication whole in its next statement, not empty
        # tables (the rows are loaded frozen).
        assert repeatable.execute(
            "select count(*), min(publication) from reports.rpt_kpi_daily"
        ).fetchone() == (
            2000,
            2,
        )
        reader.rollback()
        repeatable.rollback()
    # A new statement sees the new publication.
    assert fetch(db["alice"], "select count(*), min(publication) from reports.rpt_kpi_daily") == [(2000, 2)]
    third = publish_pg(make_publication(tmp_path / "c", 3), db["publisher"])
    assert set(second.old_kept) <= set(third.debris_dropped) and not third.old_kept
    assert not {s for s in schemas(db["admin"]) if s.startswith((OLD_PREFIX, NEXT_PREFIX))}
    assert first.swap_ms < 2000 and third.swap_ms < 2000


def test_concurrent_readers_only_ever_see_whole_publications(tmp_path, db):
    """Readers querying both schemas in one statement, without pause, while publications are swapped in."""
    import psycopg

    sources = [make_publication(tmp_path / str(v), v) for v in (1, 2, 3)]
    publish_pg(sources[0], db["publisher"])
    run(db["admin"], f"grant {BI_ROLE} to alice")
    seen: list[tuple] = []
    errors: list[BaseException] = []
    stop = threading.Event()

    def read() -> None:
        try:
            with psycopg.connect(db["alice"], autocommit=True) as con:
                while not stop.is_set():
                    seen.append(
                        con.execute(
                            """select (select count(*) from reports.rpt_kpi_daily),
                                      (select min(publication) from reports.rpt_kpi_daily),
                                      (select publication from marts.fct_kpis)"""
                        ).fetchone()
                    )
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)

    readers = [threading.Thread(target=read) for _ in range(2)]
    for t in readers:
        t.start()
    try:
        for source in sources[1:]:
            publish_pg(source, db["publisher"])
            time.sleep(0.2)
    finally:
        stop.set()
        for t in readers:
            t.join()
    assert not errors
    assert set(seen) <= {(1000, 1, 1), (2000, 2, 2), (3000, 3, 3)}
    assert (3000, 3, 3) in seen and len(seen) > 10


KILLER = """
import os, signal, sys
from pathlib import Path
from growthmart.publish_pg import publish_pg
publish_pg(Path(sys.argv[1]), os.environ["GROWTHMART_PG_DSN"], before_swap=lambda: os.kill(os.getpid(), signal.SIGKILL))
"""


def test_a_killed_publish_leaves_only_unreadable_debris_that_the_next_publish_drops(tmp_path, db):
    import psycopg

    publish_pg(make_publication(tmp_path / "a", 1), db["publisher"])
    run(db["admin"], f"grant {BI_ROLE} to alice")
    killed = subprocess.run(
        [sys.executable, "-c", KILLER, str(make_publication(tmp_path / "b", 2))],
        cwd=ROOT,
        env={**os.environ, PG_DSN_VAR: db["publisher"]},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    debris = {s for s in schemas(db["admin"]) if s.startswith(NEXT_PREFIX)}
    assert len(debris) == 2  # fully loaded, never swapped in
    assert fetch(db["alice"], "select publication from marts.fct_kpis") == [(1,)]
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        fetch(db["alice"], f"select * from {sorted(debris)[0]}.fct_kpis")
    following = publish_pg(make_publication(tmp_path / "c", 3), db["publisher"])
    assert debris <= set(following.debris_dropped)
    assert not {s for s in schemas(db["admin"]) if s.startswith((NEXT_PREFIX, OLD_PREFIX))}
    assert fetch(db["alice"], "select publication from marts.fct_kpis") == [(3,)]


def test_a_reports_schema_that_is_not_a_publication_is_never_replaced(tmp_path, db):
    run(db["publisher"], "create schema reports", "create table reports.hand_made as select 1 as x")
    with pytest.raises(PgPublishError, match="schema reports exists and is not a growthmart publication"):
        publish_pg(make_publication(tmp_path, 1), db["publisher"])
    assert fetch(db["admin"], "select x from reports.hand_made") == [(1,)]


def materialize_pg(data_dir: Path) -> dg.ExecuteInProcessResult:
    @dg.asset(key=PUBLISH_KEY)
    def growthmart_bi() -> None:  # stands for the DuckDB publication, already on disk
        return None

    return dg.materialize(
        [growthmart_bi, build_pg_publish_asset()],
        resources={"warehouse": WarehouseResource(data_dir=str(data_dir))},
        instance=dg.DagsterInstance.ephemeral(),
        raise_on_error=False,
    )


def test_the_asset_skips_without_a_dsn_and_fails_visibly_without_the_password_or_harm(
    tmp_path, db, monkeypatch
):
    data = tmp_path / "data"
    source = make_publication(data, 1)  # data/published/growthmart.duckdb
    before = source.read_bytes()

    monkeypatch.delenv(PG_DSN_VAR, raising=False)
    skipped = materialize_pg(data)
    assert skipped.success
    assert [m.asset_key for m in skipped.get_asset_materialization_events()] == [PUBLISH_KEY]
    assert pg_section(skipped, PG_PUBLISH_KEY) == [
        f'skipped: {PG_DSN_VAR} is not set (off by default; README "PostgreSQL publication")'
    ]

    wrong = db["publisher"].replace(PUBLISHER_PASSWORD, "Wrong-" + PUBLISHER_PASSWORD)
    monkeypatch.setenv(PG_DSN_VAR, wrong)
    failed = materialize_pg(data)
    assert not failed.success
    [line] = pg_section(failed, PG_PUBLISH_KEY)
    assert line.startswith("FAILED: PostgreSQL publication to publisher@127.0.0.1:")
    assert "password authentication failed" in line and "The DuckDB publication stands" in line
    assert source.read_bytes() == before

    monkeypatch.setenv(PG_DSN_VAR, db["publisher"])
    done = materialize_pg(data)
    assert done.success
    [summary] = pg_section(done, PG_PUBLISH_KEY)
    assert summary.startswith("5 tables (") and "published to PostgreSQL publisher@127.0.0.1:" in summary
    assert "marts.dim_users, marts.fct_orders, reports.rpt_user_segments" in summary
    for result in (failed, done):
        text = "\n".join(str(e) for e in result.all_events)
        assert PUBLISHER_PASSWORD not in text and db["publisher"] not in text
