"""The app's OLTP schema (users, orders) and a seeder replaying the demo's users and orders into it.

The demo generator writes what the app exported, one folder per day: each user in the day of its signup, each
order version (paid, then refunded; or cancelled) in the day of its `updated_at`. `replay(con, landing, day)`
applies one day's rows to the tables as the app would have — insert a user, insert an order, update it on a
refund — up to a moment of that day, so a test (or `make run-pull`) can pull the database as it stood at any
point and compare with the file export of the same days.

    python -m tools.app_db_seed --landing data/landing --first 2026-05-01 --last 2026-05-04
    # schema + those days, into the database named by GROWTHMART_APP_DB_DSN
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import os
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

from growthmart.connectors.app_db import DSN_VAR

SCHEMA = """
create table if not exists users (
    user_id      text primary key,
    anonymous_id text not null,
    signup_at    timestamptz not null,
    region       text,
    city         text,
    device       text,
    created_at   timestamptz not null default now(),
    updated_at   timestamptz not null default now()
);

create table if not exists orders (
    order_id      text primary key,
    user_id       text not null,
    created_at    timestamptz not null,
    updated_at    timestamptz not null default now(),
    status        text not null check (status in ('paid', 'refunded', 'cancelled')),
    currency      char(3) not null,
    amount        numeric(18, 2) not null check (amount >= 0),
    refund_amount numeric(18, 2) check (refund_amount >= 0),
    refunded_at   timestamptz,
    coupon_code   text
);

-- The connector pulls by (updated_at, key): both indexes make each page an index range scan.
create index if not exists users_updated_at on users (updated_at, user_id);
create index if not exists orders_updated_at on orders (updated_at, order_id);

-- An update that does not set updated_at itself still moves it: no change escapes the watermark.
create or replace function touch_updated_at() returns trigger language plpgsql as $$
begin
    if new.updated_at is not distinct from old.updated_at then
        new.updated_at := clock_timestamp();
    end if;
    return new;
end $$;

drop trigger if exists users_touch on users;
create trigger users_touch before update on users for each row execute function touch_updated_at();
drop trigger if exists orders_touch on orders;
create trigger orders_touch before update on orders for each row execute function touch_updated_at();
"""

USER_COLUMNS = ("user_id", "anonymous_id", "signup_at", "region", "city", "device")
ORDER_COLUMNS = (
    *("order_id", "user_id", "created_at", "updated_at", "status", "currency", "amount"),
    *("refund_amount", "refunded_at", "coupon_code"),
)


def create_schema(con) -> None:
    con.execute(SCHEMA)


def _rows(folder: Path, pattern: str) -> list[dict[str, str | None]]:
    out = []
    for path in sorted(folder.glob(pattern)):
        with path.open(newline="", encoding="utf-8") as f:
            out += [{k: (v if v != "" else None) for k, v in r.items()} for r in csv.DictReader(f)]
    return out


def _ts(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


def day_bounds(day: str, timezone: str = "Asia/Shanghai") -> tuple[dt.datetime, dt.datetime]:
    start = dt.datetime.combine(dt.date.fromisoformat(day), dt.time(), ZoneInfo(timezone))
    return start, start + dt.timedelta(days=1)


def replay(
    con,
    landing: Path,
    day: str,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
) -> dict[str, int]:
    """Apply the demo's `day` (users by signup_at, order versions by updated_at in [since, until)) to the app
    tables, in time order, in one transaction. Returns the rows written per table."""
    users = [
        r
        for r in _rows(landing / "app_users" / day, "demo_app_users_*.csv")
        if (since is None or _ts(r["signup_at"]) >= since) and (until is None or _ts(r["signup_at"]) < until)
    ]
    orders = [
        r
        for r in _rows(landing / "app_orders" / day, "demo_app_orders_*.csv")
        if (since is None or _ts(r["updated_at"]) >= since)
        and (until is None or _ts(r["updated_at"]) < until)
    ]
    with con.transaction(), con.cursor() as cur:
        cur.executemany(
            f"insert into users ({', '.join(USER_COLUMNS)}, created_at, updated_at) "
            f"values ({', '.join(['%s'] * len(USER_COLUMNS))}, %s, %s)",
            [(*(r[c] for c in USER_COLUMNS), r["signup_at"], r["signup_at"]) for r in users],
        )
        updates = ", ".join(f"{c} = excluded.{c}" for c in ORDER_COLUMNS if c != "order_id")
        cur.executemany(
            f"insert into orders ({', '.join(ORDER_COLUMNS)}) "
            f"values ({', '.join(['%s'] * len(ORDER_COLUMNS))}) "
            f"on conflict (order_id) do update set {updates}",
            [tuple(r[c] for c in ORDER_COLUMNS) for r in sorted(orders, key=lambda r: r["updated_at"])],
        )
    return {"users": len(users), "orders": len(orders)}


def main(argv: list[str] | None = None) -> int:
    import psycopg

    parser = argparse.ArgumentParser(prog="python -m tools.app_db_seed", description=__doc__)
    parser.add_argument("--landing", type=Path, required=True, help="the demo's landing folder")
    parser.add_argument("--first", required=True)
    parser.add_argument("--last", required=True)
    args = parser.parse_args(argv)
    dsn = os.environ.get(DSN_VAR)
    if not dsn:
        print(f"{DSN_VAR} is not set", file=sys.stderr)
        return 2
    first, last = dt.date.fromisoformat(args.first), dt.date.fromisoformat(args.last)
    with psycopg.connect(dsn, autocommit=True) as con:
        create_schema(con)
        day = first
        while day <= last:
            n = replay(con, args.landing, day.isoformat())
            print(f"{day}: {n['users']} users, {n['orders']} order versions")
            day += dt.timedelta(days=1)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
