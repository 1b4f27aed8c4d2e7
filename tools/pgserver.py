"""A throwaway PostgreSQL server on 127.0.0.1 for tests and `make run-pull`: the app database the connector pulls.

    with PgServer() as pg:            # initdb into a temporary folder, start `postgres` on a free port
        pg.dsn                        # postgresql://growthmart:<password>@127.0.0.1:<port>/app
    # stopped (fast shutdown) and its folder removed

    python -m tools.pgserver [--env-file F]   # the same from a shell: hands over the DSN, runs until Ctrl-C / SIGTERM

The server is Debian's PostgreSQL (`apt-get install postgresql`: /usr/lib/postgresql/<version>/bin), or the
folder named by GROWTHMART_PG_BIN. `postgres` runs in the foreground as this process's child, never through
`pg_ctl` (which would detach it), and through growthmart/child_guard.py's guard, so it is SIGKILLed when the
process that started it dies, however it dies: no server outlives its test session. Its own backends exit when it
does (PostgreSQL watches its postmaster). As root, initdb and postgres run as the `postgres` user (PostgreSQL
refuses root), on a data folder that user owns.

The password is random, for TCP (scram-sha-256) connections; it reaches initdb through a 0600 file deleted at
once, never a command line or a log.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from growthmart.child_guard import guard_env, guard_script

PG_BIN_VAR = "GROWTHMART_PG_BIN"
INSTALL_HINT = (
    "PostgreSQL server binaries (initdb, postgres) not found: install Debian's package `postgresql` "
    f"(apt-get install postgresql) or set {PG_BIN_VAR} to the folder holding them"
)
SERVER_USER = "postgres"  # the account initdb and postgres run as when this process is root
DB_USER = "growthmart"
DB_NAME = "app"
START_TIMEOUT_S = 60.0
STOP_TIMEOUT_S = 30.0


class PgUnavailable(RuntimeError):
    """No PostgreSQL server binaries here: the message says how to install them."""


def find_bin_dir(debian_root: Path = Path("/usr/lib/postgresql")) -> Path:
    """The folder with initdb and postgres: GROWTHMART_PG_BIN, else the newest Debian version, else PATH."""
    candidates: list[Path] = []
    if os.environ.get(PG_BIN_VAR):
        candidates.append(Path(os.environ[PG_BIN_VAR]))
    versions = sorted(
        debian_root.glob("*/bin"),
        key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0,
        reverse=True,
    )
    candidates += versions
    on_path = shutil.which("postgres")
    if on_path:
        candidates.append(Path(on_path).parent)
    for folder in candidates:
        if all(os.access(folder / tool, os.X_OK) for tool in ("initdb", "postgres")):
            return folder
    raise PgUnavailable(INSTALL_HINT)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _world_executable(path: str) -> bool:
    """Whether another user can run `path`: every folder on the way is traversable, the file executable."""
    real = Path(os.path.realpath(path))
    return all(os.stat(p).st_mode & 0o001 for p in [*real.parents, real])


PREFIX = "growthmart-pg-"


def remove_stale(folder: Path) -> list[Path]:
    """Remove the clusters a killed starter left in `folder` (its postgres died with it, the files stayed): those
    whose postmaster.pid names no live process, or that never got one and are older than an hour."""
    removed = []
    for base in folder.glob(f"{PREFIX}*"):
        pidfile = base / "data" / "postmaster.pid"
        try:
            pid = int(pidfile.read_text().split()[0])
        except (OSError, ValueError, IndexError):
            pid = None
        if pid is None:
            try:
                stale = (
                    time.time() - base.stat().st_mtime > 3600
                )  # may still be starting: initdb takes seconds
            except OSError:
                continue
        else:
            stale = not Path(f"/proc/{pid}").exists()
        if stale:
            shutil.rmtree(base, ignore_errors=True)
            removed.append(base)
    return removed


class PgServer:
    """One throwaway PostgreSQL cluster; a context manager (start on enter, stop and remove on exit)."""

    def __init__(self, bin_dir: Path | None = None, base_dir: Path | None = None) -> None:
        self.bin_dir = bin_dir or find_bin_dir()
        self._base_parent = base_dir
        self.base: Path | None = None
        self.port: int | None = None
        self.password = secrets.token_urlsafe(24)
        self.process: subprocess.Popen | None = None
        self._as_user = SERVER_USER if os.geteuid() == 0 else None

    # ------------------------------------------------------------------ paths
    @property
    def data_dir(self) -> Path:
        assert self.base is not None
        return self.base / "data"

    @property
    def log_path(self) -> Path:
        assert self.base is not None
        return self.base / "postgres.log"

    @property
    def dsn(self) -> str:
        """libpq URI of the app database, with the password: give it only to the environment variable."""
        return f"postgresql://{DB_USER}:{self.password}@127.0.0.1:{self.port}/{DB_NAME}"

    # ------------------------------------------------------------------ life cycle
    def __enter__(self) -> PgServer:
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def start(self) -> None:
        remove_stale(Path(self._base_parent or tempfile.gettempdir()))
        self.base = Path(tempfile.mkdtemp(prefix=PREFIX, dir=self._base_parent))
        try:
            (self.base / "sock").mkdir()
            self._chown(self.base, self.base / "sock")
            self._initdb()
            for _attempt in range(3):  # a free port can be taken between the probe and the bind
                self.port = free_port()
                if self._launch():
                    break
            else:
                raise RuntimeError(f"PostgreSQL did not start; its log:\n{self._log_tail()}")
            self._create_database()
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        """Fast shutdown (SIGINT: running sessions are ended, the cluster is left consistent), then the folder."""
        proc, self.process = self.process, None
        if proc is not None and proc.poll() is None:
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        if self.base is not None:
            shutil.rmtree(self.base, ignore_errors=True)
            self.base = None

    # ------------------------------------------------------------------ helpers
    def _chown(self, *paths: Path) -> None:
        if self._as_user:
            user = pwd.getpwnam(self._as_user)
            for p in paths:
                os.chown(p, user.pw_uid, user.pw_gid)

    def _guard(self, program: str) -> str:
        """A guard script for `program` in the cluster's folder, runnable by the server's user."""
        python = sys.executable
        if self._as_user and not _world_executable(python):
            python = shutil.which("python3", path="/usr/bin:/bin") or python
        path = self.base / f".{Path(program).name}-guard"
        path.write_text(guard_script(program, python=python))
        path.chmod(0o755)
        return str(path)

    def _popen_kwargs(self) -> dict:
        kwargs: dict = {"env": {**os.environ, **guard_env(self.base)}, "stdin": subprocess.DEVNULL}
        if self._as_user:
            user = pwd.getpwnam(self._as_user)
            kwargs |= {"user": user.pw_uid, "group": user.pw_gid, "extra_groups": []}
        return kwargs

    def _initdb(self) -> None:
        pwfile = self.base / ".pw"
        fd = os.open(pwfile, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(self.password + "\n")
        self._chown(pwfile)
        try:
            cmd = [
                self._guard(str(self.bin_dir / "initdb")),
                *("-D", str(self.data_dir), "-U", DB_USER, f"--pwfile={pwfile}"),
                *("--auth-local=trust", "--auth-host=scram-sha-256", "-E", "UTF8", "--locale=C.UTF-8"),
                "--no-sync",
            ]
            done = subprocess.run(cmd, capture_output=True, text=True, **self._popen_kwargs())
        finally:
            pwfile.unlink(missing_ok=True)
        if done.returncode != 0:
            raise RuntimeError(f"initdb failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")

    def _launch(self) -> bool:
        """Start postgres on self.port; True once it accepts connections, False if the port was taken."""
        log = open(self.log_path, "ab")  # noqa: SIM115 - the child holds it open; ours is closed below
        self._chown(self.log_path)
        cmd = [
            self._guard(str(self.bin_dir / "postgres")),
            *("-D", str(self.data_dir), "-p", str(self.port), "-h", "127.0.0.1"),
            *("-k", str(self.base / "sock")),
            # Throwaway data: no durability, small memory (tests share 2 cores with the pipeline).
            *("-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"),
            *("-c", "shared_buffers=32MB", "-c", "max_connections=30"),
        ]
        try:
            self.process = subprocess.Popen(cmd, stdout=log, stderr=log, **self._popen_kwargs())
        finally:
            log.close()
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                taken = "could not bind" in self._log_tail() or "in use" in self._log_tail()
                self.process = None
                if taken:
                    return False
                raise RuntimeError(f"PostgreSQL exited at start; its log:\n{self._log_tail()}")
            if self._accepts_connections():
                return True
            time.sleep(0.1)
        raise RuntimeError(
            f"PostgreSQL not ready after {START_TIMEOUT_S:.0f} s; its log:\n{self._log_tail()}"
        )

    def _accepts_connections(self) -> bool:
        import psycopg

        try:
            with psycopg.connect(self._admin_dsn(), connect_timeout=2):
                return True
        except psycopg.OperationalError:
            return False

    def _admin_dsn(self, dbname: str = "postgres") -> str:
        return f"postgresql://{DB_USER}:{self.password}@127.0.0.1:{self.port}/{dbname}"

    def _create_database(self) -> None:
        import psycopg

        with psycopg.connect(self._admin_dsn(), autocommit=True) as con:
            con.execute(f"create database {DB_NAME}")

    def _log_tail(self, lines: int = 30) -> str:
        with contextlib.suppress(OSError):
            text = self.log_path.read_text(errors="replace").replace(self.password, "***")
            return "\n".join(text.splitlines()[-lines:])
        return "(no log)"


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt(signal.Signals(signum).name)


def main(argv: list[str] | None = None) -> int:
    """Start a server, hand over its DSN, serve until Ctrl-C or SIGTERM, then stop it and remove its data.

    With --env-file PATH the DSN goes only into that file (mode 0600, `GROWTHMART_APP_DB_DSN=...`, for a Makefile
    or `set -a; . PATH`), and the terminal sees it without its password; without it an `export` line is printed."""
    import argparse

    from growthmart.connectors.app_db import DSN_VAR, describe_dsn

    parser = argparse.ArgumentParser(prog="python -m tools.pgserver", description=main.__doc__)
    parser.add_argument("--env-file", type=Path, help="write the DSN here (0600) instead of printing it")
    args = parser.parse_args(argv)
    try:
        server = PgServer()
    except PgUnavailable as exc:
        print(exc, file=sys.stderr)
        return 2
    signal.signal(signal.SIGTERM, _interrupt)
    with server:
        if args.env_file:
            fd = os.open(args.env_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w") as f:
                f.write(f"{DSN_VAR}={server.dsn}\n")
            print(f"PostgreSQL {describe_dsn(server.dsn)}; {DSN_VAR} written to {args.env_file}", flush=True)
        else:
            print(f"export {DSN_VAR}='{server.dsn}'", flush=True)
        print("PostgreSQL running; Ctrl-C stops it and removes its data.", file=sys.stderr, flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            while server.process is not None and server.process.poll() is None:
                time.sleep(1)
        if args.env_file:
            args.env_file.unlink(missing_ok=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
