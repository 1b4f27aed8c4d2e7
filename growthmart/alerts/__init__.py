"""Alerts (异常预警): the anomalies of reports.rpt_alerts and the run's data problems, delivered through apprise to
the channels of GROWTHMART_ALERT_URLS after each publication (or after a run that could not publish)."""

from growthmart.alerts.deliver import DeliveryReport, channel_urls, compose, deliver, mask
from growthmart.alerts.model import Alert, check_failed_alert, ordered, published_alerts, source_late_alert

__all__ = [
    "Alert",
    "DeliveryReport",
    "channel_urls",
    "check_failed_alert",
    "compose",
    "deliver",
    "mask",
    "ordered",
    "published_alerts",
    "source_late_alert",
]
