"""Ocean Engine (巨量引擎) v3 custom report → landing/ocean_engine_ad_stats (the UI export's columns)."""

from __future__ import annotations

import json

from growthmart.connectors.errors import PlatformError, RateLimited, TokenExpired, Transient
from growthmart.connectors.paging import PageNumber
from growthmart.connectors.spec import (
    ApiLanding,
    ConnectorSpec,
    EnvVars,
    HeaderToken,
    Request,
    RotatingToken,
)

V = "GROWTHMART_OCEAN_ENGINE_"
DIMENSIONS = ["stat_time_day", "cdp_project_id", "cdp_project_name", "cdp_promotion_id", "cdp_promotion_name"]
# attribution_convert_amount: the conversion value metric's name is not confirmed [?] (docs/sources.md).
METRICS = ["show_cnt", "click_cnt", "ctr", "stat_cost", "convert_cnt", "attribution_convert_amount"]
RATE_LIMITED, TOKEN_EXPIRED, TOKEN_INVALID, SYSTEM_ERROR = 40100, 40102, 40105, 50000


def request(account: str, day: str) -> Request:
    return Request(
        "GET",
        "/open_api/v3.0/report/custom/get/",
        params={
            "advertiser_id": account,
            "dimensions": json.dumps(DIMENSIONS),
            "metrics": json.dumps(METRICS),
            "filters": "[]",
            "start_time": day,
            "end_time": day,
            "order_by": json.dumps([{"field": "stat_time_day", "type": "ASC"}]),
        },
    )


def check(response, body: dict | None) -> None:
    """HTTP 200 with a non-zero `code` is an error."""
    if body is None or body.get("code", 0) == 0:
        return
    code, message = body.get("code"), f"code {body.get('code')}: {body.get('message')}"
    if code == RATE_LIMITED:
        raise RateLimited(message)
    if code in (TOKEN_EXPIRED, TOKEN_INVALID):
        raise TokenExpired(message)
    if code == SYSTEM_ERROR:
        raise Transient(message)
    raise PlatformError(message)


def refresh_request(env, refresh_token: str) -> Request:
    return Request(
        "POST",
        "/open_api/oauth2/refresh_token/",
        json={
            "app_id": env[V + "APP_ID"],
            "secret": env[V + "APP_SECRET"],
            "grant_type": "refresh_token",
            "refresh_token": refresh_token,
        },
    )


SPEC = ConnectorSpec(
    source="ocean_engine_ad_stats",
    title="Ocean Engine v3 custom report",
    endpoint="GET /open_api/v3.0/report/custom/get/ (dimensions stat_time_day, cdp_project_*, cdp_promotion_*)",
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
        doc="codes 40102/40105 → one POST /open_api/oauth2/refresh_token/",
    ),
    paginator=PageNumber(page_size=1000, info_path=("data", "page_info")),
    request=request,
    check=check,
    records=("data", "list"),
    landing=ApiLanding(
        records_path="$.data.list",
        columns={
            "日期": "$.dimensions.stat_time_day",
            "账户ID": "ctx.$.account_id",  # the advertiser the request named; rows do not repeat it
            "项目ID": "$.dimensions.cdp_project_id",
            "项目名称": "$.dimensions.cdp_project_name",
            "广告ID": "$.dimensions.cdp_promotion_id",
            "广告名称": "$.dimensions.cdp_promotion_name",
            "展示数": "$.metrics.show_cnt",
            "点击数": "$.metrics.click_cnt",
            "点击率(%)": "$.metrics.ctr",
            "消耗(元)": "$.metrics.stat_cost",
            "转化数": "$.metrics.convert_cnt",
            "转化金额(元)": "$.metrics.attribution_convert_amount",
        },
    ),
    limits="code 40100 (请求过于频繁) and HTTP 429 → backoff with jitter; page_size ≤ 1000",
    restatement="spend settles by ~10:00 the next day; conversions keep arriving for days",
)
