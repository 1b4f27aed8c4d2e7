"""Google Ads API googleAds:search (GAQL FROM ad_group_ad, one day) → landing/google_ads_ad_stats.

The pages are the REST responses unchanged: nested camelCase rows, int64 values as JSON strings; each contract
column's place in a row is its `json_path` (growthmart/contracts.py), so the file export and the API pages are
read the same way.
"""

from __future__ import annotations

import re

from growthmart.connectors.errors import PlatformError, RateLimited, TokenExpired, Transient
from growthmart.connectors.paging import NextToken
from growthmart.connectors.spec import ApiLanding, BearerToken, ConnectorSpec, EnvVars, MintedToken, Request
from growthmart.contracts import get_contract

V = "GROWTHMART_GOOGLE_ADS_"
SOURCE = "google_ads_ad_stats"
# The REST path carries the API version; the reference pages name v26 the latest active version [?] (a sunset
# version answers 404 / UNIMPLEMENTED: bump it here).
API_VERSION = "v26"
TOKEN_URL_DEFAULT = "https://oauth2.googleapis.com/token"
FIELDS = [c.name for c in get_contract(SOURCE).columns]  # GAQL field names = the contract's column names
QUOTA_DAILY, QUOTA_SHORT = "RESOURCE_EXHAUSTED", "RESOURCE_TEMPORARILY_EXHAUSTED"
SHORT_TERM = {QUOTA_SHORT, "EXCESSIVE_SHORT_TERM_QUERY_RESOURCE_CONSUMPTION"}
TRANSIENT_STATUS = {"UNAVAILABLE", "INTERNAL", "DEADLINE_EXCEEDED", "ABORTED"}


def _customer(account: str) -> str:
    return account.replace("-", "")  # 123-456-7890 as the UI shows it → 1234567890


def query(day: str) -> str:
    return (
        f"SELECT {', '.join(FIELDS)} FROM ad_group_ad "
        f"WHERE segments.date BETWEEN '{day}' AND '{day}' ORDER BY ad_group_ad.ad.id"
    )


def request(account: str, day: str) -> Request:
    return Request(
        "POST",
        f"/{API_VERSION}/customers/{_customer(account)}/googleAds:search",
        json={"query": query(day), "returnTotalResultsCount": True},
        page_in=("json",),
    )


def token_request(env) -> Request:
    """OAuth2 refresh_token grant: the refresh token does not rotate, the access token lasts about an hour."""
    return Request(
        "POST",
        env.get(V + "TOKEN_URL") or TOKEN_URL_DEFAULT,
        data={
            "grant_type": "refresh_token",
            "client_id": env[V + "CLIENT_ID"],
            "client_secret": env[V + "CLIENT_SECRET"],
            "refresh_token": env[V + "REFRESH_TOKEN"],
        },
    )


def access_token(body: dict) -> str:
    return body.get("access_token") or ""


def _seconds(duration: str | None) -> float | None:
    """A protobuf Duration in JSON ('30s', '1.5s') in seconds."""
    m = re.fullmatch(r"(\d+(?:\.\d+)?)s", str(duration or "").strip())
    return float(m.group(1)) if m else None


def _failures(error: dict) -> list[dict]:
    return [e for d in error.get("details") or [] for e in (d.get("errors") or []) if isinstance(e, dict)]


def check(response, body: dict | None) -> None:
    """`{"error": {code, status, message, details: [GoogleAdsFailure {errors: [{errorCode, details}]}]}}`."""
    error = (body or {}).get("error")
    if not isinstance(error, dict):  # the token endpoint's {"error": "invalid_grant"} is an HTTP 400
        return
    failures = _failures(error)
    codes = [next(iter((f.get("errorCode") or {}).values()), None) for f in failures]
    status = error.get("status")
    message = f"{status} {codes or ''}: {error.get('message')} {[f.get('message') for f in failures]}"
    if QUOTA_DAILY in codes:
        raise PlatformError(f"daily quota exhausted (RESOURCE_EXHAUSTED): retry tomorrow — {message}")
    short = [f for f, code in zip(failures, codes, strict=True) if code in SHORT_TERM]
    if short:
        delay = _seconds(((short[0].get("details") or {}).get("quotaErrorDetails") or {}).get("retryDelay"))
        raise RateLimited(message, delay)
    if status == "UNAUTHENTICATED":
        raise TokenExpired(message)
    if status == "RESOURCE_EXHAUSTED":  # a quota error without its GoogleAdsFailure details
        raise RateLimited(message)
    if status in TRANSIENT_STATUS:
        raise Transient(message)
    raise PlatformError(message)


SPEC = ConnectorSpec(
    source=SOURCE,
    title="Google Ads googleAds:search (GAQL, ad_group_ad)",
    endpoint=f"POST /{API_VERSION}/customers/<id>/googleAds:search (FROM ad_group_ad, segments.date BETWEEN the day AND the day)",
    env=EnvVars(
        base_url=V + "BASE_URL",
        accounts=V + "CUSTOMER_IDS",
        secrets=(V + "CLIENT_SECRET", V + "REFRESH_TOKEN", V + "DEVELOPER_TOKEN"),
        settings=(V + "CLIENT_ID", V + "LOGIN_CUSTOMER_ID"),  # + optional TOKEN_URL (default Google's)
    ),
    token_var="",
    auth=BearerToken(
        headers=(("developer-token", V + "DEVELOPER_TOKEN"), ("login-customer-id", V + "LOGIN_CUSTOMER_ID")),
        doc="`Authorization: Bearer <access token>`, `developer-token` and `login-customer-id` (the manager "
        "account) headers",
    ),
    refresh=MintedToken(
        request=token_request,
        token=access_token,
        doc=f"the access token is minted before the first call (POST {TOKEN_URL_DEFAULT}, or `{V}TOKEN_URL`; "
        "grant_type=refresh_token "
        "with the client id/secret and the refresh token, which does not rotate) and once more on "
        "UNAUTHENTICATED, then the request is retried once; kept in memory only",
    ),
    paginator=NextToken(
        token_param="pageToken", token_path=("nextPageToken",), total_path=("totalResultsCount",)
    ),
    request=request,
    check=check,
    records=("results",),
    landing=ApiLanding(
        records_path="$.results",
        columns={c.name: c.json_path for c in get_contract(SOURCE).columns if c.json_path},
    ),
    limits="RESOURCE_TEMPORARILY_EXHAUSTED → backoff by its quotaErrorDetails.retryDelay (plus jitter); "
    "RESOURCE_EXHAUSTED (the developer token's daily operations) fails the pull naming it; pages are fixed "
    "at 10,000 rows (no page size since v17)",
    restatement="conversions restate for the conversion window (up to 30+ days); the customer's day "
    "(customer.time_zone) is kept",
)
