"""Serve a demo landing folder through the emulated platforms' APIs until Ctrl-C.

    .venv/bin/python -m tools.emulator --landing data/landing --port 8765
    .venv/bin/python -m tools.emulator --inject ocean_engine:token_expired --inject baidu:partial:2 --restate meta:2026-06-03

prints the connector variables to export so that a pipeline run pulls from it.
"""

from __future__ import annotations

import argparse
import shlex
import time

from tools.emulator.server import Emulator


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--landing", default="data/landing", help="the demo's file export (tools.demo)")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--page-size-cap", type=int, default=1000)
    parser.add_argument(
        "--inject",
        action="append",
        default=[],
        metavar="PLATFORM:KIND[:TIMES]",
        help="a fault (emulator/server.py)",
    )
    parser.add_argument(
        "--restate", action="append", default=[], metavar="PLATFORM:DAY", help="restate a day"
    )
    args = parser.parse_args(argv)
    emulator = Emulator(args.landing, page_size_cap=args.page_size_cap)
    for fault in args.inject:
        platform, kind, *times = fault.split(":")
        emulator.inject(platform, kind, times=int(times[0]) if times else 1)
    for restated in args.restate:
        platform, day = restated.split(":", 1)
        emulator.restate(platform, day)
    emulator.start(args.port)
    print(f"emulated platforms on {emulator.url}; export these to pull from them:")
    for name, value in emulator.env().items():
        print(f"export {name}={shlex.quote(value)}", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        emulator.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
