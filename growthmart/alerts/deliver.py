"""Delivery of a run's alerts through apprise: one message per channel, each alert to each channel once.

Channels are apprise URLs in GROWTHMART_ALERT_URLS (whitespace- or comma-separated), e.g. `wecombot://<key>`
(企业微信 group bot), `dingtalk://<token>/` or `dingtalk://<secret>@<token>/`, `feishu://<token>`,
`slack://<T>/<B>/<token>`, `mailtos://<user>:<password>@<host>?to=<addr>`, `json://<host>/<path>` (any webhook).
They hold secrets: only their masked form (apprise's privacy URL) is ever logged, printed or kept in run metadata,
and a failure's reason is redacted of every secret-looking part of its URL.

The delivery log (<data>/alerts/deliveries.jsonl, one line per alert and channel delivered) makes an alert go
out once per channel: a rerun of the same day sends nothing new; an alert whose delivery failed is not logged,
so the next run sends it again. A failure never raises: it is in the returned report (and the run summary).
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from io import StringIO
from pathlib import Path

import apprise

from growthmart.alerts.model import Alert, ordered
from growthmart.config import ALERT_URLS_VAR, REPORT_BASE_URL_VAR

LOG_DIR = "alerts"
LOG_FILE = "deliveries.jsonl"
MAX_LISTED = 30  # alerts listed in one message; the rest are counted (chat bots cap a message's length)
SEVERITY_LABEL = {"critical": "严重 critical", "warning": "警告 warning"}


@dataclass
class ChannelResult:
    channel: str  # masked
    delivered: int = 0  # alerts sent now
    already_sent: int = 0  # alerts this channel had from an earlier run
    error: str | None = None  # redacted

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass
class DeliveryReport:
    alerts: list[Alert]
    channels: list[ChannelResult] = field(default_factory=list)

    @property
    def failures(self) -> list[ChannelResult]:
        return [c for c in self.channels if not c.ok]

    def metadata(self) -> dict:
        """Plain JSON for Dagster metadata and the run summary: no URL, only masked channels."""
        return {
            "alerts": [
                [a.severity, a.alert_date.isoformat(), a.kind, a.metric, a.subject, a.message_en]
                for a in ordered(self.alerts)
            ],
            "channels": [
                {
                    "channel": c.channel,
                    "delivered": c.delivered,
                    "already_sent": c.already_sent,
                    "error": c.error,
                }
                for c in self.channels
            ],
        }


def channel_urls(environ: dict[str, str] | None = None) -> list[str]:
    """The apprise URLs of GROWTHMART_ALERT_URLS (none: alerts are still built and shown, not sent)."""
    raw = (os.environ if environ is None else environ).get(ALERT_URLS_VAR, "")
    return [u for u in re.split(r"[\s,]+", raw) if u]


def report_link(report_path: str, published_dir: Path, environ: dict[str, str] | None = None) -> str:
    """Where a person opens an alert's page: GROWTHMART_REPORT_BASE_URL + path, else the local file."""
    base = (os.environ if environ is None else environ).get(REPORT_BASE_URL_VAR, "")
    if base:
        return f"{base.rstrip('/')}/{report_path}"
    return str((Path(published_dir) / "reports" / report_path).resolve())


def channel_key(url: str) -> str:
    """A channel's key in the delivery log: a hash of its URL (the URL itself is a secret)."""
    return hashlib.sha256(url.encode()).hexdigest()[:16]


def mask(url: str) -> str:
    """The URL as apprise prints it in privacy mode (keys and passwords elided), without its options and with
    anything else secret-looking redacted (a generic webhook's path may be its secret), or only its scheme."""
    with _apprise_logs():
        server = apprise.Apprise.instantiate(url, suppress_exceptions=True)
    if server:
        return redact(server.url(privacy=True).split("?", 1)[0], url)
    return f"{url.split('://', 1)[0]}://(invalid URL)" if "://" in url else "(invalid URL)"


def redact(text: str, url: str) -> str:
    """`text` without any part of `url` that may be a secret: every run of 6+ letters, digits, - or _ after the
    scheme (keys, tokens, passwords, user names, paths); what is left still says what failed."""
    rest = url.split("://", 1)[-1]
    for secret in sorted(set(re.findall(r"[A-Za-z0-9_\-]{6,}", rest)), key=len, reverse=True):
        text = text.replace(secret, "***")
    return text


def compose(alerts: list[Alert], published_dir: Path) -> tuple[str, str]:
    """(title, body) of one message: the alerts most severe first, each with what was seen and expected (its
    message in Chinese and English) and the link to its report page."""
    alerts = ordered(alerts)
    counts = {s: sum(a.severity == s for a in alerts) for s in SEVERITY_LABEL}
    days = sorted({a.alert_date for a in alerts})
    span = days[0].isoformat() if len(days) == 1 else f"{days[0]}..{days[-1]}"
    title = f"growthmart 异常预警 alerts {span}: " + ", ".join(
        f"{n} {SEVERITY_LABEL[s]}" for s, n in counts.items() if n
    )
    lines = []
    for a in alerts[:MAX_LISTED]:
        lines += [
            f"[{SEVERITY_LABEL[a.severity]}] {a.alert_date} {a.kind} · {a.metric} · {a.subject}",
            a.message_zh,
            a.message_en,
            f"→ {report_link(a.report_path, published_dir)}",
            "",
        ]
    if len(alerts) > MAX_LISTED:
        lines.append(
            f"另有 {len(alerts) - MAX_LISTED} 条 / {len(alerts) - MAX_LISTED} more: reports.rpt_alerts"
        )
    return title, "\n".join(lines).rstrip()


class DeliveryLog:
    """<data>/alerts/deliveries.jsonl: one JSON line per (alert, channel) delivered. Held under an exclusive
    flock while a run delivers, so two deliverers (a run and the failed-run sensor) never send twice."""

    def __init__(self, data_dir: Path):
        self.path = Path(data_dir) / LOG_DIR / LOG_FILE

    @contextmanager
    def locked(self) -> Iterator[DeliveryLog]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path.with_suffix(".lock"), "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield self
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def delivered(self, channel: str) -> set[str]:
        if not self.path.exists():
            return set()
        out = set()
        for line in self.path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                entry = json.loads(line)
                if entry["channel"] == channel:
                    out.add(entry["alert_id"])
        return out

    def record(self, channel: str, alert_ids: list[str], run_id: str) -> None:
        at = datetime.now(UTC).isoformat(timespec="seconds")
        with open(self.path, "a", encoding="utf-8") as f:
            for alert_id in alert_ids:
                f.write(
                    json.dumps({"alert_id": alert_id, "channel": channel, "run_id": run_id, "at": at}) + "\n"
                )


# Loggers that can name a channel's URL: apprise's plugins, and urllib3 under requests (its debug lines carry the
# request path and query, where most webhooks keep their key).
QUIET_LOGGERS = (apprise.LOGGER_NAME, "urllib3")


@contextmanager
def _apprise_logs() -> Iterator[StringIO]:
    """Keep what apprise and urllib3 log during one send (warnings only) here, instead of letting it reach any
    other handler: it can name a URL. The caller redacts it before showing it."""
    buffer = StringIO()
    handler = logging.StreamHandler(buffer)
    handler.setLevel(logging.WARNING)
    saved = []
    for name in QUIET_LOGGERS:
        logger = logging.getLogger(name)
        saved.append((logger, logger.propagate, logger.level, logger.handlers[:]))
        logger.handlers, logger.propagate = [handler], False
        logger.setLevel(logging.WARNING)
    try:
        yield buffer
    finally:
        for logger, propagate, level, handlers in saved:
            logger.propagate, logger.handlers = propagate, handlers
            logger.setLevel(level)


def send(url: str, title: str, body: str) -> str | None:
    """Send one message to one channel; None when it went out, else the (redacted) reason."""
    server = apprise.Apprise()
    with _apprise_logs() as logs:
        if not server.add(url):
            return "not a valid apprise URL"
        try:
            ok = server.notify(body=body, title=title, body_format=apprise.NotifyFormat.TEXT)
            reason = logs.getvalue()
        except Exception as exc:  # a plugin bug must not fail the publication either
            ok, reason = False, f"{type(exc).__name__}: {exc}"
    if ok:
        return None
    reason = " | ".join(line.strip() for line in reason.splitlines() if line.strip())[:500]
    return redact(reason or "the channel refused the message", url)


def deliver(
    alerts: list[Alert], urls: list[str], data_dir: Path, run_id: str, published_dir: Path
) -> DeliveryReport:
    """Send each channel the alerts it has not had yet, in one message; log what went out."""
    report = DeliveryReport(alerts=alerts)
    if not urls:
        return report
    with DeliveryLog(data_dir).locked() as log:
        for url in urls:
            key = channel_key(url)
            result = ChannelResult(channel=mask(url))
            sent_before = log.delivered(key)
            pending = [a for a in alerts if a.alert_id not in sent_before]
            result.already_sent = len(alerts) - len(pending)
            if pending:
                title, body = compose(pending, published_dir)
                result.error = send(url, title, body)
                if result.ok:
                    log.record(key, [a.alert_id for a in pending], run_id)
                    result.delivered = len(pending)
            report.channels.append(result)
    return report
