"""`make run-pull`: the demo pipeline pulling its data where it lives, from emulated platforms and a real PostgreSQL.

    python -m tools.run_pull [--days 200 --users 6000 --seed 42 --start 2026-05-01] [--data-dir data/pull]

1. The demo generator writes everything the company's systems hold into <data>/platforms/ (the same demo as
   `make run` for the same parameters).
2. A throwaway PostgreSQL (tools/pgserver.py, Debian's `postgresql`) gets the app schema and the demo's users and
   orders in their final state (tools/app_db_seed.py); the emulated platforms (tools/emulator) serve the ad
   platforms' reports from <data>/platforms/ on 127.0.0.1, with a token expiry and a rate limit on the way.
3. <data>/landing/ receives only the sources no connector lands (content, events, registries): the rest is pulled.
4. `orchestration.cli run` then runs the same pipeline as `make run` over the demo's days, with the connectors'
   variables set: the connector assets pull every day into landing/, the loader, dbt, checks and publication do
   the rest. It ends with the run summary, which says what each connector fetched.

The folder is the tool's own: a rerun replaces it (it carries a marker file); a folder without the marker that is
not empty is refused, so a real data directory is never wiped. Both servers stop when the run ends, and die with
this process however it dies.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import sys
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

MARKER = ".growthmart-run-pull"  # this folder was made by tools/run_pull.py and may be replaced by it
DEFAULT_DIR = Path("data") / "pull"


def pulled_sources() -> set[str]:
    """The raw sources a connector lands: every API connector's and the app database's tables."""
    from growthmart.connectors import app_db
    from growthmart.connectors.specs import SPECS

    return {s.source for s in SPECS} | {t.source for t in app_db.TABLES}


def prepare_folder(folder: Path) -> None:
    if folder.exists() and any(folder.iterdir()):
        if not (folder / MARKER).exists():
            raise SystemExit(
                f"{folder} is not empty and was not made by `make run-pull` (no {MARKER}): refusing to replace it"
            )
        shutil.rmtree(folder)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / MARKER).write_text("made by tools/run_pull.py; `make run-pull` replaces this folder\n")


def land_unpulled(platforms: Path, landing: Path, pulled: set[str]) -> list[str]:
    """Copy the demo's sources that no connector lands into the pipeline's landing folder."""
    copied = []
    for source in sorted(p.name for p in platforms.iterdir() if p.is_dir()):
        if source not in pulled:
            shutil.copytree(platforms / source, landing / source, dirs_exist_ok=True)
            copied.append(source)
    return copied


def seed_app_db(dsn: str, platforms: Path) -> dict[str, int]:
    import psycopg

    from tools.app_db_seed import create_schema, replay

    days = sorted({p.name for source in ("app_users", "app_orders") for p in (platforms / source).iterdir()})
    total = {"users": 0, "orders": 0}
    with psycopg.connect(dsn, autocommit=True) as con:
        create_schema(con)
        for day in days:
            for table, n in replay(con, platforms, day).items():
                total[table] += n
    return total


@contextlib.contextmanager
def _environment(values: dict[str, str]) -> Iterator[None]:
    """The run's variables, set for the run only: the environment is restored afterwards."""
    saved = dict(os.environ)
    os.environ.update(values)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def main(argv: list[str] | None = None) -> int:
    from tools.pgserver import PgServer, PgUnavailable

    parser = argparse.ArgumentParser(prog="python -m tools.run_pull", description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--data-dir", type=Path, default=Path(os.environ.get("GROWTHMART_PULL_DIR", DEFAULT_DIR))
    )
    parser.add_argument("--start", default="2026-05-01", help="demo: first day")
    parser.add_argument("--days", type=int, default=200, help="demo: number of days")
    parser.add_argument("--users", type=int, default=6000, help="demo: approximate signups")
    parser.add_argument("--seed", type=int, default=42, help="demo: random seed")
    parser.add_argument("--log-level", default="INFO")
    args = parser.parse_args(argv)

    try:
        pg = PgServer()
    except PgUnavailable as exc:
        print(f"make run-pull needs a PostgreSQL server for the app database: {exc}", file=sys.stderr)
        return 2

    from growthmart.connectors.app_db import DSN_VAR, describe_dsn
    from tools.demo.generator import DemoParams, generate
    from tools.emulator.server import Emulator

    data = args.data_dir.resolve()
    prepare_folder(data)
    platforms, landing = data / "platforms", data / "landing"
    params = DemoParams(
        start=date.fromisoformat(args.start), days=args.days, users=args.users, seed=args.seed
    )
    first, last = params.start.isoformat(), (params.start + timedelta(days=params.days - 1)).isoformat()
    print(f"generating the demo's platform data: {params} → {platforms}", flush=True)
    generate(platforms, params)
    pulled = pulled_sources()
    copied = land_unpulled(platforms, landing, pulled)
    print(f"landed as files (no connector): {', '.join(copied)}", flush=True)

    with contextlib.ExitStack() as stack:
        stack.enter_context(pg)
        emulator = stack.enter_context(Emulator(platforms))
        seeded = seed_app_db(pg.dsn, platforms)
        print(
            f"app database {describe_dsn(pg.dsn)}: {seeded['users']} users, {seeded['orders']} order versions",
            flush=True,
        )
        # What a night on the real platforms brings: an access token that expired, a platform asking to slow down.
        emulator.inject("ocean_engine", "token_expired")
        emulator.inject("meta", "rate_limit")
        print(
            f"emulated platforms on {emulator.url}: {', '.join(sorted(pulled - set(copied)))} are pulled",
            flush=True,
        )
        run_env = {
            "GROWTHMART_DATA_DIR": str(data),
            "DAGSTER_HOME": str(data / "dagster_home"),
            DSN_VAR: pg.dsn,
        }
        stack.enter_context(_environment(run_env | emulator.env()))
        from orchestration.cli import main as cli

        return cli(["run", "--first", first, "--last", last, "--log-level", args.log_level])


if __name__ == "__main__":
    raise SystemExit(main())
