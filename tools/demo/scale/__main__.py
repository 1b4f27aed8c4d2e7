"""Write the demo landing files at benchmark size, streamed day by day (app events/users/orders as Parquet).

python -m tools.demo.scale --landing-dir data/landing --events 100000000 --days 365 --seed 42
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
from pathlib import Path

from tools.demo.scale.generator import DEFAULT_START, generate_scaled


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tools.demo.scale",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--landing-dir", type=Path, default=Path("data/landing"))
    parser.add_argument("--events", type=int, default=10_000_000, help="approximate number of app events")
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument(
        "--start", type=dt.date.fromisoformat, default=DEFAULT_START, help="first day, YYYY-MM-DD"
    )
    parser.add_argument("--json", action="store_true", help="print the summary as one JSON object only")
    args = parser.parse_args(argv)
    summary = generate_scaled(
        args.landing_dir,
        events=args.events,
        days=args.days,
        seed=args.seed,
        start=args.start,
        progress=None if args.json else lambda msg: print(msg, flush=True),
    )
    if args.json:
        print(json.dumps(summary))
        return 0
    end = dt.date.fromisoformat(summary["start"]) + dt.timedelta(days=args.days - 1)
    print(f"scaled demo data {summary['start']}..{end} (seed {args.seed}) → {args.landing_dir}")
    print(f"  {'source':<28} {'rows':>13} {'files':>6} {'MB':>9}")
    for name, rows in summary["rows"].items():
        fmt = "parquet" if name in summary["parquet_sources"] else "csv/json"
        mb = summary["bytes"][name] / 1e6
        print(f"  {name:<28} {rows:>13,} {summary['files'][name]:>6} {mb:>9.1f}  {fmt}")
    total_mb = sum(summary["bytes"].values()) / 1e6
    print(
        f"  {'total':<28} {sum(summary['rows'].values()):>13,} {sum(summary['files'].values()):>6} "
        f"{total_mb:>9.1f}"
    )
    print(
        f"  {summary['users']:,} users; {summary['seconds']:.1f}s; peak RSS {summary['peak_rss_mb']:,.0f} MB"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
