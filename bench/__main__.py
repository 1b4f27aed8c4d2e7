"""`python -m bench --events N` (what `make bench EVENTS=N` runs): the benchmark anyone can rerun.

Generates N events of demo data into data/bench/<N>/ (reused when already generated with the same
parameters), runs the whole pipeline through Dagster and times each stage, runs the core-marts baselines
(dbt alone, one plain DuckDB SQL script, pandas) on the same data, times the nightly run of one new day at
two history lengths, and writes bench/results/latest.json and latest.md. See docs/performance.md.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bench.harness import Bench, Options


def parse(argv: list[str] | None = None) -> Options:
    p = argparse.ArgumentParser(prog="python -m bench", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)  # fmt: skip
    p.add_argument("--events", type=int, default=10_000_000, help="app events in the history (default 10M)")
    p.add_argument("--days", type=int, default=365, help="days of history for the full build (default 365)")
    p.add_argument("--seed", type=int, default=42)
    p.add_argument(
        "--data-dir", type=Path, help="default: $GROWTHMART_DATA_DIR/bench/<events> (./data/bench/<events>)"
    )
    p.add_argument("--results-dir", type=Path, default=Options.results_dir, help="default: bench/results")
    p.add_argument("--short-history", type=int, default=90,
                   help="days of history for the second nightly measurement (0: only the full history)")  # fmt: skip
    p.add_argument("--skip-nightly", action="store_true", help="no nightly runs")
    p.add_argument("--skip-pandas", action="store_true", help="no pandas baseline")
    p.add_argument("--skip-dbt-alone", action="store_true",
                   help="do not time the whole dbt build again outside Dagster (the validation-share reference)")  # fmt: skip
    p.add_argument(
        "--memory-cap-gb", type=float, default=16.0, help="the pandas baseline is stopped above this RSS"
    )
    p.add_argument("--generator", choices=["auto", "scale", "demo"], default="auto",
                   help="auto: tools.demo.scale when present, else the small demo generator")  # fmt: skip
    p.add_argument("--regenerate", action="store_true", help="generate again even if the data is there")
    p.add_argument("--keep-scratch", action="store_true", help="keep the warehouse copy the baselines ran on")
    a = p.parse_args(argv)
    if a.events < 1 or a.days < 2:
        p.error("--events must be positive and --days at least 2")
    return Options(
        events=a.events, days=a.days, seed=a.seed, data_dir=a.data_dir, results_dir=a.results_dir.resolve(),
        nightly=not a.skip_nightly, short_history=a.short_history, pandas=not a.skip_pandas, dbt_alone=not a.skip_dbt_alone,
        memory_cap_gb=a.memory_cap_gb, generator=a.generator, regenerate=a.regenerate, keep_scratch=a.keep_scratch,
    )  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    from bench import report

    opts = parse(argv)
    result = Bench(opts, log=lambda msg: print(msg, flush=True)).run()
    rep = report.build(result)
    js, md = report.write(rep, opts.results_dir)
    print()
    print(md.read_text())
    print(f"wrote {js} and {md}")
    total = next((e for e in rep["stages"] if e["name"] == "total"), {})
    return 0 if total.get("status") == "SUCCESS" else 1


if __name__ == "__main__":
    sys.exit(main())
