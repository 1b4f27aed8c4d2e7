"""The one HTTP client every connector uses: httpx for the calls, tenacity for bounded retries.

- HTTP 429 (+ Retry-After), 5xx, network errors and the platform's own signals (the spec's `check`) are retried
  up to `max_attempts` times, waiting the platform's delay when it gives one, else exponential backoff, plus
  jitter either way; then the last error is raised (the pull names source, day and page).
- A token the platform calls expired is refreshed once per pull (when the platform has a refresh call) and the
  request retried; an expired token that cannot be refreshed, or expires again, fails at once.
- The refreshed pair is persisted (TokenStore) before it is used.
- A minted token (`MintedToken`: Google's OAuth2 refresh_token grant, WeChat's client_credential) is fetched
  before the first call and once more on an expiry signal, then the request is retried once; it is kept in
  memory only.
- Every message passes through the `Redactor`: no secret reaches a log, an exception or run metadata.
"""

from __future__ import annotations

import json
import logging
import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import httpx
import tenacity

from growthmart.connectors.errors import PlatformError, RateLimited, Retryable, TokenExpired, Transient
from growthmart.connectors.secrets import Redactor
from growthmart.connectors.settings import PullSettings
from growthmart.connectors.spec import ConnectorSpec, MintedToken, Request
from growthmart.connectors.tokens import TokenStore


@dataclass
class ClientStats:
    requests: int = 0
    retries: int = 0
    rate_limit_waits: int = 0
    waited_seconds: float = 0.0
    token_refreshes: int = 0
    token_mints: int = 0  # minted tokens (the first one and each refresh of a MintedToken)
    messages: list[str] = field(default_factory=list)  # the retried errors, redacted


def retry_after(response: httpx.Response) -> float | None:
    """Retry-After in seconds (the HTTP-date form is not used by these platforms and counts as absent)."""
    value = response.headers.get("retry-after", "").strip()
    return float(value) if value.replace(".", "", 1).isdigit() else None


class ApiClient:
    """Sends one connector's requests: credentials, retries, the token refresh, redaction."""

    def __init__(
        self,
        spec: ConnectorSpec,
        env: Mapping[str, str],
        settings: PullSettings,
        tokens: TokenStore | None = None,
        log: Callable[[str], None] | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self.spec, self.env, self.settings, self.tokens = spec, env, settings, tokens
        self.redactor = Redactor(env.get(v) for v in spec.env.secrets)
        self.stats = ClientStats()
        self._log = log or (lambda _msg: None)
        self._sleep = sleep
        self._refreshed = False
        self._token = self._initial_token()
        # httpx logs every request's full URL at INFO, and Tencent's and Meta's URLs carry the access token.
        logging.getLogger("httpx").setLevel(logging.WARNING)
        self.http = httpx.Client(base_url=env[spec.env.base_url], timeout=settings.timeout_seconds)

    def close(self) -> None:
        self.http.close()

    @property
    def _minted(self) -> bool:
        return isinstance(self.spec.refresh, MintedToken)

    def _initial_token(self) -> str | None:
        if self._minted:
            return None  # minted before the first call (`send`), not read from the environment
        if self.spec.refresh and self.tokens:
            pair = self.tokens.load()
            for value in pair.values():
                self.redactor.add(value)
            return pair["access_token"]
        return self.env[self.spec.token_var]

    # ------------------------------------------------------------------ sending
    def send(self, request: Request) -> tuple[bytes, dict]:
        """(raw body, parsed JSON) of a successful response; raises the last error once retries are spent."""
        if self._minted and self._token is None:
            self.mint()
        try:
            return self._with_retries(request)
        except TokenExpired:
            if self._refreshed or not (self._minted or (self.spec.refresh and self.tokens)):
                raise
            self.refresh()
            return self._with_retries(request)  # an expired token again is raised: never loop

    def _with_retries(self, request: Request, authenticated: bool = True) -> tuple[bytes, dict]:
        retrying = tenacity.Retrying(
            retry=tenacity.retry_if_exception_type(Retryable),
            stop=tenacity.stop_after_attempt(self.settings.max_attempts),
            wait=self._wait,
            before_sleep=self._before_sleep,
            sleep=self._sleep,
            reraise=True,
        )
        return retrying(self._once, request, authenticated)

    def _wait(self, state: tenacity.RetryCallState) -> float:
        error = state.outcome.exception() if state.outcome else None
        jitter = random.uniform(0, self.settings.backoff_seconds)
        if isinstance(error, Retryable) and error.wait is not None:  # the platform said how long
            return min(error.wait + jitter, self.settings.max_wait_seconds)
        backoff = self.settings.backoff_seconds * 2 ** (state.attempt_number - 1)
        return min(backoff + jitter, self.settings.max_wait_seconds)

    def _before_sleep(self, state: tenacity.RetryCallState) -> None:
        error = state.outcome.exception() if state.outcome else None
        wait = state.next_action.sleep if state.next_action else 0.0
        self.stats.retries += 1
        self.stats.waited_seconds += wait
        if getattr(error, "rate_limited", False):
            self.stats.rate_limit_waits += 1
        message = self.redactor.text(error)
        self.stats.messages.append(message)
        self._log(f"{self.spec.source}: {message}; attempt {state.attempt_number + 1} in {wait:.1f} s")

    def _once(self, request: Request, authenticated: bool) -> tuple[bytes, dict]:
        # The refresh call carries the app's credentials in its body, not the (expired) access token.
        signed = self.spec.auth.apply(request, self._token, self.env) if authenticated else request
        self.stats.requests += 1
        try:
            response = self.http.request(
                signed.method,
                signed.path,
                params=signed.params,
                json=signed.json,
                data=signed.data,
                headers=signed.headers,
            )
        except httpx.TransportError as exc:
            raise Transient(self.redactor.text(f"{type(exc).__name__}: {exc}")) from None
        body = self._json(response)
        status_wait = retry_after(response) if response.status_code == 429 else None
        try:
            self.spec.check(response, body)  # the platform's envelope: its codes win over the HTTP status
        except (Retryable, TokenExpired, PlatformError) as exc:
            # A daily quota refused with HTTP 429 (Google RESOURCE_EXHAUSTED) must fail, not be retried; a
            # rate limit keeps the platform's own delay, else the response's Retry-After.
            wait = _wait_of(exc)
            if wait == (None,):
                wait = (status_wait,)
            raise type(exc)(self._describe(response, body, str(exc)), *wait) from None
        if response.status_code == 429:
            raise RateLimited(self._describe(response, body, "rate limited (HTTP 429)"), status_wait)
        if response.status_code >= 500:
            raise Transient(self._describe(response, body, "server error"))
        if response.status_code >= 400 or body is None:
            raise PlatformError(self._describe(response, body, "request refused" if body else "not JSON"))
        if self.spec.pace:
            pause = self.spec.pace(response) * self.settings.backoff_seconds  # pace is in backoff steps
            if pause > 0:
                self.stats.rate_limit_waits += 1
                self.stats.waited_seconds += pause
                self._sleep(pause)
        return response.content, body

    @staticmethod
    def _json(response: httpx.Response) -> dict | None:
        try:
            body = response.json()
        except (json.JSONDecodeError, UnicodeDecodeError):
            return None
        return body if isinstance(body, dict) else None

    def _describe(self, response: httpx.Response, body: dict | None, what: str) -> str:
        """What went wrong, as the platform said it, with the URL's path only (query strings carry tokens)."""
        snippet = json.dumps(body, ensure_ascii=False)[:300] if body is not None else response.text[:200]
        return self.redactor.text(
            f"{what} — {response.request.method} {response.request.url.path} → HTTP {response.status_code}: {snippet}"
        )

    # ------------------------------------------------------------------ token refresh
    def mint(self) -> None:
        """Fetch an access token from the long-lived credentials (MintedToken); it stays in memory only."""
        spec = self.spec.refresh
        assert isinstance(spec, MintedToken)
        _, body = self._with_retries(spec.request(self.env), authenticated=False)
        token = spec.token(body)
        if not token:
            raise PlatformError(self._describe_body(body, "the token answer holds no access token"))
        self.redactor.add(token)
        self._token = token
        self.stats.token_mints += 1
        self._log(f"{self.spec.source}: access token fetched (kept in memory only)")

    def _describe_body(self, body: dict | None, what: str) -> str:
        keys = sorted(body) if isinstance(body, dict) else None
        return self.redactor.text(f"{what} (answer keys {keys})")

    def refresh(self) -> None:
        """Exchange the refresh token for a new pair, persist the pair, then use it (one refresh per pull).
        A minted token is minted again instead (nothing to persist)."""
        if self._minted:
            self._refreshed = True
            self.mint()
            self.stats.token_refreshes += 1
            return
        spec, store = self.spec.refresh, self.tokens
        assert spec is not None and store is not None
        self._refreshed = True
        current = store.load()
        self.redactor.add(current.get("refresh_token"))
        request = spec.request(self.env, current["refresh_token"])
        _, body = self._with_retries(request, authenticated=False)
        access, refresh = spec.pair(body)
        self.redactor.add(access)
        self.redactor.add(refresh)
        store.save({"access_token": access, "refresh_token": refresh})  # before use: a crash cannot lose it
        self._token = access
        self.stats.token_refreshes += 1
        self._log(f"{self.spec.source}: access token refreshed; the new pair is saved in {store.path}")


def _wait_of(error: Exception) -> tuple:
    return (error.wait,) if isinstance(error, Retryable) else ()
