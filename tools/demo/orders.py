"""Orders from checkouts: amounts, coupons, currencies, cancellations and later refunds."""

from __future__ import annotations

import datetime as dt

import numpy as np

from tools.demo.calendar import DAY, Calendar, iso_utc
from tools.demo.campaigns import RECALL_UTM, Campaign
from tools.demo.profiles import CHANNELS

REFUND_SHARE = 0.065  # of paid orders, refunded 1–10 days later
CANCEL_SHARE = 0.03  # of checkouts, cancelled before payment (never paid)
FULL_REFUND_SHARE = 0.7


def build_orders(
    rng, cal: Calendar, users: dict, checkout: dict, campaigns: list[Campaign], fx: dict, recall_rng=None
) -> dict:
    """Order rows per folder day and the coupon discounts granted, from checkouts (user, t, first order?)."""
    order = np.lexsort((checkout["seq"], checkout["t"]))
    u, t, first = checkout["user"][order], checkout["t"][order], checkout["first"][order]
    n = len(u)
    day = cal.bj_day(t)
    lift = cal.order_lift[np.minimum(day, cal.days - 1)]
    value = np.array([c.value for c in CHANNELS])[users["channel"][u]]
    gross = np.round(rng.lognormal(np.log(129.0), 0.55, n) * (1 + 0.25 * (lift - 1)) * value**0.5, 2)

    coupon_camp = np.full(n, -1)
    r = rng.random(n)
    new_user = next(i for i, c in enumerate(campaigns) if c.coupon and c.utm_campaign == "new_user_gift")
    coupon_camp[first & (r < 0.6) & (gross >= campaigns[new_user].coupon[2])] = new_user
    for ci, c in enumerate(campaigns):
        if c.coupon and c.festival:
            on = c.active(cal.days)[np.minimum(day, cal.days - 1)] & (coupon_camp < 0)
            coupon_camp[on & (rng.random(n) < 0.4) & (gross >= c.coupon[2])] = ci
    if recall_rng is not None and "recall_push_t" in users:
        # The comeback coupon: a pushed user's orders after the push, until the recall ends, whether or not
        # the user came back through the push itself.
        ri = next(i for i, c in enumerate(campaigns) if c.utm_campaign == RECALL_UTM)
        rc = campaigns[ri]
        push_t = users["recall_push_t"][u]
        on = (push_t >= 0) & (t >= push_t) & (day <= rc.last) & (coupon_camp < 0)
        coupon_camp[on & (recall_rng.random(n) < 0.7) & (gross >= rc.coupon[2])] = ri
    discount = np.array([campaigns[c].coupon[1] if c >= 0 else 0.0 for c in coupon_camp])
    paid_cny = np.round(gross - discount, 2)

    currency = users["currency"][u]
    rate = np.ones(n)
    for cur in ("USD", "HKD"):
        m = currency == cur
        rate[m] = fx[cur][np.minimum(day[m], cal.days - 1)]
    amount = np.round(paid_cny / rate, 2)

    cancelled = rng.random(n) < CANCEL_SHARE
    updated = np.where(cancelled, t + rng.integers(300, 1800, n), t)
    refunded = ~cancelled & (rng.random(n) < REFUND_SHARE)
    refund_t = t + rng.integers(1, 11, n) * DAY + rng.integers(-6 * 3600, 6 * 3600, n)
    partial = np.round(amount * rng.uniform(0.2, 0.9, n), 2)
    refund_amt = np.where(rng.random(n) < FULL_REFUND_SHARE, amount, np.maximum(partial, 0.01))

    # Order ids number the orders of each Beijing creation day in creation order.
    seq = np.arange(n) - np.searchsorted(day, day)
    ymd = {d: (cal.start + dt.timedelta(days=d)).strftime("%Y%m%d") for d in np.unique(day).tolist()}
    ids = [f"GM{ymd[d]}{s + 1:05d}" for d, s in zip(day.tolist(), seq.tolist(), strict=True)]
    user_ids = users["user_id"]
    created_s, updated_s, refund_s = iso_utc(t), iso_utc(updated), iso_utc(refund_t)
    rows = []  # (folder day, row)
    for i in range(n):
        code = campaigns[coupon_camp[i]].coupon[0] if coupon_camp[i] >= 0 else None
        base = (ids[i], user_ids[u[i]], created_s[i])
        amt = f"{amount[i]:.2f}"
        if cancelled[i]:
            if updated[i] < cal.t_end:
                row = (*base, updated_s[i], "cancelled", currency[i], amt, None, None, code)
                rows.append((cal.bj_day(updated[i]), row))
            continue
        rows.append((day[i], (*base, created_s[i], "paid", currency[i], amt, None, None, code)))
        if refunded[i] and refund_t[i] < cal.t_end:
            ra = f"{refund_amt[i]:.2f}"
            row = (*base, refund_s[i], "refunded", currency[i], amt, ra, refund_s[i], code)
            rows.append((cal.bj_day(refund_t[i]), row))
    paid = ~cancelled
    return {
        "rows": rows,
        "user": u[paid],
        "t": t[paid],
        "value_cny": paid_cny[paid],
        "coupon_campaign": coupon_camp[paid],
        "discount": discount[paid],
        "day": day[paid],
        "cancelled": cancelled[np.argsort(order, kind="stable")],  # per checkout, in the caller's order
    }
