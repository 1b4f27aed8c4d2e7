"""WeChat official account datacube /datacube/getarticlesummary (one day per call) → landing/wechat_article_summary."""

from __future__ import annotations

from growthmart.connectors.errors import PlatformError, RateLimited, TokenExpired, Transient
from growthmart.connectors.paging import SinglePage
from growthmart.connectors.spec import ApiLanding, ConnectorSpec, EnvVars, MintedToken, QueryToken, Request

V = "GROWTHMART_WECHAT_"
INVALID_CREDENTIAL, TOKEN_EXPIRED, TOKEN_MISSING = 40001, 42001, 40014
DAILY_QUOTA = 45009
MINUTE_QUOTA = 45011  # "api minute-quota reach limit" [?]
SYSTEM_BUSY = -1


def request(account: str, day: str) -> Request:
    """One day per call: begin_date = end_date = the day (the datacube's latest day is yesterday)."""
    return Request("POST", "/datacube/getarticlesummary", json={"begin_date": day, "end_date": day})


def token_request(env) -> Request:
    """client_credential: a token valid 7200 s; minting one invalidates the app's previous token."""
    return Request(
        "GET",
        "/cgi-bin/token",
        params={
            "grant_type": "client_credential",
            "appid": env[V + "APP_ID"],
            "secret": env[V + "APP_SECRET"],
        },
    )


def access_token(body: dict) -> str:
    return body.get("access_token") or ""


def check(response, body: dict | None) -> None:
    """`{errcode, errmsg}` with HTTP 200; errcode 0 or absent is a success."""
    code = (body or {}).get("errcode") or 0
    if code == 0:
        return
    message = f"errcode {code}: {body.get('errmsg')}"
    if code in (INVALID_CREDENTIAL, TOKEN_EXPIRED, TOKEN_MISSING):
        raise TokenExpired(message)
    if code == DAILY_QUOTA:
        raise PlatformError(
            f"daily quota exhausted (45009): stop for the day, the next run pulls it — {message}"
        )
    if code == MINUTE_QUOTA:
        raise RateLimited(message)
    if code == SYSTEM_BUSY:
        raise Transient(message)
    raise PlatformError(message)


SPEC = ConnectorSpec(
    source="wechat_article_summary",
    title="WeChat datacube getarticlesummary",
    endpoint="POST /datacube/getarticlesummary?access_token= (body {begin_date, end_date}: one day)",
    env=EnvVars(base_url=V + "BASE_URL", accounts=V + "APP_ID", secrets=(V + "APP_SECRET",)),
    token_var="",
    auth=QueryToken("access_token", doc="`access_token` query parameter"),
    refresh=MintedToken(
        request=token_request,
        token=access_token,
        doc="GET /cgi-bin/token?grant_type=client_credential (app id + secret) before the first call and once "
        "more on errcode 40001/42001, then the request is retried once; kept in memory only. One token is valid "
        "per app: minting invalidates a token another process holds, so one process must own the pulls",
    ),
    paginator=SinglePage(),
    request=request,
    check=check,
    records=("list",),
    landing=ApiLanding(records_path="$.list"),
    limits="errcode 45009 (daily quota) fails the pull for the day, never retried; -1 (system busy) and "
    "45011 [?] → backoff with jitter",
    restatement="the datacube serves up to yesterday; a day's figures may still change the next day",
)
