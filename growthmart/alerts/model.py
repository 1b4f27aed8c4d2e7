"""What an alert is: the columns of `reports.rpt_alerts`, read from the publication, plus the data-problem alerts
the run's own outcome makes (a source late, a blocking check failed), which dbt cannot see."""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path

import duckdb

SEVERITIES = ("critical", "warning")  # most severe first
# Kinds in the order a message lists them within a severity: the data problems first (they may make every other
# number wrong), then the KPIs and the budgets. A new kind (incident) gets its place here.
KINDS = ("data", "incident", "kpi", "pacing")
ALERTS_TABLE = "reports.rpt_alerts"
DATA_DOCS_PATH = "../data_docs/index.html"  # relative to published/reports/, as rpt_alerts' report_path


@dataclass(frozen=True)
class Alert:
    alert_id: str
    kind: str
    metric: str
    subject: str
    severity: str
    alert_date: date
    expected_low: float | None
    expected_high: float | None
    observed: float | None
    direction: str | None
    message_zh: str
    message_en: str
    report_path: str

    def as_dict(self) -> dict:
        return asdict(self) | {"alert_date": self.alert_date.isoformat()}


def alert_id(kind: str, metric: str, subject: str, day: date) -> str:
    """md5 of kind|metric|subject|day: rpt_alerts' alert_id, the delivery log's key (an alert is sent once)."""
    return hashlib.md5(f"{kind}|{metric}|{subject}|{day.isoformat()}".encode()).hexdigest()


def ordered(alerts: list[Alert]) -> list[Alert]:
    """Most severe first; then the newest day, the kind (KINDS), metric and subject."""
    return sorted(
        alerts,
        key=lambda a: (
            SEVERITIES.index(a.severity),
            -a.alert_date.toordinal(),
            KINDS.index(a.kind) if a.kind in KINDS else len(KINDS),
            a.metric,
            a.subject,
        ),
    )


def published_alerts(published_db: Path) -> list[Alert]:
    """The recent rows of reports.rpt_alerts in the publication (`is_recent`: the last alert_days days up to data
    end), the ones a run delivers; none when there is no publication or no table. Older rows stay in the table for
    the reports and BI, and were delivered by the runs of their days."""
    if not Path(published_db).exists():
        return []
    con = duckdb.connect(str(published_db), read_only=True)
    try:
        exists = con.execute(
            "select count(*) from information_schema.tables where table_schema = 'reports' and table_name = 'rpt_alerts'"
        ).fetchone()[0]
        if not exists:
            return []
        fields = list(Alert.__dataclass_fields__)
        rows = con.execute(f"select {', '.join(fields)} from {ALERTS_TABLE} where is_recent").fetchall()
    finally:
        con.close()
    return [Alert(**dict(zip(fields, row, strict=True))) for row in rows]


def check_failed_alert(check: str, day: date, detail: str | None) -> Alert:
    """A blocking check failed: the run did not publish; BI keeps the previous publication."""
    reason = f" ({detail.strip().splitlines()[0][:200]})" if detail and detail.strip() else ""
    return Alert(
        alert_id=alert_id("data", "check_failed", check, day),
        kind="data",
        metric="check_failed",
        subject=check,
        severity="critical",
        alert_date=day,
        expected_low=None,
        expected_high=None,
        observed=None,
        direction=None,
        message_zh=f"阻断性检查未通过：{check}{reason}。本次运行未发布，BI 仍是上一次发布的数据。",
        message_en=f"Blocking check failed: {check}{reason}. This run did not publish; BI keeps the previous "
        "publication.",
        report_path=DATA_DOCS_PATH,
    )


def source_late_alert(
    source: str, day: date, latest: str | None, lag_days: int | None, max_lag_days: int
) -> Alert:
    """A source's newest loaded day trails `day` (yesterday when the check ran) by more than max_lag_days."""
    seen_zh = f"最新数据日 {latest}，落后 {lag_days} 天" if latest else "从未加载"
    seen_en = f"latest loaded day {latest}, {lag_days} day(s) behind" if latest else "never loaded"
    return Alert(
        alert_id=alert_id("data", "freshness", source, day),
        kind="data",
        metric="freshness",
        subject=source,
        severity="warning",
        alert_date=day,
        expected_low=0.0,
        expected_high=float(max_lag_days),
        observed=float(lag_days) if lag_days is not None else None,
        direction="high",
        message_zh=f"数据源延迟：{source} {seen_zh}（应不超过 {max_lag_days} 天，截至 {day}）",
        message_en=f"Source late: {source} {seen_en} (at most {max_lag_days} expected, as of {day})",
        report_path=DATA_DOCS_PATH,
    )
