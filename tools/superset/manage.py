"""Apache Superset for the growthmart dashboard, set up from the files in this folder (README "Dashboard (Superset)").

    .venv-bi/bin/python -m tools.superset.manage setup            # metadata DB, admin, roles, import the dashboard
    .venv-bi/bin/python -m tools.superset.manage serve [--port N] # serve it on 127.0.0.1 (a free port by default)

Run from the repository root with Superset's own environment (`make bi`). Everything comes from the environment:

    GROWTHMART_DATA_DIR                 Superset's metadata (sqlite) goes to <data dir>/superset
    SUPERSET_SECRET_KEY                 signs sessions, encrypts the stored database password (keep it stable)
    GROWTHMART_SUPERSET_ADMIN_PASSWORD  the `admin` login's password (setup)
    GROWTHMART_SUPERSET_PG_DSN          postgresql://<login>:<password>@<host>:<port>/<db>: the PostgreSQL
                                        publication (growthmart/publish_pg.py) as a login holding only the
                                        read-only role growthmart_bi (setup refuses anything more)

The dashboard is the import bundle in dashboard/ (Superset's own format: metadata.yaml, databases/, datasets/,
charts/, dashboards/), zipped at import time and imported as managed assets (overwriting what an earlier import
made). Its database file names no host and no password: setup writes the DSN's URI without the password into the
bundle it zips and hands the password over through the import's `passwords` mechanism, which Superset stores
encrypted with SUPERSET_SECRET_KEY. The datasets list no columns: setup reads them from the published tables, so
they follow the dbt contracts instead of a copy of them. No secret is printed or passed on a command line.

`serve` runs gunicorn (Superset's recommended server) in the foreground through growthmart's child guard
(growthmart/child_guard.py): it dies with this process, however this process dies. A caller that starts `serve`
itself (tests/test_superset_dashboard.py) starts it through the guard too, so no server outlives its starter.

This module is also imported by the tests in growthmart's own environment: only the functions `setup` and
`_import_bundle` import Superset.
"""

from __future__ import annotations

import argparse
import io
import os
import signal
import subprocess
import sys
import zipfile
from pathlib import Path
from urllib.parse import unquote, urlsplit

from growthmart.child_guard import guard_env, guarded
from growthmart.config import DATA_DIR_VAR, settings
from tools.pgserver import free_port

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
BUNDLE = HERE / "dashboard"
BI_VENV = ROOT / ".venv-bi"
BI_PYTHON = BI_VENV / "bin" / "python"

SECRET_KEY_VAR = "SUPERSET_SECRET_KEY"
ADMIN_PASSWORD_VAR = "GROWTHMART_SUPERSET_ADMIN_PASSWORD"
PG_DSN_VAR = "GROWTHMART_SUPERSET_PG_DSN"
HOME_VAR = "GROWTHMART_SUPERSET_HOME"  # read by superset_config.py
ADMIN = "admin"
BI_ROLE = "growthmart_bi"  # growthmart/publish_pg.py's BI_ROLE (not imported: that module needs DuckDB)
CRM_ROLE = "growthmart_crm"
DATABASE_FILE = "databases/growthmart.yaml"  # the bundle's one database: the PostgreSQL publication
MASK = "XXXXXXXXXX"  # how Superset's exports spell a password they leave out


class SetupError(RuntimeError):
    pass


def superset_home() -> Path:
    return settings().data_dir / "superset"


def superset_env(base: dict[str, str] | None = None) -> dict[str, str]:
    """The environment Superset runs in: its config file and metadata folder on top of `base` (os.environ)."""
    env = dict(os.environ if base is None else base)
    env.setdefault(DATA_DIR_VAR, str(settings().data_dir))
    env["SUPERSET_CONFIG_PATH"] = str(HERE / "superset_config.py")
    env[HOME_VAR] = str(Path(env[DATA_DIR_VAR]).resolve() / "superset")
    env["FLASK_APP"] = "superset.app:create_app()"
    return env


def _required(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        raise SetupError(f"{name} is not set (README: Dashboard (Superset))")
    return value


def split_dsn(dsn: str) -> tuple[str, str]:
    """A postgresql:// URI as (SQLAlchemy URI for Superset without the password, the password)."""
    parts = urlsplit(dsn)
    if parts.scheme not in ("postgresql", "postgres", "postgresql+psycopg2") or not parts.username:
        raise SetupError(f"{PG_DSN_VAR} must be a postgresql://<login>:<password>@<host>:<port>/<db> URI")
    if not parts.hostname or not parts.path.strip("/"):
        raise SetupError(f"{PG_DSN_VAR} names no host or no database")
    password = unquote(parts.password or "")
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    netloc = f"{parts.username}:{MASK}@{host}" + (f":{parts.port}" if parts.port else "")
    query = f"?{parts.query}" if parts.query else ""
    return f"postgresql+psycopg2://{netloc}{parts.path}{query}", password


def bundle_contents(sqlalchemy_uri: str) -> dict[str, str]:
    """The bundle's files (path inside the bundle -> text), the database file pointing at `sqlalchemy_uri`."""
    import yaml

    contents = {
        str(path.relative_to(BUNDLE)): path.read_text(encoding="utf-8")
        for path in sorted(BUNDLE.rglob("*.yaml"))
    }
    database = yaml.safe_load(contents[DATABASE_FILE])
    database["sqlalchemy_uri"] = sqlalchemy_uri
    contents[DATABASE_FILE] = yaml.safe_dump(database, allow_unicode=True, sort_keys=False)
    return contents


def bundle_zip(sqlalchemy_uri: str) -> bytes:
    """The bundle as Superset's import takes it: a zip whose files lie under one top folder."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in bundle_contents(sqlalchemy_uri).items():
            archive.writestr(f"growthmart_dashboard/{name}", text)
    return buffer.getvalue()


def check_read_only(dsn: str) -> str:
    """The DSN's login, after checking it holds the BI role and nothing more: no superuser, no CRM role, no
    schema it may create in. Superset never gets the publisher's or an administrator's login."""
    import psycopg2

    try:
        con = psycopg2.connect(dsn, connect_timeout=10, application_name="growthmart superset setup")
    except psycopg2.Error as exc:
        login = urlsplit(dsn).username
        raise SetupError(
            f"cannot connect to PostgreSQL as {login}: {str(exc).strip().splitlines()[0]}"
        ) from None
    try:
        with con.cursor() as cur:
            cur.execute(
                """select current_user, r.rolsuper, r.rolcreaterole,
                          case when exists (select 1 from pg_roles where rolname = %s)
                               then pg_has_role(current_user, %s, 'member') else false end,
                          case when exists (select 1 from pg_roles where rolname = %s)
                               then pg_has_role(current_user, %s, 'member') else false end,
                          (select string_agg(n.nspname, ', ' order by n.nspname) from pg_namespace n
                           where has_schema_privilege(n.oid, 'create')
                             and n.nspname not like 'pg\\_%%' and n.nspname <> 'information_schema')
                   from pg_roles r where r.rolname = current_user""",
                [BI_ROLE, BI_ROLE, CRM_ROLE, CRM_ROLE],
            )
            login, superuser, createrole, bi, crm, creates = cur.fetchone()
    finally:
        con.close()
    wrong = [
        why
        for why, bad in (
            ("is a superuser", superuser),
            ("may create roles", createrole),
            (f"is not a member of {BI_ROLE}", not bi),
            (f"is a member of {CRM_ROLE} (user-level tables)", crm),
            (
                f"may create objects in schema {creates} (REVOKE CREATE ON SCHEMA … FROM PUBLIC or from it)",
                creates,
            ),
        )
        if bad
    ]
    if wrong:
        raise SetupError(
            f"Superset must connect with a read-only {BI_ROLE} login; {login} " + ", ".join(wrong)
        )
    return login


def setup() -> None:
    """Superset from scratch (or brought up to date): metadata DB, roles and permissions, the admin login, the
    dashboard imported from the repository's bundle."""
    secret, password, dsn = (_required(v) for v in (SECRET_KEY_VAR, ADMIN_PASSWORD_VAR, PG_DSN_VAR))
    del secret  # read by superset_config.py
    uri, db_password = split_dsn(dsn)
    login = check_read_only(dsn)
    env = superset_env()
    superset = str(BI_VENV / "bin" / "superset")
    for step in (["db", "upgrade"], ["init"]):
        done = subprocess.run([superset, *step], env=env, capture_output=True, text=True)
        if done.returncode != 0:
            raise SetupError(
                f"superset {' '.join(step)} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
            )
    os.environ.update({k: env[k] for k in ("SUPERSET_CONFIG_PATH", HOME_VAR)})
    charts = _import_bundle(password, uri, db_password)
    print(
        f"superset: dashboard imported ({charts} charts) from {BUNDLE.relative_to(ROOT)}, reading as {login}"
    )


def _import_bundle(admin_password: str, uri: str, db_password: str) -> int:
    """In Superset's app context: the admin login, the bundle imported as managed assets, every dataset's columns
    read from its table. The number of charts imported."""
    from flask import g
    from superset.app import create_app

    app = create_app()
    with app.app_context():
        from superset import db, security_manager
        from superset.commands.importers.v1.assets import ImportAssetsCommand
        from superset.commands.importers.v1.utils import get_contents_from_bundle
        from superset.connectors.sqla.models import SqlaTable
        from superset.models.slice import Slice

        admin = security_manager.find_user(username=ADMIN)
        if admin is None:
            admin = security_manager.add_user(
                ADMIN,
                "growthmart",
                "admin",
                "admin@localhost",
                security_manager.find_role("Admin"),
                admin_password,
            )
            if not admin:
                raise SetupError("could not create the admin login")
        else:
            security_manager.reset_password(admin.id, admin_password)  # the environment's, at every setup
        g.user = admin
        with zipfile.ZipFile(io.BytesIO(bundle_zip(uri))) as archive:
            contents = get_contents_from_bundle(archive)
        ImportAssetsCommand(contents, passwords={DATABASE_FILE: db_password}).run()
        datasets, charts = _uuids(contents, "datasets/"), _uuids(contents, "charts/")
        for dataset in db.session.query(SqlaTable).all():
            if str(dataset.uuid) in datasets:
                dataset.fetch_metadata()  # the columns as published (raises when the table is missing)
        db.session.commit()
        return sum(1 for chart in db.session.query(Slice).all() if str(chart.uuid) in charts)


def _uuids(contents: dict[str, str], folder: str) -> set[str]:
    """The uuids of the bundle's files in `folder`."""
    import yaml

    return {str(yaml.safe_load(text)["uuid"]) for name, text in contents.items() if name.startswith(folder)}


def server_command(port: int) -> list[str]:
    """gunicorn serving Superset on 127.0.0.1:`port`, started through the child guard (dies with its starter)."""
    gunicorn = guarded(str(BI_VENV / "bin" / "gunicorn"), superset_home())
    return [
        gunicorn,
        *("--bind", f"127.0.0.1:{port}", "--workers", "1", "--worker-class", "gthread", "--threads", "8"),
        *("--timeout", "120", "--limit-request-line", "0", "--limit-request-field_size", "0"),
        "superset.app:create_app()",
    ]


def serve(port: int | None) -> int:
    port = port or free_port()
    _required(SECRET_KEY_VAR)
    env = {**superset_env(), **guard_env(ROOT)}
    print(f"superset: serving on http://127.0.0.1:{port}/ (Ctrl-C stops it)", flush=True)
    signal.signal(signal.SIGTERM, signal.default_int_handler)  # a terminate stops gunicorn gracefully too
    with subprocess.Popen(server_command(port), env=env, stdin=subprocess.DEVNULL) as server:
        try:
            return server.wait()
        except KeyboardInterrupt:
            server.terminate()
            return server.wait()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tools.superset.manage", description=__doc__.split("\n")[0]
    )
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("setup", help="metadata DB, admin login, the dashboard imported from the repository")
    run = commands.add_parser("serve", help="serve Superset on 127.0.0.1")
    run.add_argument("--port", type=int, default=None, help="default: a free port")
    args = parser.parse_args(argv)
    try:
        if args.command == "setup":
            setup()
            return 0
        return serve(args.port)
    except SetupError as exc:
        print(f"superset: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
