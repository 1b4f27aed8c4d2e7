"""`generate_scaled`: the demo source at benchmark size (e.g. 100M events, 2M users, 365 days), streamed.

Users (app_events, app_users, app_orders) are simulated one Beijing day at a time (`days.py`) and each day's
files are written as Parquet as soon as the day is final, by a background writer thread, so memory is bounded
by the number of users, not events. The small sources (ad platforms, content, campaigns, costs, FX) are the
small generator's own builders fed with the scaled world and written in their native CSV/JSON formats.

Layout (the same as the small generator; every file name starts with `demo_`):
    <landing>/app_events/<YYYY-MM-DD>/demo_app_events_<YYYY-MM-DD>.parquet
    <landing>/app_users/<YYYY-MM-DD>/demo_app_users_<YYYY-MM-DD>.parquet
    <landing>/app_orders/<YYYY-MM-DD>/demo_app_orders_<YYYY-MM-DD>.parquet
    <landing>/<ads|content|reference source>/<YYYY-MM-DD>/demo_*.csv|json
Re-running first removes this generator's (and the small generator's) `demo_*` files for the days it writes.
"""

from __future__ import annotations

import datetime as dt
import os
import queue
import resource
import threading
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from growthmart.contracts import get_contract
from tools.demo.ads import claimed_conversions
from tools.demo.competitors import simulate_competitors
from tools.demo.content import daily_stats
from tools.demo.costs import non_ad_costs, set_budgets
from tools.demo.exports import BUILDERS
from tools.demo.generator import DemoParams, World
from tools.demo.google_ads import add_google_ads
from tools.demo.mentions import simulate_mentions
from tools.demo.scale.days import Simulation
from tools.demo.scale.plan import Plan, build_plan
from tools.demo.writers import clear_demo_files, render, write_file
from tools.demo.xiaohongshu import simulate_xiaohongshu

PARQUET_SOURCES = ("app_events", "app_users", "app_orders")
SMALL_SOURCES = tuple(name for name in BUILDERS if name not in PARQUET_SOURCES)
STREAM_SMALL_SOURCES = 3
DEFAULT_START = DemoParams().start
ROW_GROUP_SIZE = 122_880  # DuckDB's own row group size: a day's file is read by several threads


def peak_rss_mb() -> float:
    """Peak resident set size of this process so far (Linux reports ru_maxrss in KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class ParquetSink:
    """Writes tables on a background thread (Arrow's writer releases the GIL, so it overlaps with the
    simulation); at most `depth` days wait in the queue. Files appear atomically (hidden temp name, then
    rename), so a landing watcher never sees half a file."""

    def __init__(self, depth: int = 3, compression: str = "zstd", row_group_size: int = ROW_GROUP_SIZE):
        self.compression, self.row_group_size = compression, row_group_size
        self.queue: queue.Queue = queue.Queue(maxsize=depth)
        self.error: BaseException | None = None
        self.rows: Counter = Counter()
        self.files: Counter = Counter()
        self.bytes: Counter = Counter()
        self.thread = threading.Thread(target=self._run, name="parquet-sink", daemon=True)
        self.thread.start()

    def put(self, source: str, path: Path, table: pa.Table) -> None:
        if self.error is not None:
            raise RuntimeError("writing a Parquet file failed") from self.error
        self.queue.put((source, path, table))

    def _run(self) -> None:
        while (item := self.queue.get()) is not None:
            source, path, table = item
            if self.error is not None:
                continue
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                tmp = path.with_name(f".{path.name}.tmp")
                pq.write_table(table, tmp, compression=self.compression, row_group_size=self.row_group_size)
                os.replace(tmp, path)
                self.rows[source] += table.num_rows
                self.files[source] += 1
                self.bytes[source] += path.stat().st_size
            except BaseException as exc:  # noqa: BLE001 - re-raised in the caller's thread
                self.error = exc

    def close(self) -> None:
        self.queue.put(None)
        self.thread.join()
        if self.error is not None:
            raise RuntimeError("writing a Parquet file failed") from self.error


def _small_world(plan: Plan, sim: Simulation) -> World:
    """The small generator's World, with the scaled users' orders, referrals and member visits in it."""
    rng = np.random.default_rng([plan.seed, STREAM_SMALL_SOURCES])
    cal, stats = plan.cal, plan.ad_stats
    content_rows = daily_stats(rng, plan.items, plan.content_clicks, plan.content_exp_clicks, cal.days)
    conv_count, conv_value = claimed_conversions(
        rng, plan.ads, plan.active, sim.claim_count, sim.claim_value, stats["clicks"]
    )
    link_clicks = np.maximum(rng.binomial(stats["clicks"], 0.85), stats["visits"])
    scale = plan.users / cal.days / 30  # costs scale with the size of the business
    cost_rows = non_ad_costs(
        rng, cal, plan.campaigns, plan.posts, plan.items, scale, sim.referrals, sim.member_visits, sim.coupons
    )
    spend: Counter = Counter()
    for i, a in enumerate(plan.ads):
        spend[a.campaign] += float(stats["spend"][i].sum())
    set_budgets(rng, cal, plan.campaigns, spend, cost_rows, float(plan.fx["USD"].mean()))
    # Xiaohongshu 聚光 from its own stream, after everything else (as in the small generator).
    xiaohongshu = simulate_xiaohongshu(plan.seed, cal, plan.campaigns, scale, float(plan.fx["USD"].mean()))
    google = add_google_ads(plan.seed, cal, plan.campaigns, plan.users)  # and Google Ads after it (likewise)
    return World(
        cal=cal,
        campaigns=plan.campaigns,
        posts=plan.posts,
        ads=plan.ads,
        active=plan.active,
        platform_ads=plan.platform_ads,
        items=plan.items,
        fx=plan.fx,
        traffic=None,
        ad_stats=stats,
        content_stats=content_rows,
        people={},
        conv_count=conv_count,
        conv_value=conv_value,
        meta_link_clicks=link_clicks,
        cost_rows=cost_rows,
        xiaohongshu=xiaohongshu,
        google=google,
        mentions=simulate_mentions(
            plan.seed, cal
        ),  # brand and competitor watch: the same as the small demo's
        competitors=simulate_competitors(plan.seed, cal),
    )


def _write_small_sources(landing_dir: Path, world: World) -> tuple[Counter, Counter, Counter]:
    rows, files, size = Counter(), Counter(), Counter()
    for name in SMALL_SOURCES:
        header = get_contract(name).column_names
        for d, file_name, fmt, payload in BUILDERS[name](world):
            data, n = render(header, fmt, payload)
            if n == 0:  # no export for an empty day: empty files would be byte-identical across days
                continue
            write_file(landing_dir / name / world.cal.date_strs[d] / file_name, data)
            rows[name] += n
            files[name] += 1
            size[name] += len(data)
    return rows, files, size


def generate_scaled(
    landing_dir: Path | str,
    events: int,
    days: int = 365,
    seed: int = 42,
    start: dt.date = DEFAULT_START,
    progress: Callable[[str], None] | None = None,
) -> dict:
    """Write about `events` tracker events (users ≈ events / 50) over `days` Beijing days from `start`.

    Returns a summary: {"rows": {source: rows}, "files": {source: n}, "bytes": {source: n}, "users",
    "events_requested", "seconds", "peak_rss_mb", "activity_level", "parquet_sources", ...}. Same seed and
    parameters → same rows (and in practice the same bytes).
    """
    began = time.perf_counter()
    landing_dir = Path(landing_dir)
    say = progress or (lambda _msg: None)
    plan = build_plan(events, days, seed, start)
    cal = plan.cal
    for name in BUILDERS:
        clear_demo_files(landing_dir, name, cal.date_strs)
    say(
        f"plan: {events:,} events requested, ~{plan.users:,} users, {int(plan.counts.sum()):,} prospect visits, "
        f"{days} days from {cal.start} (activity level {plan.activity_level:.3f})"
    )
    sim = Simulation(plan)
    sink = ParquetSink()
    month_events = 0
    try:
        for d in range(cal.days):
            sim.run_day(d)
            date = cal.date_strs[d]
            for source, table in sim.flush(d).items():
                month_events += table.num_rows if source == "app_events" else 0
                sink.put(source, landing_dir / source / date / f"demo_{source}_{date}.parquet", table)
            if d == cal.days - 1 or cal.dates[d + 1].month != cal.dates[d].month:
                say(
                    f"{date[:7]}: {month_events:>12,} events, {sim.users.n:>10,} users so far, "
                    f"{time.perf_counter() - began:7.1f}s, peak RSS {peak_rss_mb():,.0f} MB"
                )
                month_events = 0
    finally:
        sink.close()
    world = _small_world(plan, sim)
    rows, files, size = _write_small_sources(landing_dir, world)
    rows.update(sink.rows)
    files.update(sink.files)
    size.update(sink.bytes)
    order = list(BUILDERS)
    return {
        "landing_dir": str(landing_dir),
        "start": cal.start.isoformat(),
        "days": days,
        "seed": seed,
        "events_requested": events,
        "users": sim.users.n,
        "prospects": sim.prospects,
        "activity_level": plan.activity_level,
        "parquet_sources": list(PARQUET_SOURCES),
        "rows": {k: rows[k] for k in order},
        "files": {k: files[k] for k in order},
        "bytes": {k: size[k] for k in order},
        "seconds": round(time.perf_counter() - began, 2),
        "peak_rss_mb": round(peak_rss_mb(), 1),
    }
