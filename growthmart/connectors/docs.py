"""The "API connectors" part of docs/sources.md, generated from the connector specs (growthmart/connectors/specs)."""

from __future__ import annotations

from growthmart.connectors.landing import MARKER
from growthmart.connectors.settings import (
    BACKOFF_VAR,
    MAX_ATTEMPTS_VAR,
    RESTATEMENT_DAYS_VAR,
    TIMEOUT_VAR,
    PullSettings,
)
from growthmart.connectors.spec import ConnectorSpec, RotatingToken
from growthmart.connectors.specs import SPECS
from growthmart.contracts import get_contract

INTRO = f"""## API connectors

A source with a connector is pulled from its platform's reporting API by the Dagster asset `landing/<source>`
(upstream of `raw/<source>`) — but only when all of its variables below are set; otherwise it stays file-based
and `make run` never goes online. The connector lands the platform's responses unchanged (credentials redacted),
one file per page, `landing/<source>/<day>/api-<account>-p<NNNN>.json`, and writes `{MARKER}` last (each page's
sha256, rows and request context). The loader reads those pages into the same raw table as the file export of
the same day (the mapping is in each connector's table below), and refuses a day without its marker (a pull that
stopped between pages) instead of loading part of it.

Shared behaviour (growthmart/connectors/):
- **Restatement**: a run for day D re-pulls the {PullSettings().restatement_days} days ending with D
  (`{RESTATEMENT_DAYS_VAR}`; before the run's first day, only days the source has landed already); a day whose
  figures changed becomes changed landing files, which the raw asset loads
  again in the same run. Rerunning with unchanged responses rewrites no file.
- **Retries**: HTTP 429 (waiting its `Retry-After`), HTTP 5xx, network errors and each platform's rate-limit and
  system-error signals are retried up to `{MAX_ATTEMPTS_VAR}` ({PullSettings().max_attempts}) attempts per request
  with exponential backoff from `{BACKOFF_VAR}` ({PullSettings().backoff_seconds:g} s) plus jitter; then the pull
  fails naming source, day, account, page and the platform's message. Other errors fail at once.
- **Tokens**: an expired token is refreshed once per pull where the platform can refresh; a rotated pair is saved
  atomically in `<data>/connector_state/<source>.json` (mode 0600) before it is used. A minted token (Google Ads,
  WeChat) is fetched from long-lived credentials before the first call and once more on expiry, memory only.
- **Secrets** come only from the variables marked secret; they are redacted from every message and landed page.
- **Concurrency**: each connector is its own Dagster pool (`connector_<source>`, limit 1).
- Request timeout: `{TIMEOUT_VAR}` ({PullSettings().timeout_seconds:g} s).
- For people and tests, `make run-pull` runs the demo pulled through these APIs from emulated platforms on
  127.0.0.1 (and the app database from a throwaway PostgreSQL); `python -m tools.emulator --landing data/landing`
  serves a demo landing folder by itself and prints the variables to export.
"""


def _saved(spec: ConnectorSpec) -> str:
    if not isinstance(spec.refresh, RotatingToken):
        return ""
    return f"; the rotated pair is saved atomically in `<data>/connector_state/{spec.source}.json` (0600) before it is used"


def _section(spec: ConnectorSpec) -> str:
    contract = get_contract(spec.source)
    env = spec.env
    variables = [f"`{env.base_url}` (base URL)", f"`{env.accounts}` (comma-separated accounts)"]
    variables += [f"`{v}` (secret)" for v in env.secrets] + [f"`{v}`" for v in env.settings]
    lines = [
        f"### Connector `{spec.source}` — {spec.title}",
        "",
        f"- Endpoint: `{spec.endpoint}`",
        f"- Auth: {spec.auth.doc}"
        + (f"; refresh: {spec.refresh.doc}{_saved(spec)}" if spec.refresh else "; no refresh call"),
        f"- Paging: {spec.paginator.doc}, page size {getattr(spec.paginator, 'page_size', '-')}",
        f"- Limits: {spec.limits}",
        f"- Restatement: {spec.restatement}",
        f"- Configuration: {', '.join(variables)}",
        f"- Records: `{spec.landing.records_path}`",
        "",
        "| contract column | read from |",
        "|---|---|",
    ]
    for c in contract.columns:
        root, path = spec.landing.path(c.name)
        where = f"request context `{path}`" if root == "ctx" else f"`{path}`"
        lines.append(f"| `{c.name}` | {where} |")
    return "\n".join(lines) + "\n"


def render_connectors_md() -> str:
    return "\n".join([INTRO, *(_section(s) for s in SPECS)])
