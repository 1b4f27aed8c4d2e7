"""The app database source against a real throwaway PostgreSQL (tools/pgserver.py), real DuckDB and real Dagster.

The demo's users and orders are replayed into the app schema half a day at a time (tools/app_db_seed.py), as the
app would have written them, and pulled by the connector (growthmart/connectors/app_db.py)."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path
from zoneinfo import ZoneInfo

import dagster as dg
import duckdb
import pytest

from growthmart.connectors import app_db
from growthmart.contracts import get_contract
from growthmart.ingest import load_partitions
from growthmart.ingest.loader import ensure_raw_tables
from tools import pgserver
from tools.app_db_seed import create_schema, day_bounds, replay
from tools.demo.generator import DemoParams, generate

ROOT = Path(__file__).resolve().parents[2]
TZ = "Asia/Shanghai"
DAYS = [f"2026-05-{d:02d}" for d in range(1, 9)]
PLANTED_PASSWORD = "Pl4nted-Secret-7f3a9c"  # the app user's password in every test database


@pytest.fixture(scope="session")
def demo_landing(tmp_path_factory) -> Path:
    """The demo's file export of 8 days: what the app database replays, and the file landing compared with."""
    landing = tmp_path_factory.mktemp("demo") / "landing"
    generate(landing, DemoParams(days=len(DAYS), users=400, seed=7))
    return landing


_counter = iter(range(10_000))


@pytest.fixture
def app(pg):
    """A fresh app database with the app schema, owned by a role whose password is the planted one."""
    import psycopg

    name = f"app_{next(_counter)}"
    user = f"{name}_user"
    with psycopg.connect(pg._admin_dsn(), autocommit=True) as con:
        con.execute(f"create role {user} login password '{PLANTED_PASSWORD}'")
        con.execute(f"create database {name} owner {user}")
    dsn = f"postgresql://{user}:{PLANTED_PASSWORD}@127.0.0.1:{pg.port}/{name}"
    con = psycopg.connect(dsn, autocommit=True)
    create_schema(con)
    yield dsn, con
    con.close()


def settings(dsn: str, **kw) -> app_db.AppDbSettings:
    return app_db.AppDbSettings(dsn, page_size=kw.pop("page_size", 13), **kw)


def replay_half_days(con, landing: Path, day: str):
    """Yield after each half of `day` is written to the app database (a pull runs there)."""
    start, end = day_bounds(day, TZ)
    noon = start + dt.timedelta(hours=12)
    for lo, hi in ((start, noon), (noon, end)):
        replay(con, landing, day, lo, hi)
        yield


def pull(dsn: str, data: Path, **kw) -> dict[str, app_db.TablePull]:
    after_page = kw.pop("after_page", None)
    results = app_db.pull(settings(dsn, **kw), data, TZ, log=lambda _m: None, after_page=after_page)
    return {r.table: r for r in results}


def replay_and_pull(app, landing: Path, data: Path, days: list[str]) -> dict[str, app_db.TablePull]:
    """Replay whole demo days into the app database, then pull once."""
    dsn, con = app
    for day in days:
        replay(con, landing, day)
    return pull(dsn, data)


def landed_files(data: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(data / "landing")): p.read_bytes()
        for p in sorted((data / "landing").glob("*/*/*.csv"))
    }


def load_raw(data: Path, days: list[str]) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(str(data / "w.duckdb"))
    con.execute("set TimeZone = 'UTC'")
    for source in ("app_users", "app_orders"):
        contract = get_contract(source)
        ensure_raw_tables(con, contract)
        load_partitions(con, contract, data / "landing", days, run_id="test")
    return con


def update_order(con, order_id: str, **values) -> None:
    sets = ", ".join(f"{k} = %({k})s" for k in values)
    con.execute(f"update orders set {sets} where order_id = %(order_id)s", {**values, "order_id": order_id})


# ------------------------------------------------------------------------------------------------ the server
def test_missing_postgres_binaries_say_how_to_install_them(tmp_path, monkeypatch):
    monkeypatch.setenv(pgserver.PG_BIN_VAR, str(tmp_path))
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(
        pgserver.PgUnavailable, match=r"Debian's package `postgresql`.*apt-get install postgresql"
    ):
        pgserver.find_bin_dir(debian_root=tmp_path / "nowhere")


def test_a_killed_starter_takes_its_postgres_with_it(tmp_path):
    """kill -9 of the process that started the server leaves no postgres process behind."""
    pytest.importorskip("psutil")
    import psutil

    script = textwrap.dedent(
        """
        import sys, time
        from tools.pgserver import PgServer
        pg = PgServer(); pg.start(); print(pg.process.pid, pg.data_dir, flush=True); time.sleep(600)
        """
    )
    try:
        pgserver.find_bin_dir()
    except pgserver.PgUnavailable as exc:
        pytest.skip(str(exc))
    starter = subprocess.Popen([sys.executable, "-c", script], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        pid, data_dir = starter.stdout.readline().split()
        postmaster = psutil.Process(int(pid))
        family = [postmaster, *postmaster.children(recursive=True)]
        assert len(family) > 1  # the postmaster and its background workers
    finally:
        starter.send_signal(signal.SIGKILL)
        starter.wait()
    gone, alive = psutil.wait_procs(family, timeout=20)
    assert not alive, f"postgres processes outlived their starter: {alive}"
    # The cluster's files stay (nobody was left to remove them): the next server removes them at its start.
    assert Path(data_dir).is_dir()
    assert Path(data_dir).parent in pgserver.remove_stale(Path(data_dir).parent.parent)
    leftover = [
        p.info
        for p in psutil.process_iter(["pid", "cmdline"])
        if data_dir in " ".join(p.info["cmdline"] or [])
    ]
    assert not leftover


# ------------------------------------------------------------------------------------------------ pulls
def test_every_row_lands_once_in_the_day_of_its_updated_at(app, demo_landing, tmp_path):
    """Pulled twice a day while the demo's days are replayed, the landed files are the demo's export, byte for byte."""
    dsn, con = app
    data = tmp_path / "data"
    for day in DAYS:
        for _ in replay_half_days(con, demo_landing, day):
            pull(dsn, data)
    ours = landed_files(data)
    export = {
        str(p.relative_to(demo_landing)).replace("demo_", "app_db_"): p.read_bytes()
        for source in ("app_users", "app_orders")
        for p in sorted((demo_landing / source).glob("*/*.csv"))
    }
    assert ours == export
    raw = load_raw(data, DAYS)
    users, distinct = raw.execute("select count(*), count(distinct user_id) from raw.app_users").fetchone()
    assert users == distinct == con.execute("select count(*) from users").fetchone()[0]
    versions = raw.execute(
        "select count(*), count(distinct (order_id, updated_at)) from raw.app_orders"
    ).fetchone()
    assert versions[0] == versions[1]
    assert (
        raw.execute("select count(distinct order_id) from raw.app_orders").fetchone()[0]
        == (con.execute("select count(*) from orders").fetchone()[0])
    )
    private = [
        data / "connector_state",
        *(data / "connector_state").rglob("*"),
        *(data / "landing").rglob("*"),
    ]
    assert {oct(p.stat().st_mode & 0o077) for p in private} == {"0o0"}  # owner-only: user-level rows and keys
    state = app_db.StateStore(data).load(["users", "orders"])
    assert state["orders"].watermark == app_db.to_text(
        con.execute("select max(updated_at) from orders").fetchone()[0]
    )


def test_a_refund_ten_days_later_arrives_in_the_next_pull_beside_its_paid_version(
    app, demo_landing, tmp_path
):
    dsn, con = app
    data = tmp_path / "data"
    replay_and_pull(app, demo_landing, data, DAYS[:3])
    order_id, created, amount = con.execute(
        "select order_id, created_at, amount from orders where status = 'paid' order by created_at limit 1"
    ).fetchone()
    refunded_at = created + dt.timedelta(days=10, microseconds=123456)  # a real clock has microseconds
    update_order(
        con,
        order_id,
        status="refunded",
        refund_amount=amount,
        refunded_at=refunded_at,
        updated_at=refunded_at,
    )
    second = pull(dsn, data)
    assert second["orders"].rows_pulled >= 1
    refund_day = refunded_at.astimezone(ZoneInfo(TZ)).date().isoformat()
    assert refund_day in second["orders"].days
    raw = load_raw(data, sorted({*DAYS[:3], refund_day}))
    versions = raw.execute(
        "select status, _partition_date::varchar, updated_at, refund_amount from raw.app_orders "
        f"where order_id = '{order_id}' order by updated_at"
    ).fetchall()
    created_day = created.astimezone(ZoneInfo(TZ)).date().isoformat()
    naive = refunded_at.astimezone(dt.UTC).replace(tzinfo=None)  # raw timestamps are naive UTC
    assert versions == [
        ("paid", created_day, created.astimezone(dt.UTC).replace(tzinfo=None), None),
        ("refunded", refund_day, naive, amount),
    ]
    assert raw.execute("select count(*) from raw.quarantine_rows").fetchone()[0] == 0


def test_the_overlap_re_pulls_without_duplicates_and_catches_a_late_commit(app, demo_landing, tmp_path):
    dsn, con = app
    data = tmp_path / "data"
    first = replay_and_pull(app, demo_landing, data, DAYS[:4])
    before = landed_files(data)
    again = pull(dsn, data)
    # The overlap (3 days back from the watermark, from the start of that day) is pulled again...
    assert again["orders"].rows_pulled > 0 and again["users"].rows_pulled > 0
    assert again["orders"].pulled_since < first["orders"].watermark_after
    # ... and rewrites nothing: the same rows make the same bytes.
    assert again["orders"].files_changed == again["users"].files_changed == 0
    assert landed_files(data) == before
    # A change committed after the pull but stamped a day before its watermark (a long transaction) still arrives.
    stamped = dt.datetime.fromisoformat(first["orders"].watermark_after) - dt.timedelta(days=1)
    order_id = con.execute(
        "select order_id from orders where status = 'paid' and updated_at < %s order by updated_at desc limit 1",
        [stamped],
    ).fetchone()[0]
    update_order(con, order_id, status="cancelled", updated_at=stamped)
    late = pull(dsn, data)
    assert late["orders"].files_changed == 1
    raw = load_raw(data, DAYS[:4])
    dupes = raw.execute(
        "select order_id, updated_at, count(*) from raw.app_orders group by all having count(*) > 1"
    ).fetchall()
    assert dupes == []
    statuses = [
        r[0]
        for r in raw.execute(f"select status from raw.app_orders where order_id = '{order_id}'").fetchall()
    ]
    assert sorted(statuses) == ["cancelled", "paid"]


def test_a_row_committed_before_the_window_is_fetched_by_its_key(app, demo_landing, tmp_path):
    dsn, con = app
    data = tmp_path / "data"
    replay_and_pull(app, demo_landing, data, DAYS[:4])
    old = dt.datetime(2026, 4, 20, 3, 0, tzinfo=dt.UTC)  # ten days before the watermark: outside the overlap
    con.execute(
        "insert into users (user_id, anonymous_id, signup_at, updated_at) values ('u_late', 'anon_late', %s, %s)",
        [old, old],
    )
    late = pull(dsn, data)
    assert late["users"].late_beyond_overlap == ["u_late"]
    file = data / "landing/app_users/2026-04-20/app_db_app_users_2026-04-20.csv"
    assert "u_late,anon_late,2026-04-20T03:00:00Z" in file.read_text()


def test_deleted_and_rekeyed_rows_are_reported_and_their_landed_rows_kept(app, demo_landing, tmp_path):
    dsn, con = app
    data = tmp_path / "data"
    replay_and_pull(app, demo_landing, data, DAYS[:3])
    before = landed_files(data)
    deleted, rekeyed = [r[0] for r in con.execute("select order_id from orders order by order_id limit 2")]
    con.execute("delete from orders where order_id = %s", [deleted])
    con.execute("update orders set order_id = 'GMX-NEW-1' where order_id = %s", [rekeyed])
    user = con.execute("select user_id from users order by user_id desc limit 1").fetchone()[0]
    con.execute("delete from users where user_id = %s", [user])
    results = pull(dsn, data)
    assert results["orders"].deleted == [deleted]
    assert results["orders"].rekeyed == {rekeyed: "GMX-NEW-1"}
    assert results["users"].deleted == [user]
    lines = list(app_db.key_change_lines(list(results.values())))
    assert f"orders: order_id {deleted} was deleted in the app database (its landed rows are kept)" in lines
    assert f"orders: order_id {rekeyed} was re-keyed to GMX-NEW-1 (both keys' rows are landed)" in lines
    [record] = (data / "connector_state/app_db").glob("key_changes-*.json")
    assert deleted in record.read_text() and "GMX-NEW-1" in record.read_text()
    after = landed_files(data)
    for name, content in before.items():  # nothing landed was removed: every earlier line is still there
        assert set(content.decode().splitlines()) <= set(after[name].decode().splitlines())
    assert any("GMX-NEW-1" in c.decode() for c in after.values())
    # Reported once: the next pull compares with the keys it has now landed.
    assert pull(dsn, data)["orders"].key_changes == 0


def test_a_crash_between_pages_keeps_the_watermark_and_the_rerun_lands_the_same_files(
    app, demo_landing, tmp_path
):
    dsn, con = app
    clean, crashed = tmp_path / "clean", tmp_path / "crashed"
    for day in DAYS[:4]:
        replay(con, demo_landing, day)
    pull(dsn, clean)

    def crash(table, page):
        if table == "orders" and page == 3:
            raise RuntimeError("killed between pages")

    with pytest.raises(RuntimeError, match="killed between pages"):
        pull(dsn, crashed, after_page=crash)
    assert not (crashed / "connector_state/app_db/state.json").exists()  # no watermark moved
    assert landed_files(crashed)  # some days were already landed
    pull(dsn, crashed)
    assert landed_files(crashed) == landed_files(clean)
    assert app_db.StateStore(crashed).load(["users", "orders"]) == app_db.StateStore(clean).load(
        ["users", "orders"]
    )


def test_a_pull_killed_mid_way_leaves_the_state_as_it_was(app, demo_landing, tmp_path):
    """A real kill -9 of the pulling process between pages: the watermark stays, the rerun lands the same files."""
    dsn, con = app
    clean, killed = tmp_path / "clean", tmp_path / "killed"
    for day in DAYS[:2]:
        replay(con, demo_landing, day)
    pull(dsn, clean)
    pull(dsn, killed)
    state = (killed / "connector_state/app_db/state.json").read_bytes()
    for day in DAYS[2:5]:
        replay(con, demo_landing, day)
    script = textwrap.dedent(
        f"""
        import os, signal, time
        from pathlib import Path
        from growthmart.connectors import app_db
        def stop(table, page):
            if table == "users" and page == 2:
                print("paused", flush=True); time.sleep(600)
        app_db.pull(app_db.AppDbSettings(os.environ["{app_db.DSN_VAR}"], page_size=13), Path({str(killed)!r}),
                    {TZ!r}, after_page=stop)
        """
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env={**os.environ, app_db.DSN_VAR: dsn},
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout.readline().strip() == "paused"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert (killed / "connector_state/app_db/state.json").read_bytes() == state
    pull(dsn, clean)
    pull(dsn, killed)
    assert landed_files(killed) == landed_files(clean)


def test_connection_errors_name_the_database_but_never_the_password(app, tmp_path):
    dsn, _ = app
    wrong = dsn.replace(PLANTED_PASSWORD, PLANTED_PASSWORD + "x")
    with pytest.raises(app_db.AppDbError) as err:
        pull(wrong, tmp_path)
    message = str(err.value)
    assert "cannot connect" in message and "@127.0.0.1:" in message
    assert PLANTED_PASSWORD not in message
    assert err.value.__cause__ is None and err.value.__suppress_context__
    assert not err.value.transient  # a refused password is not retried
    port = dsn.split(":")[-1].split("/")[0]
    with pytest.raises(app_db.AppDbError, match="cannot connect") as down:
        pull(dsn.replace(f":{port}/", f":{pgserver.free_port()}/"), tmp_path)
    assert down.value.transient and PLANTED_PASSWORD not in str(down.value)  # nobody listening: retried


def test_another_export_in_a_folder_the_pull_writes_is_named(app, demo_landing, tmp_path):
    data = tmp_path / "data"
    folder = data / "landing/app_users" / DAYS[0]
    folder.mkdir(parents=True)
    (folder / "crm_export.csv").write_text("user_id,anonymous_id,signup_at\n")
    results = replay_and_pull(app, demo_landing, data, DAYS[:1])
    assert results["users"].other_files == [f"app_users/{DAYS[0]}/crm_export.csv"]
    [line] = app_db.other_file_lines(list(results.values()))
    assert "landing/app_users/2026-05-01/crm_export.csv is not the connector's" in line


def test_a_row_without_updated_at_fails_the_pull_naming_table_and_key(app, demo_landing, tmp_path):
    dsn, con = app
    data = tmp_path / "data"
    replay_and_pull(app, demo_landing, data, DAYS[:1])
    state = (data / "connector_state/app_db/state.json").read_bytes()
    con.execute("alter table orders alter column updated_at drop not null")
    con.execute("alter table orders disable trigger orders_touch")
    order_id = con.execute("select order_id from orders limit 1").fetchone()[0]
    con.execute("update orders set updated_at = null where order_id = %s", [order_id])
    with pytest.raises(app_db.AppDbError, match=f"table orders: row order_id {order_id} has no updated_at"):
        pull(dsn, data)
    assert (data / "connector_state/app_db/state.json").read_bytes() == state


def test_settings_come_from_the_environment(monkeypatch):
    monkeypatch.delenv(app_db.DSN_VAR, raising=False)
    assert not app_db.enabled()
    with pytest.raises(app_db.AppDbError, match=app_db.DSN_VAR):
        app_db.AppDbSettings.from_env()
    monkeypatch.setenv(app_db.DSN_VAR, "postgresql://u:p@h:1/d")
    monkeypatch.setenv(app_db.OVERLAP_DAYS_VAR, "5")
    assert app_db.AppDbSettings.from_env().overlap == dt.timedelta(days=5)
    monkeypatch.setenv(app_db.OVERLAP_DAYS_VAR, "-1")
    with pytest.raises(app_db.AppDbError, match="OVERLAP_DAYS='-1' is not a positive number"):
        app_db.AppDbSettings.from_env()
    assert app_db.describe_dsn("postgresql://u:secret@h:1/d") == "u@h:1/d"


# ------------------------------------------------------------------------------------------------ Dagster
def test_the_pull_is_in_the_graph_only_when_its_dsn_is_set(monkeypatch, dbt_manifest):
    from assets.ingest.app_db import APP_DB_KEY, KEY_CHANGES_CHECK
    from orchestration.definitions import build_definitions

    monkeypatch.delenv(app_db.DSN_VAR, raising=False)
    graph = build_definitions().get_repository_def().asset_graph
    assert APP_DB_KEY not in graph.get_all_asset_keys()  # `make run` stays file-based and offline
    assert not graph.get(dg.AssetKey(["raw", "app_orders"])).parent_keys

    monkeypatch.setenv(app_db.DSN_VAR, "postgresql://u@127.0.0.1:1/app")
    defs = build_definitions()
    graph = defs.get_repository_def().asset_graph
    for source in ("app_users", "app_orders"):
        assert graph.get(dg.AssetKey(["raw", source])).parent_keys == {APP_DB_KEY}
    assert graph.get(APP_DB_KEY).partitions_def is not None
    assert dg.AssetCheckKey(APP_DB_KEY, KEY_CHANGES_CHECK) in graph.asset_check_keys
    ingest = defs.resolve_job_def("ingest_job")
    assert APP_DB_KEY in ingest.asset_layer.selected_asset_keys


def _materialize(data: Path, assets: list, day: str) -> dg.ExecuteInProcessResult:
    from assets.resources import WarehouseResource

    (data / "dagster_home").mkdir(parents=True, exist_ok=True)
    instance = dg.DagsterInstance.local_temp(str(data / "dagster_home"))
    try:
        return dg.materialize(
            assets,
            partition_key=day,
            resources={"warehouse": WarehouseResource(data_dir=str(data), timezone=TZ)},
            instance=instance,
        )
    finally:
        instance.dispose()


RAW_COMPARED = {
    "app_users": "user_id, anonymous_id, signup_at, region, city, device",
    "app_orders": "order_id, user_id, created_at, updated_at, status, currency, amount, refund_amount, "
    "refunded_at, coupon_code",
}


def _raw_rows(data: Path) -> dict[str, list[tuple]]:
    with duckdb.connect(str(data / "warehouse.duckdb"), read_only=True) as con:
        return {
            source: con.execute(f"select _partition_date, {cols} from raw.{source} order by all").fetchall()
            for source, cols in RAW_COMPARED.items()
        }


def test_pulled_through_dagster_the_raw_tables_equal_the_file_export_and_the_password_is_nowhere(
    app, demo_landing, tmp_path, monkeypatch
):
    """The demo's users and orders of 8 days, pulled twice a day from PostgreSQL by the Dagster asset, give the same
    raw.app_users and raw.app_orders as loading the demo's file export of those days; the app database's password
    is in no landed file, state file, warehouse or Dagster record."""
    import shutil

    from assets.ingest.app_db import APP_DB_KEY, KEY_CHANGES_CHECK, build_app_db_asset
    from assets.ingest.raw_assets import build_raw_assets

    dsn, con = app
    monkeypatch.setenv(app_db.DSN_VAR, dsn)
    contracts = [get_contract("app_users"), get_contract("app_orders")]
    pulled, exported = tmp_path / "pulled", tmp_path / "exported"
    for source in ("app_users", "app_orders"):
        shutil.copytree(demo_landing / source, exported / "landing" / source)
    pulled_assets = [
        build_app_db_asset(),
        *build_raw_assets(contracts, {c.name: [APP_DB_KEY] for c in contracts}),
    ]
    file_assets = build_raw_assets(contracts)
    for day in DAYS:
        for _ in replay_half_days(con, demo_landing, day):
            result = _materialize(pulled, pulled_assets, day)
            assert result.success
        assert _materialize(exported, file_assets, day).success

    assert _raw_rows(pulled) == _raw_rows(exported)
    counts = _raw_rows(pulled)
    assert len(counts["app_users"]) == con.execute("select count(*) from users").fetchone()[0]
    [check] = result.get_asset_check_evaluations()
    assert check.check_name == KEY_CHANGES_CHECK and check.passed
    meta = result.asset_materializations_for_node("landing__app_db")[0].metadata
    assert meta["orders_watermark_after"].value == app_db.to_text(
        con.execute("select max(updated_at) from orders").fetchone()[0]
    )
    assert meta["orders_watermark_before"].value < meta["orders_watermark_after"].value
    assert meta["users_rows_pulled"].value > 0

    planted = PLANTED_PASSWORD.encode()
    found = [p for p in pulled.rglob("*") if p.is_file() and planted in p.read_bytes()]
    assert found == [], f"the app database's password is in {found}"
    assert planted not in str(meta).encode()
