"""Pull days of one source's report into landing/: every account, every page, then the day's completion marker."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from growthmart.connectors.client import ApiClient
from growthmart.connectors.errors import ConnectorError, NotConfigured, PlatformError, Retryable, TokenExpired
from growthmart.connectors.landing import DayLanding, page_name
from growthmart.connectors.paging import dig
from growthmart.connectors.settings import PullSettings, pull_settings
from growthmart.connectors.spec import ConnectorSpec, RotatingToken
from growthmart.connectors.tokens import TokenStore, state_path


@dataclass
class PullResult:
    """What one pull fetched: per day its pages and rows, and the retries and waits it took."""

    source: str
    days: dict[str, dict] = field(default_factory=dict)  # day -> {"pages": n, "rows": n}
    requests: int = 0
    retries: int = 0
    rate_limit_waits: int = 0
    waited_seconds: float = 0.0
    token_refreshes: int = 0

    @property
    def pages(self) -> int:
        return sum(d["pages"] for d in self.days.values())

    @property
    def rows(self) -> int:
        return sum(d["rows"] for d in self.days.values())


def window(last_day: str, days: int, first_allowed: str | None = None) -> list[str]:
    """The `days` days ending with `last_day` (the restatement window), none before `first_allowed`."""
    end = date.fromisoformat(last_day)
    out = [(end - timedelta(days=n)).isoformat() for n in range(days - 1, -1, -1)]
    return [d for d in out if first_allowed is None or d >= first_allowed]


def days_to_pull(
    partitions: list[str],
    restatement_days: int,
    landing_dir: Path,
    source: str,
    first_allowed: str | None = None,
) -> list[str]:
    """The run's days plus each one's restatement window. Before the run's first day the window only re-pulls days
    this source has landed already (a restatement); it never fetches older days nobody asked for — a first
    backfill of May starts on 1 May, not a week earlier."""
    first = min(partitions)
    wanted = {d for p in partitions for d in window(p, restatement_days, first_allowed)}
    return sorted(d for d in wanted if d >= first or (Path(landing_dir) / source / d).is_dir())


def token_store(spec: ConnectorSpec, data_dir: Path, env: Mapping[str, str]) -> TokenStore | None:
    if not isinstance(spec.refresh, RotatingToken):  # a minted token lives in memory only
        return None
    r = spec.refresh
    return TokenStore(
        state_path(data_dir, spec.source),
        seed={"access_token": env.get(r.access_var), "refresh_token": env.get(r.refresh_var)},
        seed_vars={"access_token": r.access_var, "refresh_token": r.refresh_var},
    )


def pull(
    spec: ConnectorSpec,
    days: list[str],
    data_dir: Path | str,
    env: Mapping[str, str] | None = None,
    settings: PullSettings | None = None,
    log: Callable[[str], None] | None = None,
) -> PullResult:
    """Land `days` (in order) of `spec`'s report under `<data_dir>/landing/<source>/<day>/`.

    Raises `ConnectorError` naming source, day, account and page with the platform's message when a request
    fails for good; the day being pulled is then left without its completion marker.
    """
    env = dict(os.environ if env is None else env)
    missing = spec.env.missing(env)
    if missing:
        raise NotConfigured(f"{spec.source}: set {', '.join(missing)}")
    settings = settings or pull_settings(env)
    say = log or (lambda _m: None)
    client = ApiClient(spec, env, settings, token_store(spec, Path(data_dir), env), log=say)
    result = PullResult(spec.source)
    try:
        contexts: dict[str, dict] = {}
        for account in spec.accounts(env):
            contexts[account] = {"account_id": account}
            if spec.account_context:
                try:
                    contexts[account] |= spec.account_context(client.send, account)
                except (Retryable, TokenExpired, PlatformError) as exc:
                    raise ConnectorError(spec.source, days[0], f"account {account}", str(exc)) from None
        for day in days:
            result.days[day] = _pull_day(spec, client, Path(data_dir) / "landing", day, contexts)
            say(f"{spec.source}: {day}: {result.days[day]['pages']} pages, {result.days[day]['rows']} rows")
    finally:
        s = client.stats
        result.requests, result.retries, result.rate_limit_waits = s.requests, s.retries, s.rate_limit_waits
        result.waited_seconds, result.token_refreshes = round(s.waited_seconds, 3), s.token_refreshes
        client.close()
    return result


def _pull_day(spec: ConnectorSpec, client: ApiClient, landing: Path, day: str, contexts: dict) -> dict:
    out = DayLanding(landing, spec.source, day)
    out.begin()
    pages = rows = 0
    for account, context in contexts.items():
        request = spec.request(account, day)
        position, number, account_rows, total = spec.paginator.first(), 1, 0, None
        while position is not None:
            where = f"account {account}, page {number}"
            try:
                raw, body = client.send(request.at(position))
                records = dig(body, spec.records) or []
                if not isinstance(records, list):
                    raise PlatformError(f"no record list at {'.'.join(map(str, spec.records))}")
                following = spec.paginator.next(body, position, len(records))
            except (Retryable, TokenExpired, PlatformError) as exc:
                raise ConnectorError(spec.source, day, where, str(exc)) from None
            total = spec.paginator.total(body) if total is None else total
            out.write_page(page_name(account, number), client.redactor.bytes(raw), len(records), context)
            account_rows += len(records)
            pages, number, position = pages + 1, number + 1, following
        if total is not None and total != account_rows:
            raise ConnectorError(
                spec.source,
                day,
                f"account {account}, {number - 1} pages",
                f"the platform reported {total} rows, the pages held {account_rows}: a page is missing or repeated",
            )
        rows += account_rows
    out.complete()
    return {"pages": pages, "rows": rows}
