"""The app database's section of docs/sources.md, rendered from the connector's own declarations (tables, keys,
variables and defaults), so the page cannot drift from the code."""

from __future__ import annotations

from growthmart.connectors import app_db
from growthmart.connectors.app_db_files import FILE_PREFIX


def render() -> str:
    """Markdown: what is pulled, how, where it lands, deletes and re-keys, limits and configuration."""
    tables = "\n".join(
        f"| `{t.table}` | [`{t.source}`](#{t.source}) | `{'`, `'.join(t.key)}` | "
        f"`{'`, `'.join(t.identity)}` | `{'`, `'.join(t.columns)}`"
        f"{'' if 'updated_at' in t.columns else ' (+ `updated_at`, not landed)'} |"
        for t in app_db.TABLES
    )
    return f"""\
## Pulled sources

### App database (PostgreSQL): `app_users` and `app_orders`

Users and orders are pulled from the app's PostgreSQL (OLTP) database by the Dagster asset `landing/app_db`,
upstream of `raw/app_users` and `raw/app_orders` (daily partitions; a run for any day pulls everything changed
since the last pull). It is in the definitions only when `{app_db.DSN_VAR}` is set: without it `make run`
reads hand-dropped or demo files, offline, as before. Code: `growthmart/connectors/app_db.py`.

| app table | landing source | key | identity (re-key detection) | columns read |
|---|---|---|---|---|
{tables}

The app's tables need `updated_at timestamptz not null`, moved by every change (the demo schema,
`tools/app_db_seed.py`, does it with a trigger), and an index on `(updated_at, <key>)`. Only the columns above
are read: nothing else the app stores (contact details, say) leaves its database.

- **Window.** A pull reads the rows whose `updated_at` is on or after the start of the reporting-timezone day
  holding *watermark − overlap*, in one `REPEATABLE READ`, read-only transaction (one snapshot for every page,
  both tables and the key sets), ordered and paged by `(updated_at, <key>)` — keyset pagination, never `OFFSET`,
  so no row is skipped or repeated between pages. The first pull reads the whole table. The overlap (default
  {app_db.DEFAULT_OVERLAP_DAYS} days) catches changes committed late: a refund or cancellation stamped before
  the watermark by a long transaction.
- **Landing.** Each row lands in the folder of the reporting day of its `updated_at`, in one file per table and
  day, `landing/<source>/<day>/{FILE_PREFIX}<source>_<day>.csv`, with the landing contract's columns. A day's
  file keeps every version the connector has seen in that day (merged by the contract key, the newest pull
  winning): an order's `paid` version stays in its creation day when its refund moves the row to a later day,
  exactly as the app's file export lands them, and re-pulling the overlap writes the same bytes. Files are
  replaced atomically (temp file, fsync, rename; mode 0600); an unchanged file is not rewritten. The raw assets
  load their days and reload every earlier day whose file changed, so a late refund reaches staging, which
  keeps the latest version of each order.
- **Watermark.** Per table, the newest `updated_at` landed, in `<data>/connector_state/app_db/state.json`
  (mode 0600) with the set of keys landed; both move by one atomic rename after every file is written. A pull
  that fails or is killed leaves them where they were, and its rerun lands the same files.
- **Deletes and re-keys.** Each pull compares the table's whole key set, in the same snapshot, with the keys
  landed. A key gone from the table is a *deletion*; a gone key whose identity columns reappear under one new key
  is a *re-key*. Neither removes anything already landed (a paid order stays paid in the published history):
  both are listed in `<data>/connector_state/app_db/key_changes-*.json`, the run log and the asset's metadata, and
  fail the WARN check `app_db_key_changes`, which names table and keys. The new key of a re-keyed row lands as
  a new row: its order counts twice until the old key's rows are removed from their landing files and the dbt
  models are fully refreshed (DECISIONLOG, "App database source"). A new key whose `updated_at` was older
  than the window (committed later than the overlap allows) is fetched by key, landed, and counted as `late_beyond_overlap`.
- **Limits.** A pull sees the state at its snapshot: two changes to a row between two pulls land as one version
  (pull at least as often as an order can change twice, e.g. a cancellation right after payment). So the first
  pull of an app with history lands each order's current version only: an order refunded since has no `paid`
  row in raw (staging still counts it as paid; on the demo's 35 days the published reports were identical to the
  file export's, with 19 of 218 raw order versions fewer). A change to an *existing* row stamped older than the
  overlap is not seen (only new keys are caught by the key comparison).
- **Errors.** Connection and query errors name the database as `user@host:port/dbname` and the table; a row
  without `updated_at` fails the pull naming its table and key. An unreachable database is retried (3 times,
  exponential backoff with jitter: the pull is idempotent); a refused login or a missing database fails at once.
  Another export in a folder the pull writes (a hand-dropped or demo file) is named in the run log and metadata:
  the loader reads both files and quarantines the keys they share as repeated. The password is never logged,
  recorded in metadata, landed or stored (a test plants one and searches the whole data directory).

| variable | default | meaning |
|---|---|---|
| `{app_db.DSN_VAR}` | unset: source off | libpq connection string or URI; the password may come from it or from `PGPASSWORD` / `~/.pgpass` |
| `{app_db.OVERLAP_DAYS_VAR}` | {app_db.DEFAULT_OVERLAP_DAYS} | days re-pulled before the watermark (fractions allowed) |
| `{app_db.PAGE_SIZE_VAR}` | {app_db.DEFAULT_PAGE_SIZE} | rows per page |

For development, `python -m tools.pgserver` starts a throwaway PostgreSQL (Debian's `postgresql` package) until
Ctrl-C and prints the `{app_db.DSN_VAR}` to export (`--env-file F`: into a 0600 file only, removed at the
end); `python -m tools.app_db_seed --landing <demo landing> --first D1 --last D2` creates the app schema and
replays the demo's users and orders of those days into it.
"""
