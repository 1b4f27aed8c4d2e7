"""Tencent Ads (腾讯广告) daily_reports/get → landing/tencent_ads_daily_reports (the file export is this response)."""

from __future__ import annotations

import json

from growthmart.connectors.errors import PlatformError, RateLimited, TokenExpired, Transient
from growthmart.connectors.paging import PageNumber
from growthmart.connectors.spec import ApiLanding, ConnectorSpec, EnvVars, QueryToken, Request

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
# Codes not confirmed in the SDK [?]: 11017 frequency limit; 11000-11002 access token invalid or expired; 5xxxx
# system errors. Tencent's token refresh (/oauth/token) is not wired: an expired token fails the pull clearly.
RATE_LIMITED = {11017}
TOKEN_CODES = {11000, 11001, 11002}


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
    if code in TOKEN_CODES:
        raise TokenExpired(message)
    if isinstance(code, int) and code >= 50000:
        raise Transient(message)
    raise PlatformError(message)


SPEC = ConnectorSpec(
    source="tencent_ads_daily_reports",
    title="Tencent Ads daily_reports/get",
    endpoint="GET /v3.0/daily_reports/get (level REPORT_LEVEL_DYNAMIC_CREATIVE, group_by date, dynamic_creative_id)",
    env=EnvVars(base_url=V + "BASE_URL", accounts=V + "ACCOUNT_IDS", secrets=(V + "ACCESS_TOKEN",)),
    token_var=V + "ACCESS_TOKEN",
    auth=QueryToken("access_token", signed=True, doc="`access_token`, `timestamp`, `nonce` query parameters"),
    paginator=PageNumber(page_size=2000, info_path=("data", "page_info")),
    request=request,
    check=check,
    records=("data", "list"),
    landing=ApiLanding(records_path="$.data.list"),
    limits="HTTP 429 and code 11017 [?] → backoff with jitter; page_size ≤ 2000; money in fen",
    restatement="conversions restate for several days (GMT+8 days)",
)
