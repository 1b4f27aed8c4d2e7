"""Per-step wall times of the latest Dagster run in a DAGSTER_HOME, from its event log.

Steps are grouped into the pipeline's stages by step key: `raw__<source>` (one per landing contract) is
ingest, `growthmart_dbt` the dbt build, `published__growthmart_bi` the publication, the other `published__*`
steps (HTML reports, Data Docs) the reports, and every other step (raw and report asset checks) is a check. The in-process executor runs steps one after another, so a
stage's wall time is the sum of its steps' STEP_START → STEP_SUCCESS/FAILURE spans.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

STAGES = ("ingest", "dbt build", "checks", "publish", "reports")
DBT_STEP = "growthmart_dbt"
PUBLISH_STEP = "published__growthmart_bi"


def stage_of(step_key: str, raw_sources: set[str]) -> str:
    if step_key.startswith("raw__") and step_key.removeprefix("raw__") in raw_sources:
        return "ingest"
    if step_key == DBT_STEP or step_key.startswith(DBT_STEP + "["):
        return "dbt build"
    if step_key == PUBLISH_STEP:
        return "publish"
    if step_key.startswith("published__"):  # the HTML reports and Data Docs built from the publication
        return "reports"
    return "checks"


@dataclass
class RunLog:
    run_id: str
    status: str
    first_event_at: float  # epoch s: the first event the run wrote (run planning starts)
    run_started_at: float | None  # RUN_START
    run_ended_at: float | None  # RUN_SUCCESS / RUN_FAILURE
    steps: dict[str, tuple[float, float]]  # step key -> (start, end) epoch s
    failed_steps: list[str] = field(default_factory=list)
    skipped_steps: list[str] = field(default_factory=list)
    event_counts: dict[str, int] = field(default_factory=dict)
    step_event_counts: dict[str, int] = field(default_factory=dict)  # events each step wrote

    def stage_windows(self, raw_sources: set[str]) -> dict[str, list[tuple[float, float]]]:
        windows: dict[str, list[tuple[float, float]]] = {s: [] for s in STAGES}
        for key, span in sorted(self.steps.items(), key=lambda kv: kv[1]):
            windows[stage_of(key, raw_sources)].append(span)
        return windows

    def stage_walls(self, raw_sources: set[str]) -> dict[str, float]:
        return {s: sum(end - start for start, end in w) for s, w in self.stage_windows(raw_sources).items()}

    def stage_events(self, raw_sources: set[str]) -> dict[str, int]:
        out = dict.fromkeys(STAGES, 0)
        for key, n in self.step_event_counts.items():
            out[stage_of(key, raw_sources)] += n
        return out

    @property
    def planned_events(self) -> int:
        return self.event_counts.get("ASSET_MATERIALIZATION_PLANNED", 0) + self.event_counts.get(
            "ASSET_CHECK_EVALUATION_PLANNED", 0
        )

    @property
    def seconds_per_event(self) -> float | None:
        """Cost of writing one event to the run's event log, from the planning phase (nothing else runs)."""
        return self.planning_s / self.planned_events if self.planned_events > 100 else None

    @property
    def planning_s(self) -> float:
        """From the run's first event (planning every asset partition) to RUN_START."""
        return (self.run_started_at or self.first_event_at) - self.first_event_at


def read_latest_run(dagster_home: Path) -> RunLog:
    import dagster as dg

    E = dg.DagsterEventType
    with dg.DagsterInstance.from_config(str(dagster_home)) as instance:
        runs = instance.get_runs(limit=1)
        if not runs:
            raise RuntimeError(f"no Dagster run in {dagster_home}")
        run = runs[0]
        records = instance.all_logs(run.run_id)
    starts: dict[str, float] = {}
    ends: dict[str, float] = {}
    failed, skipped = [], []
    counts: Counter = Counter()
    per_step: Counter = Counter()
    run_start = run_end = None
    for rec in records:
        kind = rec.dagster_event_type
        counts[kind.value if kind else "log"] += 1
        if rec.step_key and kind not in (E.ASSET_MATERIALIZATION_PLANNED, E.ASSET_CHECK_EVALUATION_PLANNED):
            per_step[rec.step_key] += 1
        if kind == E.STEP_START:
            starts.setdefault(rec.step_key, rec.timestamp)
        elif kind in (E.STEP_SUCCESS, E.STEP_FAILURE):
            ends[rec.step_key] = rec.timestamp
            if kind == E.STEP_FAILURE:
                failed.append(rec.step_key)
        elif kind == E.STEP_SKIPPED:
            skipped.append(rec.step_key)
        elif kind == E.RUN_START:
            run_start = rec.timestamp
        elif kind in (E.RUN_SUCCESS, E.RUN_FAILURE):
            run_end = rec.timestamp
    steps = {k: (s, ends.get(k, s)) for k, s in starts.items()}
    return RunLog(
        run_id=run.run_id,
        status=run.status.value,
        first_event_at=records[0].timestamp if records else 0.0,
        run_started_at=run_start,
        run_ended_at=run_end,
        steps=steps,
        failed_steps=failed,
        skipped_steps=skipped,
        event_counts=dict(counts),
        step_event_counts=dict(per_step),
    )
