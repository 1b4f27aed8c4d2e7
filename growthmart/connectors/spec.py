"""What a connector declares about its platform; the machinery (growthmart/connectors/client.py, pull.py) does the rest.

A platform is one spec module in growthmart/connectors/specs/ declaring a `ConnectorSpec`: its environment
variables, the report request for one account and day, where the page position goes, how its token is sent and
refreshed, how a response says "slow down", "token expired" or "failed", and how a landed page's records map
onto the source's landing contract (`ApiLanding`, read by the loader).
"""

from __future__ import annotations

import os
import secrets as _random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace

from growthmart.connectors.errors import NotConfigured, PlatformError


@dataclass(frozen=True)
class Request:
    """One HTTP request without its credentials; `page_in` says where the paginator's position goes."""

    method: str
    path: str
    params: dict = field(default_factory=dict)
    json: dict | None = None
    headers: dict = field(default_factory=dict)
    page_in: tuple = ("params",)  # ("params",) or ("json", "body") — a path into the JSON body
    data: dict | None = None  # a form body (application/x-www-form-urlencoded: OAuth2 token endpoints)

    def at(self, position: dict) -> Request:
        if self.page_in[0] == "params":
            return replace(self, params={**self.params, **position})
        body = dict(self.json or {})
        node = body
        for step in self.page_in[1:]:
            node[step] = dict(node.get(step) or {})
            node = node[step]
        node.update(position)
        return replace(self, json=body)


@dataclass(frozen=True)
class EnvVars:
    """The environment variables of one connector, each named once. `secrets` are never logged or landed."""

    base_url: str
    accounts: str  # comma-separated account ids
    secrets: tuple[str, ...]
    settings: tuple[str, ...] = ()  # other non-secret values (app id, user name)

    @property
    def required(self) -> tuple[str, ...]:
        return (self.base_url, self.accounts, *self.secrets, *self.settings)

    def missing(self, env: Mapping[str, str]) -> list[str]:
        return [v for v in self.required if not env.get(v)]


@dataclass(frozen=True)
class HeaderToken:
    """The access token in a request header (Ocean Engine `Access-Token`)."""

    header: str
    doc: str = ""

    def apply(self, request: Request, token: str, env: Mapping[str, str]) -> Request:
        return replace(request, headers={**request.headers, self.header: token})


@dataclass(frozen=True)
class QueryToken:
    """The access token as a query parameter (Meta `access_token`); `signed` adds Tencent's `timestamp` (seconds,
    within ±300 s of the server's clock) and a random `nonce` to every call."""

    param: str = "access_token"
    signed: bool = False
    doc: str = ""

    def apply(self, request: Request, token: str, env: Mapping[str, str]) -> Request:
        extra = {self.param: token}
        if self.signed:
            extra |= {"timestamp": int(time.time()), "nonce": _random.token_hex(16)}
        return replace(request, params={**request.params, **extra})


@dataclass(frozen=True)
class BodyHeaderToken:
    """Baidu: `{"header": {"userName", "accessToken"}, "body": {...}}` — credentials inside the JSON body."""

    user_var: str
    doc: str = ""

    def apply(self, request: Request, token: str, env: Mapping[str, str]) -> Request:
        body = dict(request.json or {})
        body["header"] = {**body.get("header", {}), "userName": env[self.user_var], "accessToken": token}
        return replace(request, json=body)


def data_pair(body: dict) -> tuple[str, str]:
    """The new pair in a refresh answer `{..., "data": {"access_token", "refresh_token"}}` (Ocean Engine, Tencent
    Ads, Xiaohongshu 聚光)."""
    data = body.get("data") or {}
    if not data.get("access_token") or not data.get("refresh_token"):
        raise PlatformError("the refresh answer holds no token pair")
    return data["access_token"], data["refresh_token"]


@dataclass(frozen=True)
class RotatingToken:
    """An OAuth2 refresh that returns a new access token AND a new refresh token (the old one stops working).

    `request(env, refresh_token)` builds the refresh call; `pair(body)` reads the new pair from its answer. The
    client saves the pair before using it (growthmart/connectors/tokens.py); `doc` says only how the platform is asked.
    """

    access_var: str
    refresh_var: str
    request: Callable[[Mapping[str, str], str], Request]
    pair: Callable[[dict], tuple[str, str]] = data_pair
    doc: str = ""


@dataclass(frozen=True)
class BearerToken:
    """`Authorization: Bearer <token>`, plus headers whose values come from variables (Google Ads
    `developer-token`, `login-customer-id`; a header whose variable is unset is left out)."""

    headers: tuple[tuple[str, str], ...] = ()  # (header, variable)
    doc: str = ""

    def apply(self, request: Request, token: str, env: Mapping[str, str]) -> Request:
        extra = {header: env[var] for header, var in self.headers if env.get(var)}
        return replace(request, headers={**request.headers, **extra, "Authorization": f"Bearer {token}"})


@dataclass(frozen=True)
class MintedToken:
    """An access token minted from long-lived credentials that do not rotate (Google's OAuth2 refresh_token
    grant, WeChat's client_credential): fetched before the first call and once more when the platform says it
    expired, then the request is retried once. Kept in memory only: never persisted, landed or logged.

    `request(env)` builds the mint call (its URL may be absolute: Google's token endpoint is another host);
    `token(body)` reads the access token from its answer.
    """

    request: Callable[[Mapping[str, str]], Request]
    token: Callable[[dict], str]
    doc: str = ""


@dataclass(frozen=True)
class ApiLanding:
    """How the loader reads a landed page: where its records are, and each contract column's JSON path.

    A path starting with `$` is read in the record; one starting with `ctx.$` in the page's request context that
    the completion marker keeps (the account id a report row does not repeat, the account's time zone). Columns
    not listed are read from the record key of the same name.
    """

    records_path: str
    columns: dict[str, str] = field(default_factory=dict)

    def path(self, column: str) -> tuple[str, str]:
        """(root, JSON path) of a contract column: root 'rec' or 'ctx'."""
        p = self.columns.get(column)
        if p is None:
            return "rec", '$."' + column.replace('"', '\\"') + '"'
        return ("ctx", p[4:]) if p.startswith("ctx.$") else ("rec", p)


Check = Callable[..., None]  # (httpx.Response, parsed JSON body or None)


@dataclass(frozen=True)
class ConnectorSpec:
    """Everything platform-specific about pulling one source's daily report."""

    source: str  # the landing contract's name (growthmart/contracts.py)
    title: str
    endpoint: str  # for people: "GET /open_api/v3.0/report/custom/get/"
    env: EnvVars
    token_var: str  # the access token's variable ("" when the token is minted: `refresh` is a MintedToken)
    auth: HeaderToken | QueryToken | BodyHeaderToken | BearerToken
    paginator: object  # growthmart/connectors/paging.py
    request: Callable[[str, str], Request]  # (account, day) -> the first page's request
    check: Check  # raises RateLimited / Transient / TokenExpired / PlatformError
    records: tuple  # path of the record list in a page
    landing: ApiLanding
    refresh: RotatingToken | MintedToken | None = None
    account_context: Callable[..., dict] | None = None  # (send, account) -> facts a page's rows need
    pace: Callable[..., float] | None = None  # (httpx.Response) -> backoff steps to pause after a success
    limits: str = ""  # for people: rate limits and quotas
    restatement: str = ""  # for people: how late the platform changes a day

    def configured(self, env: Mapping[str, str] | None = None) -> bool:
        return not self.env.missing(os.environ if env is None else env)

    def accounts(self, env: Mapping[str, str]) -> list[str]:
        found = [a.strip() for a in env.get(self.env.accounts, "").split(",") if a.strip()]
        if not found:
            raise NotConfigured(f"{self.source}: set {self.env.accounts} (comma-separated account ids)")
        return found
