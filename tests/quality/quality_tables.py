"""Builders of hand-made raw and report tables in a real DuckDB file, for the data-quality checks.

Tables are created here from the raw schema the ingestion contract states (not through the loader or
dbt), so each test controls exactly which rows are bad.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

import duckdb

from growthmart.contracts import SourceContract, get_contract
from growthmart.quality.suites import ACCEPTED_VALUES, RAW_DUCKDB_TYPES

MANIFEST = Path(__file__).resolve().parents[2] / "dbt_project" / "target" / "manifest.json"

LOAD_LOG_DDL = """create table if not exists raw.load_log (
    source varchar, partition_date date, source_file varchar, file_sha256 varchar, rows_landed bigint,
    rows_loaded bigint, rows_quarantined bigint, loaded_at timestamp, run_id varchar)"""
LINEAGE_DDL = "_source_file varchar, _row_number bigint, _partition_date date, _loaded_at timestamp"


def q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def create_raw_table(con: duckdb.DuckDBPyConnection, contract: SourceContract, **type_overrides: str) -> None:
    cols = ", ".join(
        f"{q(c.name)} {type_overrides.get(c.name, RAW_DUCKDB_TYPES[c.type])}" for c in contract.columns
    )
    con.execute("create schema if not exists raw")
    con.execute(f"create table if not exists raw.{q(contract.name)} ({cols}, {LINEAGE_DDL})")
    con.execute(LOAD_LOG_DDL)


def clean_value(contract: SourceContract, column: str, i: int, day: date) -> Any:
    """A value that satisfies the raw suite; row `i` of partition `day`."""
    col = contract.column(column)
    if (contract.name, column) in ACCEPTED_VALUES:
        return ACCEPTED_VALUES[(contract.name, column)][0]
    if "currency" in column:  # distinct per row: fx_rates is keyed by (rate_date, currency)
        return ("CNY", "USD", "HKD")[i % 3]
    return {
        "string": f"{column}-{day:%Y%m%d}-{i}",
        "int": 100 + i,  # clicks = impressions: equal passes clicks <= impressions
        "decimal": 12.5,
        "double": 0.5,  # a valid completion rate, fx rate and percent
        "date": day,
        "timestamp": datetime(day.year, day.month, day.day, 3, 0),
        "json": '[{"action_type": "offsite_conversion.fb_pixel_purchase", "value": "1"}]',
    }[col.type]


def load_partition(
    con: duckdb.DuckDBPyConnection,
    contract: SourceContract,
    day: date,
    rows: int = 3,
    run_id: str = "earlier-run",
    changes: dict[int, dict[str, Any]] | None = None,
) -> None:
    """Write `rows` clean rows for `day` (with per-row `changes`) and the load_log line, as the loader does."""
    create_raw_table(con, contract)
    names = contract.column_names
    values = []
    for i in range(rows):
        row = {c: clean_value(contract, c, i, day) for c in names} | (changes or {}).get(i, {})
        values.append(
            [row[c] for c in names] + [f"{contract.name}/{day}/file.csv", i + 1, day, datetime(2026, 1, 1)]
        )
    con.execute(f"delete from raw.{q(contract.name)} where _partition_date = ?", [day])
    marks = ", ".join("?" * (len(names) + 4))
    if values:
        con.executemany(f"insert into raw.{q(contract.name)} values ({marks})", values)
    con.execute("delete from raw.load_log where source = ? and partition_date = ?", [contract.name, day])
    con.execute(
        "insert into raw.load_log values (?, ?, 'file.csv', 'sha', ?, ?, 0, current_localtimestamp(), ?)",
        [contract.name, day, rows, rows, run_id],
    )


# ---------------------------------------------------------------- reports

REPORT_TYPES = {
    "cohort_date": "date", "cohort_week": "date", "report_date": "date", "week_start": "date",
    "month_start": "date", "acquisition_month": "date", "channel": "varchar", "platform": "varchar",
    "campaign_id": "varchar", "step_name": "varchar", "is_complete": "boolean",
    "attribution_month": "date", "attribution_model": "varchar", "is_complete_month": "boolean",
    # user lifecycle and segments
    "state": "varchar", "user_id": "varchar", "lifecycle_state": "varchar", "value_tier": "varchar",
    "tier_label_zh": "varchar", "rfm_cell": "varchar", "suggested_action_zh": "varchar",
    "suggested_action_en": "varchar", "signup_date": "date", "last_active_date": "date",
    "measure_date": "date",
}  # fmt: skip
COUNT_COLUMNS = {"day_n", "step_order", "payback_days"}
COUNT_COLUMNS |= {"r_score", "f_score", "m_score", "recency_days"}  # user segments
REPORT_TYPES |= {
    "experiment_id": "varchar", "variant_id": "varchar", "is_control": "boolean", "is_significant": "boolean",
    "is_sample_too_small": "boolean",
}  # fmt: skip
REPORT_TYPES |= {
    "activity_id": "varchar", "phase": "varchar", "activity_name": "varchar", "activity_type": "varchar",
    "phase_start": "date", "phase_end": "date", "baseline_complete": "boolean",
}  # fmt: skip


@cache
def published_columns(report: str) -> dict[str, str]:
    """The report's published columns and their types: its dbt model contract (the compiled manifest)."""
    nodes = json.loads(MANIFEST.read_text(encoding="utf-8"))["nodes"]
    (model,) = [n for n in nodes.values() if n["resource_type"] == "model" and n["name"] == report]
    return {name: c["data_type"] for name, c in model["columns"].items()}


def _kind(report: str, col: str) -> str | None:
    if col in REPORT_TYPES:
        return REPORT_TYPES[col]
    data_type = published_columns(report).get(col, "").lower()
    if data_type.startswith(("varchar", "text")):
        return "varchar"
    if data_type in ("date", "boolean", "timestamp"):
        return data_type
    return None


def clean_report_row(report: str) -> dict[str, Any]:
    """One clean row of every published column: rates 0.5, counts 1, money 100."""
    row: dict[str, Any] = {}
    for col in published_columns(report):
        kind = _kind(report, col)
        if kind == "date":
            row[col] = date(2026, 1, 5)
        elif kind == "boolean":
            row[col] = True
        elif kind == "timestamp":
            row[col] = datetime(2026, 1, 5, 3, 0)
        elif kind == "varchar":
            row[col] = {
                "step_name": "visit",
                "platform": "meta",
                "campaign_id": "C1",
                "attribution_model": "linear",
            }.get(col, "douyin_ads")
        elif col in COUNT_COLUMNS:
            row[col] = 1
        elif (
            "rate" in col
            or col in ("ctr", "cvr")
            or col.endswith("retention")
            or col.startswith("conversion")
            or col.startswith("share_of")
        ):
            row[col] = 0.5
        else:
            row[col] = 100.0
    if report == "rpt_retention_cohorts":
        row |= {"day_n": 1, "cohort_size": 100.0, "retained_users": 50.0, "retention_rate": 0.5}
        row |= {"unbounded_retention_rate": 0.6}
    if report == "rpt_funnel_users":
        row["step_order"] = 1
    if report == "rpt_user_lifecycle_weekly":
        row |= {"state": "returning", "users": 50.0, "signed_up_users": 100.0, "users_share": 0.5}
    if report == "rpt_user_segments":
        row |= {"user_id": "u1", "lifecycle_state": "returning", "value_tier": "loyal", "rfm_cell": "111"}
        row |= {
            "tier_label_zh": "忠诚用户",
            "suggested_action_zh": "积分加倍",
            "suggested_action_en": "points",
        }
    if report == "rpt_activity_review":
        row |= {"activity_id": "act_1", "phase": "total", "activity_type": "recall", "days": 10.0}
        row |= {"observed_days": 10.0, "gmv_uplift": 0.5, "conversions": 100.0}
    if report == "rpt_recommendations":
        row |= {"rule_id": "budget_shift", "subject": "cmp_1", "priority": 1}
        row |= {"evidence_keys": "rpt_campaign_roi_daily: cmp_1 and cmp_2 2026-01-01..2026-01-14"}
    if report == "rpt_ab_tests":  # a variant row (the control's statistics are NULL)
        row |= {"experiment_id": "e1", "variant_id": "B", "is_control": False, "is_sample_too_small": False}
        row |= {"p_value": 0.01, "lift": 0.2, "ci_lower": 0.01, "ci_upper": 0.05}
    return row


def create_report(
    con: duckdb.DuckDBPyConnection, report: str, rows: Iterable[dict[str, Any]], **type_overrides: str
) -> None:
    rows = list(rows)
    columns = list(rows[0]) if rows else list(published_columns(report))

    def sql_type(col: str) -> str:
        if col in type_overrides:
            return type_overrides[col]
        kind = _kind(report, col)
        return kind or ("bigint" if col in COUNT_COLUMNS else "double")

    con.execute("create schema if not exists reports")
    con.execute(
        f"create or replace table reports.{report} ({', '.join(f'{c} {sql_type(c)}' for c in columns)})"
    )
    if rows:
        marks = ", ".join("?" * len(columns))
        con.executemany(
            f"insert into reports.{report} values ({marks})", [[r[c] for c in columns] for r in rows]
        )


def days_ago(n: int) -> date:
    return date.today() - timedelta(days=n)


def contract(name: str) -> SourceContract:
    return get_contract(name)
