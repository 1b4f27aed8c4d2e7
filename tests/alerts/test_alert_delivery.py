"""Alert delivery through apprise to real servers on 127.0.0.1: a webhook server that records what each channel
posts, and a minimal SMTP server for e-mail.

What is proven against a real local server, and how:
- `json://` (any webhook) and `mailto://` (e-mail, plain SMTP): native apprise URLs to 127.0.0.1, nothing changed.
- 企业微信 `wecombot://`, DingTalk `dingtalk://` (with and without a signing secret), Feishu `feishu://` and Slack
  `slack://` (incoming webhook): apprise's own plugins build and post their payloads; their endpoint is a class
  constant naming the platform's public host (apprise offers no host parameter for them), so the test points
  that constant at the local server (`monkeypatch`). Payload, path, key placement and the response handling are
  the real plugin's; only the host differs. TLS to the real hosts is not exercised.
"""

from __future__ import annotations

import email
import json
import logging
import socketserver
import threading
from datetime import date, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import dagster as dg
import duckdb
import pytest
from apprise.plugins.dingtalk import NotifyDingTalk
from apprise.plugins.feishu import NotifyFeishu
from apprise.plugins.slack import NotifySlack
from apprise.plugins.wecombot import NotifyWeComBot

from assets.publish.alerts_asset import ALERTS_KEY, build_alerts_asset, data_alerts
from assets.resources import WarehouseResource
from growthmart.alerts import Alert, channel_urls, compose, deliver, source_late_alert
from growthmart.alerts.deliver import DeliveryLog, mask
from growthmart.alerts.model import alert_id
from orchestration.run_summary import alerts_section

WECOM_KEY = "wecomKEY0123456789abcdef"
DING_TOKEN = "dingTOKEN0123456789abcdef"
DING_SECRET = "SECdingSECRET0123456789"
FEISHU_TOKEN = "feishuTOKEN0123456789abc"
SLACK_TOKENS = ("T1SLACKAA", "B2SLACKBB", "slackSECRETtoken0123456789")
SECRETS = (WECOM_KEY, DING_TOKEN, DING_SECRET, FEISHU_TOKEN, SLACK_TOKENS[2], "mailPASSWORD42")


class Webhooks:
    """A webhook server on 127.0.0.1 recording (path, query, JSON body) of every POST; paths under /fail answer
    500. Answers as the platforms do: Slack's webhook `ok`, Feishu `{"code": 0}`, the others `{"errcode": 0}`."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, dict, object]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                parts = urlsplit(self.path)
                try:
                    body = json.loads(raw)
                except ValueError:
                    body = raw.decode("utf-8", "replace")
                outer.requests.append((parts.path, parse_qs(parts.query), body))
                status, answer = 200, b'{"errcode": 0, "code": 0}'
                if parts.path.startswith("/fail"):
                    status, answer = 500, b"boom"
                elif parts.path.startswith("/services/"):
                    answer = b"ok"
                self.send_response(status)
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class Smtp:
    """A minimal SMTP server on 127.0.0.1 (EHLO, AUTH PLAIN/LOGIN accepted, MAIL, RCPT, DATA, QUIT) keeping each
    message's bytes."""

    def __init__(self) -> None:
        self.messages: list[bytes] = []
        outer = self

        class Handler(socketserver.StreamRequestHandler):
            def reply(self, line: str) -> None:
                self.wfile.write(line.encode() + b"\r\n")

            def handle(self):
                self.reply("220 localhost test SMTP")
                while line := self.rfile.readline():
                    verb = line.decode(errors="replace").strip().split(" ")[0].upper()
                    if verb in ("EHLO", "HELO"):
                        self.wfile.write(b"250-localhost\r\n250-AUTH PLAIN LOGIN\r\n250 8BITMIME\r\n")
                    elif verb == "AUTH":
                        self.reply("235 ok")
                    elif verb == "DATA":
                        self.reply("354 go ahead")
                        data = b""
                        while (chunk := self.rfile.readline()) not in (b".\r\n", b""):
                            data += chunk
                        outer.messages.append(data)
                        self.reply("250 queued")
                    elif verb == "QUIT":
                        self.reply("221 bye")
                        return
                    else:
                        self.reply("250 ok")

        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def hooks(monkeypatch):
    server = Webhooks()
    base = f"http://127.0.0.1:{server.port}"
    # the chat plugins' fixed public endpoints, pointed at the local server (see the module docstring)
    monkeypatch.setattr(NotifyWeComBot, "notify_url", base + "/cgi-bin/webhook/send?key={key}")
    monkeypatch.setattr(NotifyDingTalk, "notify_url", base + "/robot/send?access_token={token}")
    monkeypatch.setattr(NotifyFeishu, "notify_url", base + "/open-apis/bot/v2/hook/{token}/")
    monkeypatch.setattr(NotifySlack, "webhook_url", base + "/services")
    yield server
    server.close()


@pytest.fixture
def smtp():
    server = Smtp()
    yield server
    server.close()


def _alert(kind, metric, subject, severity, day, zh, en) -> Alert:
    return Alert(
        alert_id=alert_id(kind, metric, subject, day),
        kind=kind,
        metric=metric,
        subject=subject,
        severity=severity,
        alert_date=day,
        expected_low=800.0,
        expected_high=1200.0,
        observed=500.0,
        direction="low",
        message_zh=zh,
        message_en=en,
        report_path=f"daily/{day}.html",
    )


DAY = date(2026, 11, 14)
GMV = _alert("kpi", "gmv", "all", "warning", DAY, "GMV偏低：实际 ¥500，预期 ¥800–¥1,200", "GMV unusually low")
PACE = _alert(
    "pacing", "budget_pace", "cmp_001", "critical", DAY, "预算消耗过快：双11主会场", "Budget over-pacing"
)
LATE = source_late_alert("app_events", DAY, "2026-11-10", 4, 2)


def texts(payload) -> str:
    """Every string inside a JSON payload, in order (each platform nests the text its own way)."""
    if isinstance(payload, dict):
        return "\n".join(texts(v) for v in payload.values())
    if isinstance(payload, list):
        return "\n".join(texts(v) for v in payload)
    return str(payload)


def chat_urls(port: int) -> dict[str, str]:
    return {
        "wecombot": f"wecombot://{WECOM_KEY}",
        "dingtalk": f"dingtalk://{DING_TOKEN}/",
        "dingtalk_signed": f"dingtalk://{DING_SECRET}@{DING_TOKEN}/",
        "feishu": f"feishu://{FEISHU_TOKEN}",
        "slack": "slack://" + "/".join(SLACK_TOKENS),
        "json": f"json://127.0.0.1:{port}/hooks/growthmart",
    }


def test_every_channel_gets_one_message_with_the_alerts_most_severe_first(hooks, smtp, tmp_path):
    urls = chat_urls(hooks.port)
    mail = (
        f"mailto://alerts:mailPASSWORD42@127.0.0.1:{smtp.port}?mode=insecure"
        "&from=alerts@growthmart.example&to=team@growthmart.example"
    )
    report = deliver([GMV, PACE, LATE], [*urls.values(), mail], tmp_path, "run-1", tmp_path / "published")

    assert [c.error for c in report.channels] == [None] * 7
    assert [c.delivered for c in report.channels] == [3] * 7
    by_path = {path: (query, body) for path, query, body in hooks.requests}
    assert len(hooks.requests) == 6  # one request per chat channel: the run's alerts grouped in one message

    # each platform's endpoint and key placement, and its payload shape
    query, body = by_path["/cgi-bin/webhook/send"]
    assert query["key"] == [WECOM_KEY] and body["msgtype"] == "text"
    dings = [(q, b) for p, q, b in hooks.requests if p == "/robot/send"]
    assert {q["access_token"][0] for q, _ in dings} == {DING_TOKEN}
    assert sorted("sign" in q for q, _ in dings) == [False, True]  # the secret signs the request (HMAC)
    assert all(b["msgtype"] == "text" for _, b in dings)
    _, body = by_path[f"/open-apis/bot/v2/hook/{FEISHU_TOKEN}/"]
    assert body["msg_type"] == "text"
    _, slack = by_path["/services/" + "/".join(SLACK_TOKENS)]
    _, generic = by_path["/hooks/growthmart"]
    assert generic["title"].startswith(
        "growthmart 异常预警 alerts 2026-11-14: 1 严重 critical, 2 警告 warning"
    )

    # what every message says: most severe first, both languages, expected vs seen, the link to the page
    link = str((tmp_path / "published" / "reports" / "daily/2026-11-14.html").resolve())
    for _, _, payload in hooks.requests:
        text = texts(payload)
        assert text.index("预算消耗过快") < text.index("数据源延迟") < text.index("GMV偏低"), payload
        assert "预期 ¥800–¥1,200" in text and "GMV unusually low" in text and link in text

    (message,) = smtp.messages
    parsed = email.message_from_bytes(message)
    body = "".join(
        part.get_payload(decode=True).decode(part.get_content_charset() or "utf-8")
        for part in parsed.walk()
        if part.get_content_type() == "text/plain"
    )
    assert parsed["To"] == "team@growthmart.example"
    assert body.index("预算消耗过快") < body.index("GMV偏低") and link in body


def test_a_rerun_sends_nothing_new_and_a_new_alert_alone(hooks, tmp_path):
    urls = [chat_urls(hooks.port)["json"], chat_urls(hooks.port)["wecombot"]]
    deliver([GMV, LATE], urls, tmp_path, "run-1", tmp_path)
    assert len(hooks.requests) == 2

    again = deliver([GMV, LATE], urls, tmp_path, "run-2", tmp_path)
    assert len(hooks.requests) == 2
    assert [(c.delivered, c.already_sent, c.error) for c in again.channels] == [(0, 2, None)] * 2

    deliver([GMV, LATE, PACE], urls, tmp_path, "run-3", tmp_path)
    assert len(hooks.requests) == 4
    for _, _, payload in hooks.requests[2:]:
        assert "预算消耗过快" in texts(payload) and "GMV偏低" not in texts(payload)


def test_failed_deliveries_are_reported_redacted_and_retried_by_the_next_run(hooks, tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    failing = f"json://127.0.0.1:{hooks.port}/fail/{WECOM_KEY}"
    with socketserver.TCPServer(("127.0.0.1", 0), socketserver.BaseRequestHandler) as closed:
        refused_port = closed.server_address[1]  # nothing listens there once closed
    refused = f"json://127.0.0.1:{refused_port}/{WECOM_KEY}"
    good = chat_urls(hooks.port)["dingtalk_signed"]

    report = deliver([GMV, PACE], [failing, refused, good], tmp_path, "run-1", tmp_path)
    bad, gone, ok = report.channels
    assert "500" in bad.error and bad.delivered == 0
    assert gone.error and gone.delivered == 0
    assert ok.error is None and ok.delivered == 2
    assert len(report.failures) == 2

    everything = caplog.text + json.dumps(report.metadata()) + DeliveryLog(tmp_path).path.read_text()
    assert not [s for s in SECRETS if s in everything]
    assert "json://127.0.0.1" in bad.channel and "***" in bad.channel

    # the failed channels get the same alerts from the next run; the one that worked gets nothing again
    hooks.requests.clear()
    fixed = f"json://127.0.0.1:{hooks.port}/fail/{WECOM_KEY}".replace("/fail/", "/ok/")
    retry = deliver([GMV, PACE], [fixed, good], tmp_path, "run-2", tmp_path)
    assert [(c.delivered, c.already_sent) for c in retry.channels] == [(2, 0), (0, 2)]


def test_channels_and_masks_come_from_the_environment_only():
    env = {
        "GROWTHMART_ALERT_URLS": f"wecombot://{WECOM_KEY}, slack://{'/'.join(SLACK_TOKENS)}\nfeishu://{FEISHU_TOKEN}"
    }
    urls = channel_urls(env)
    assert len(urls) == 3 and channel_urls({}) == []
    masked = " ".join(mask(u) for u in urls)
    assert masked.startswith("wecombot://") and not [s for s in SECRETS if s in masked]


def test_the_message_lists_at_most_thirty_alerts_and_counts_the_rest(tmp_path):
    many = [
        _alert("kpi", "cvr", f"channel_{i:02d}", "warning", DAY, f"渠道{i:02d}", f"channel {i}")
        for i in range(35)
    ]
    title, body = compose(many, tmp_path)
    assert "35 警告 warning" in title
    assert body.count("渠道") == 30 and body.endswith("另有 5 条 / 5 more: reports.rpt_alerts")


def test_data_alerts_come_from_failed_blocking_checks_and_late_sources():
    def evaluation(check, passed, severity, **metadata):
        return dg.AssetCheckEvaluation(
            asset_key=dg.AssetKey(["raw", "app_events"]),
            check_name=check,
            passed=passed,
            severity=severity,
            description="2 rows with a negative amount",
            metadata=metadata,
        )

    evaluations = [
        evaluation("ge_app_events", False, dg.AssetCheckSeverity.ERROR),
        evaluation(
            "freshness",
            False,
            dg.AssetCheckSeverity.WARN,
            expected_latest_partition="2026-11-16",
            latest_partition="2026-11-10",
            lag_days=6,
            max_lag_days=2,
        ),
        evaluation("volume", False, dg.AssetCheckSeverity.WARN),
        evaluation("ge_rpt", True, dg.AssetCheckSeverity.ERROR),
    ]
    failed, late = data_alerts(evaluations, DAY)
    assert (failed.kind, failed.metric, failed.severity, failed.alert_date) == (
        "data",
        "check_failed",
        "critical",
        DAY,
    )
    assert failed.subject == "raw/app_events / ge_app_events" and "未发布" in failed.message_zh
    assert (late.metric, late.subject, late.observed, late.expected_high) == (
        "freshness",
        "app_events",
        6.0,
        2.0,
    )
    assert late.alert_date == date(2026, 11, 16) and "落后 6 天" in late.message_zh


def _publish_alerts(published: Path) -> Path:
    published.mkdir(parents=True)
    db = published / "growthmart.duckdb"
    con = duckdb.connect(str(db))
    con.execute("create schema reports")
    con.execute(
        """create table reports.rpt_alerts as select
             ? as alert_id, 'kpi' as kind, 'gmv' as metric, 'all' as subject, 'warning' as severity,
             date '2026-11-14' as alert_date, 800.0::double as expected_low, 1200.0::double as expected_high,
             500.0::double as observed, 'low' as direction, ? as message_zh, 'GMV unusually low' as message_en,
             true as is_recent, 'daily/2026-11-14.html' as report_path""",
        [GMV.alert_id, GMV.message_zh],
    )
    # an alert of an earlier day, older than alert_days: kept for the reports, never delivered (again)
    con.execute(
        """insert into reports.rpt_alerts select
             'old' || alert_id, kind, metric, subject, 'critical', date '2026-10-01', expected_low, expected_high,
             observed, direction, message_zh, message_en, false, 'daily/2026-10-01.html'
           from reports.rpt_alerts"""
    )
    con.close()
    return db


def test_the_asset_delivers_the_publication_and_a_failing_channel_fails_nothing(hooks, tmp_path, monkeypatch):
    db = _publish_alerts(tmp_path / "published")
    before = db.read_bytes()
    urls = [f"json://127.0.0.1:{hooks.port}/fail/{FEISHU_TOKEN}", f"feishu://{FEISHU_TOKEN}"]
    monkeypatch.setenv("GROWTHMART_ALERT_URLS", " ".join(urls))
    monkeypatch.setenv("GROWTHMART_DATA_DIR", str(tmp_path))

    result = dg.materialize(
        [build_alerts_asset()], resources={"warehouse": WarehouseResource(data_dir=str(tmp_path))}
    )
    assert result.success
    assert db.read_bytes() == before  # the publication is left as it was
    (mat,) = [m for m in result.get_asset_materialization_events() if m.asset_key == ALERTS_KEY]
    meta = mat.materialization.metadata
    assert meta["alerts"].value == 1 and meta["delivery_failures"].value == 1
    summary = "\n".join(alerts_section(result, ALERTS_KEY))
    assert "1 alerts (0 critical, 1 warning)" in summary
    assert "FAILED json://127.0.0.1" in summary and "delivered to feishu://" in summary
    shown = summary + json.dumps({k: str(v.value) for k, v in meta.items()})
    assert not [s for s in SECRETS if s in shown]

    # a rerun of the same day: nothing new goes out
    hooks.requests.clear()
    monkeypatch.setenv("GROWTHMART_ALERT_URLS", urls[1])
    again = dg.materialize(
        [build_alerts_asset()], resources={"warehouse": WarehouseResource(data_dir=str(tmp_path))}
    )
    assert again.success and hooks.requests == []
    assert "0 new, 1 sent before" in "\n".join(alerts_section(again, ALERTS_KEY))


def test_a_run_stopped_by_a_blocking_check_still_delivers_why_once(hooks, tmp_path, monkeypatch):
    """Nothing is published, so the alerts asset is skipped: the failed-run sensor (the CLI calls the same
    function) delivers the failed check as a critical data alert, once."""
    from orchestration.sensors import alerts_on_failed_run_sensor

    @dg.asset(key=["raw", "app_events"])
    def app_events():
        return 1

    @dg.asset_check(asset=app_events, name="ge_app_events", blocking=True)
    def ge_app_events():
        return dg.AssetCheckResult(
            passed=False, severity=dg.AssetCheckSeverity.ERROR, description="3 rows with a negative amount"
        )

    @dg.asset(deps=[app_events])
    def downstream():
        return 2

    monkeypatch.setenv("GROWTHMART_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("GROWTHMART_ALERT_URLS", f"json://127.0.0.1:{hooks.port}/hooks/{FEISHU_TOKEN}")
    with dg.instance_for_test() as instance:
        result = dg.materialize(
            [app_events, downstream, ge_app_events], instance=instance, raise_on_error=False
        )
        assert not result.success
        for _ in range(2):  # the second evaluation (a rerun of the sensor) sends nothing new
            context = dg.build_run_status_sensor_context(
                sensor_name="alerts_on_failed_run_sensor",
                dagster_instance=instance,
                dagster_run=result.dagster_run,
                dagster_event=result.get_run_failure_event(),
            ).for_run_failure()
            alerts_on_failed_run_sensor(context)
    (request,) = hooks.requests
    text = texts(request[2])
    assert "阻断性检查未通过：raw/app_events / ge_app_events (3 rows with a negative amount)" in text
    yesterday = datetime.now(ZoneInfo("Asia/Shanghai")).date() - timedelta(days=1)  # a run without partitions
    assert "1 严重 critical" in text and yesterday.isoformat() in text
