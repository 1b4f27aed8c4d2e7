"""Write the demo landing files.

python -m tools.demo --landing-dir data/landing --start 2026-05-01 --days 200 --users 6000 --seed 42
"""

from __future__ import annotations

import argparse
import datetime as dt
import time
from pathlib import Path

from tools.demo.generator import DemoParams, generate


def main(argv: list[str] | None = None) -> int:
    defaults = DemoParams()
    parser = argparse.ArgumentParser(
        prog="python -m tools.demo",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--landing-dir", type=Path, default=Path("data/landing"))
    parser.add_argument(
        "--start", type=dt.date.fromisoformat, default=defaults.start, help="first day, YYYY-MM-DD"
    )
    parser.add_argument("--days", type=int, default=defaults.days)
    parser.add_argument("--users", type=int, default=defaults.users, help="approximate number of signups")
    parser.add_argument("--seed", type=int, default=defaults.seed)
    args = parser.parse_args(argv)
    params = DemoParams(start=args.start, days=args.days, users=args.users, seed=args.seed)
    began = time.perf_counter()
    summary = generate(args.landing_dir, params)
    elapsed = time.perf_counter() - began
    end = params.start + dt.timedelta(days=params.days - 1)
    print(f"demo data {params.start}..{end} (seed {params.seed}) → {args.landing_dir}")
    for name, rows in summary.items():
        print(f"  {name:<28} {rows:>9,} rows")
    print(f"  {'total':<28} {sum(summary.values()):>9,} rows in {elapsed:.1f}s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
