"""Xiaohongshu 聚光 (Spotlight) offline creative report → landing/xiaohongshu_ads_reports (the file export is this page).

Confirmed in SOURCES.md: the endpoint, `page_num` / `page_size` (≤ 1000), the envelope `{code, msg, success,
data: {data_list, total_count}}`, the `Access-Token` header and an OAuth2 refresh that returns a new pair [?].
Not confirmed [?] (docs/sources.md says so): the error codes below, the refresh endpoint's path and body, and the
request body's field names besides the page position.
"""

from __future__ import annotations

from growthmart.connectors.errors import PlatformError, RateLimited, TokenExpired, Transient
from growthmart.connectors.paging import PageTotal
from growthmart.connectors.spec import (
    ApiLanding,
    ConnectorSpec,
    EnvVars,
    HeaderToken,
    Request,
    RotatingToken,
)

V = "GROWTHMART_XIAOHONGSHU_"
REPORT_PATH = "/api/open/jg/data/report/offline/creativity"
REFRESH_PATH = "/api/open/oauth2/refresh_token"  # [?]
# [?] Codes not confirmed: 10003 request frequency limit; 10001 access token expired, 10002 access token invalid;
# 5xxxx system busy / internal error.
RATE_LIMITED = {10003}
TOKEN_CODES = {10001, 10002}
PAGE_SIZE = 1000  # the platform's maximum


def request(account: str, day: str) -> Request:
    return Request(
        "POST",
        REPORT_PATH,
        json={"advertiser_id": account, "start_date": day, "end_date": day, "time_unit": "DAY"},
        page_in=("json",),  # page_num / page_size go in the JSON body, beside the report's parameters
    )


def check(response, body: dict | None) -> None:
    """`success` false or a non-zero `code` is an error, whatever the HTTP status."""
    if body is None or ("code" not in body and "success" not in body):
        return
    code = body.get("code")
    if code == 0 and body.get("success") is not False:
        return
    message = f"code {code}: {body.get('msg')}"
    if code in RATE_LIMITED:
        raise RateLimited(message)
    if code in TOKEN_CODES:
        raise TokenExpired(message)
    if isinstance(code, int) and code >= 50000:
        raise Transient(message)
    if code == 0:  # success false with code 0: the envelope contradicts itself; never land it as a success
        raise PlatformError(f"success false — {message}")
    raise PlatformError(message)


def refresh_request(env, refresh_token: str) -> Request:
    return Request(
        "POST",
        REFRESH_PATH,
        json={"app_id": env[V + "APP_ID"], "secret": env[V + "APP_SECRET"], "refresh_token": refresh_token},
    )


SPEC = ConnectorSpec(
    source="xiaohongshu_ads_reports",
    title="Xiaohongshu 聚光 offline creative report",
    endpoint=f"POST {REPORT_PATH} (advertiser_id, start_date = end_date = the day; page_num / page_size in the body)",
    env=EnvVars(
        base_url=V + "BASE_URL",
        accounts=V + "ADVERTISER_IDS",
        secrets=(V + "APP_SECRET", V + "ACCESS_TOKEN", V + "REFRESH_TOKEN"),
        settings=(V + "APP_ID",),
    ),
    token_var=V + "ACCESS_TOKEN",
    auth=HeaderToken("Access-Token", doc="`Access-Token` header"),
    refresh=RotatingToken(
        access_var=V + "ACCESS_TOKEN",
        refresh_var=V + "REFRESH_TOKEN",
        request=refresh_request,
        doc=f"codes 10001/10002 [?] → one POST {REFRESH_PATH} [?] (app_id, secret, refresh_token) returning a new "
        "pair [?]",
    ),
    paginator=PageTotal(page_size=PAGE_SIZE, total_path=("data", "total_count")),
    request=request,
    check=check,
    records=("data", "data_list"),
    landing=ApiLanding(
        records_path="$.data.data_list",
        columns={
            "advertiser_id": "ctx.$.account_id"
        },  # the advertiser the request named; rows do not repeat it
    ),
    limits="HTTP 429 and code 10003 [?] → backoff with jitter; 5xxxx [?] retried; `success: false` or a non-zero "
    'code is an error even on HTTP 200; page_size ≤ 1000; ctr arrives as "x.xx%" text and is never read as a number',
    restatement="platform-attributed orders and GMV (goods_order, rgmv) arrive late [?]: re-pulled in the window",
)
