"""python -m growthmart.report [--date YYYY-MM-DD] [--period daily|weekly|monthly] [--lang zh|en]

Builds report pages from the current publication without running the pipeline (`make report DATE=...`)."""

from __future__ import annotations

import argparse
import sys
from datetime import date

from growthmart.config import settings
from growthmart.report import build_reports, index_path
from growthmart.report.data import PERIODS


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m growthmart.report", description=__doc__.splitlines()[0])
    parser.add_argument("--date", type=date.fromisoformat, help="the day (default: every period)")
    parser.add_argument("--period", choices=PERIODS, help="only this period (default: all three)")
    parser.add_argument(
        "--lang", choices=("zh", "en"), help="labels (default: $GROWTHMART_REPORT_LANG or zh)"
    )
    args = parser.parse_args(argv)
    published_dir = settings().published_dir
    try:
        written = build_reports(published_dir, period=args.period, day=args.date, lang=args.lang)
    except FileNotFoundError as err:
        print(err, file=sys.stderr)
        return 2
    pages = [p for p in written if p.name != "index.html"]
    for page in pages:
        print(f"  {page}")
    if args.date and not pages:
        print(f"no published period contains {args.date}", file=sys.stderr)
        return 1
    print(f"{len(pages)} report pages written; index: {index_path(published_dir)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
