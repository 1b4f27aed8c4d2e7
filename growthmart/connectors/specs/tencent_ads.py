"""Tencent Ads (腾讯广告) daily_reports/get → landing/tencent_ads_daily_reports (the file export is this response)."""

from __future__ import annotations

import json

from growthmart.connectors.errors import PlatformError, RateLimited, TokenExpired, Transient
from growthmart.connectors.paging import PageNumber
from growthmart.connectors.spec import (
    ApiLanding,
    ConnectorSpec,
    EnvVars,
    QueryToken,
    Request,
    RotatingToken,
)

V = "GROWTHMART_TENCENT_ADS_"
FIELDS = [
    "date",
    "account_id",
    "campaign_id",
    "campaign_name",
    "adgroup_id",
    "adgroup_name",
    "dynamic_creative_id",
    "view_count",
    "valid_click_count",
    "cost",
    "conversions_count",
    "order_amount",
]
# Return codes (developers.e.qq.com/v3.0/docs/errors): 11000 access token expired (refresh through oauth/token);
# 11002 invalid / 11004 malformed / 11005 empty (re-authorise); 11008, 11016, 11017, 11019 request frequency limits;
# 11018 the app's daily limit; 10000 system busy, 10001 maintenance.
TOKEN_EXPIRED = 11000
TOKEN_INVALID = {11002, 11004, 11005}
RATE_LIMITED = {11008, 11016, 11017, 11019}
DAILY_LIMIT = 11018
TRANSIENT = {10000, 10001}


def request(account: str, day: str) -> Request:
    return Request(
        "GET",
        "/v3.0/daily_reports/get",
        params={
            "account_id": account,
            "level": "REPORT_LEVEL_DYNAMIC_CREATIVE",
            "date_range": json.dumps({"start_date": day, "end_date": day}),
            "group_by": json.dumps(["date", "dynamic_creative_id"]),
            "fields": json.dumps(FIELDS),
        },
    )


def check(response, body: dict | None) -> None:
    if body is None or body.get("code", 0) == 0:
        return
    code = body.get("code")
    message = f"code {code}: {body.get('message')} {body.get('message_cn') or ''}".strip()
    if code in RATE_LIMITED:
        raise RateLimited(message)
    if code == TOKEN_EXPIRED:
        raise TokenExpired(message)
    if code in TOKEN_INVALID:
        raise PlatformError(f"{message} — re-authorise the app and set {V}ACCESS_TOKEN and {V}REFRESH_TOKEN")
    if code == DAILY_LIMIT:
        raise PlatformError(
            f"{message} — the app's daily request limit is spent; the next run pulls these days"
        )
    if code in TRANSIENT or (isinstance(code, int) and code >= 50000):
        raise Transient(message)
    raise PlatformError(message)


def refresh_request(env, refresh_token: str) -> Request:
    """GET /oauth/token with grant_type=refresh_token: OAuth calls carry the app's id and secret, no access token."""
    return Request(
        "GET",
        "/oauth/token",
        params={
            "client_id": env[V + "CLIENT_ID"],
            "client_secret": env[V + "CLIENT_SECRET"],
            "grant_type": "refresh_token",
            "refresh_token": refresh_token,
        },
    )


SPEC = ConnectorSpec(
    source="tencent_ads_daily_reports",
    title="Tencent Ads daily_reports/get",
    endpoint="GET /v3.0/daily_reports/get (level REPORT_LEVEL_DYNAMIC_CREATIVE, group_by date, dynamic_creative_id)",
    env=EnvVars(
        base_url=V + "BASE_URL",
        accounts=V + "ACCOUNT_IDS",
        secrets=(V + "CLIENT_SECRET", V + "ACCESS_TOKEN", V + "REFRESH_TOKEN"),
        settings=(V + "CLIENT_ID",),
    ),
    token_var=V + "ACCESS_TOKEN",
    auth=QueryToken("access_token", signed=True, doc="`access_token`, `timestamp`, `nonce` query parameters"),
    refresh=RotatingToken(
        access_var=V + "ACCESS_TOKEN",
        refresh_var=V + "REFRESH_TOKEN",
        request=refresh_request,
        doc="code 11000 → one GET /oauth/token (grant_type=refresh_token); access ~1 day, refresh 30 days",
    ),
    paginator=PageNumber(page_size=2000, info_path=("data", "page_info")),
    request=request,
    check=check,
    records=("data", "list"),
    landing=ApiLanding(records_path="$.data.list"),
    limits="HTTP 429 and codes 11008/11016/11017/11019 → backoff with jitter; 11018 (daily limit) fails the pull; "
    "page_size ≤ 2000; money in fen",
    restatement="conversions restate for several days (GMT+8 days)",
)
