"""Baidu search ads (百度营销) getReportData keyword report → landing/baidu_keyword_stats (the CSV's columns)."""

from __future__ import annotations

from growthmart.connectors.errors import PlatformError, RateLimited, Transient
from growthmart.connectors.paging import Offset
from growthmart.connectors.spec import ApiLanding, BodyHeaderToken, ConnectorSpec, EnvVars, Request

V = "GROWTHMART_BAIDU_"
KEYWORD_REPORT = 2602783
COLUMNS = [
    "date",
    "userName",
    "campaignId",
    "campaignNameStatus",
    "adGroupId",
    "adGroupNameStatus",
    "wInfoId",
    "wInfoNameStatus",
    "mixWmatchEnum",
    "impression",
    "click",
    "cost",
    "conversion",  # [?] the conversion column's API name is not confirmed
]
OK, PARTIAL, FAILED, SYSTEM = 0, 1, 2, 3


def request(account: str, day: str) -> Request:
    return Request(
        "POST",
        "/json/sms/service/OpenApiReportService/getReportData",
        json={
            "header": {"target": account},
            "body": {
                "reportType": KEYWORD_REPORT,
                "startDate": day,
                "endDate": day,
                "timeUnit": "DAY",
                "columns": COLUMNS,
                "needSum": False,
            },
        },
        page_in=("json", "body"),
    )


def check(response, body: dict | None) -> None:
    """header.status 0 = success; 1 (partial) is NOT a success; 3 = system busy; rquota 0 = quota spent."""
    header = (body or {}).get("header")
    if not isinstance(header, dict) or header.get("status") == OK:
        return
    status, failures = header.get("status"), header.get("failures") or []
    message = f"header status {status}: {header.get('desc')} {failures}".strip()
    if header.get("rquota") == 0:
        raise PlatformError(f"daily quota exhausted (rquota 0) — {message}")
    if status == SYSTEM:
        raise RateLimited(message)
    if status == PARTIAL:
        raise Transient(f"partial success is not a success — {message}")
    raise PlatformError(message)


SPEC = ConnectorSpec(
    source="baidu_keyword_stats",
    title="Baidu getReportData (keyword report)",
    endpoint="POST /json/sms/service/OpenApiReportService/getReportData (reportType 2602783, timeUnit DAY)",
    env=EnvVars(
        base_url=V + "BASE_URL",
        accounts=V + "TARGET_ACCOUNTS",
        secrets=(V + "ACCESS_TOKEN",),
        settings=(V + "USERNAME",),
    ),
    token_var=V + "ACCESS_TOKEN",
    auth=BodyHeaderToken(V + "USERNAME", doc="`userName` + `accessToken` in the body's `header`"),
    paginator=Offset(page_size=1000, total_path=("body", "data", 0, "totalRows")),
    request=request,
    check=check,
    records=("body", "data", 0, "rows"),
    landing=ApiLanding(
        records_path="$.body.data[0].rows",
        columns={
            "日期": "$.date",
            "账户名": "$.userName",
            "计划ID": "$.campaignId",
            "计划名": "$.campaignNameStatus",
            "单元ID": "$.adGroupId",
            "单元名": "$.adGroupNameStatus",
            "关键词ID": "$.wInfoId",
            "关键词": "$.wInfoNameStatus",
            "匹配模式": "$.mixWmatchEnum",
            "展现": "$.impression",
            "点击": "$.click",
            "消费": "$.cost",
            "转化": "$.conversion",
        },
    ),
    limits="header status 3 → backoff with jitter; status 1 (partial) is retried, never landed, then fails; "
    "rquota 0 (daily quota spent) fails the pull; rowCount ≤ 1000",
    restatement="search conversions restate for a few days",
)
