"""Meta Marketing API Insights (level=ad, time_increment=1) → landing/meta_ads_insights."""

from __future__ import annotations

import json

from growthmart.connectors.errors import PlatformError, RateLimited, TokenExpired, Transient
from growthmart.connectors.paging import Cursor
from growthmart.connectors.spec import ApiLanding, ConnectorSpec, EnvVars, QueryToken, Request

V = "GROWTHMART_META_"
API_VERSION = "v21.0"
FIELDS = [
    "account_id",
    "account_currency",
    "campaign_id",
    "campaign_name",
    "adset_id",
    "adset_name",
    "ad_id",
    "ad_name",
    "date_start",
    "date_stop",
    "impressions",
    "clicks",
    "spend",
    "actions",
    "action_values",
]
RATE_LIMIT_CODES = {4, 17, 32, 613, *range(80000, 80009)}
TOKEN_INVALID = 190
THROTTLE_HEADER = "x-fb-ads-insights-throttle"


def _act(account: str) -> str:
    return account if account.startswith("act_") else f"act_{account}"


def request(account: str, day: str) -> Request:
    return Request(
        "GET",
        f"/{API_VERSION}/{_act(account)}/insights",
        params={
            "level": "ad",
            "time_increment": 1,
            "time_range": json.dumps({"since": day, "until": day}),
            "fields": ",".join(FIELDS),
        },
    )


def account_context(send, account: str) -> dict:
    """The account's time zone: insights rows are in it, and do not say it."""
    _, body = send(
        Request("GET", f"/{API_VERSION}/{_act(account)}", params={"fields": "timezone_name,currency"})
    )
    return {"timezone_name": body.get("timezone_name")}


def check(response, body: dict | None) -> None:
    error = (body or {}).get("error")
    if not isinstance(error, dict):
        return
    code = error.get("code")
    message = f"error {code}/{error.get('error_subcode')}: {error.get('message')}"
    if code in RATE_LIMIT_CODES:
        raise RateLimited(message)
    if code == TOKEN_INVALID:  # Meta has no refresh in this flow: fail clearly, never retry in a loop
        raise TokenExpired(f"{message} — renew the token in {V}ACCESS_TOKEN")
    if error.get("is_transient") or code in (1, 2):
        raise Transient(message)
    raise PlatformError(message)


def pace(response) -> float:
    """Pause (in backoff steps) when the insights throttle header says the app or account is near its limit."""
    try:
        usage = json.loads(response.headers.get(THROTTLE_HEADER, "{}"))
        pct = max(float(usage.get("app_id_util_pct", 0)), float(usage.get("acc_id_util_pct", 0)))
    except (ValueError, TypeError, AttributeError):
        return 0.0
    return 0.0 if pct < 75 else (pct - 75) / 5  # 100 % → 5 steps


SPEC = ConnectorSpec(
    source="meta_ads_insights",
    title="Meta Insights",
    endpoint=f"GET /{API_VERSION}/act_<id>/insights?level=ad&time_increment=1 (+ GET /act_<id> for timezone_name)",
    env=EnvVars(base_url=V + "BASE_URL", accounts=V + "AD_ACCOUNT_IDS", secrets=(V + "ACCESS_TOKEN",)),
    token_var=V + "ACCESS_TOKEN",
    auth=QueryToken("access_token", doc="`access_token` query parameter (long-lived or system-user token)"),
    paginator=Cursor(page_size=500),
    request=request,
    check=check,
    records=("data",),
    landing=ApiLanding(records_path="$.data", columns={"account_timezone": "ctx.$.timezone_name"}),
    account_context=account_context,
    pace=pace,
    limits="error codes 4/17/32/613/80000-80008 → backoff with jitter; x-fb-ads-insights-throttle ≥ 75 % → pause",
    restatement="attribution windows (1d view / 7d click) restate up to 7 days, in the account's time zone",
)
