"""Visitors, signups and what users do afterwards, as sessions of tracker events.

Visits first go to anonymous prospects (some of them returning over several days through other channels),
a few of those visits end in a signup; signed-up users then come back with a probability that decays with
their age, browse, add to cart and order. Every quantity is an array over all visits or sessions.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tools.demo.calendar import DAY, Calendar
from tools.demo.profiles import CHANNEL_INDEX, CHANNELS, RETURN_RATE, RETURN_SIGNUP_BOOST
from tools.demo.traffic import Traffic

EVENT_NAMES = ("session_start", "page_view", "signup", "add_to_cart", "purchase")
RETURN_WINDOW = 14  # days a prospect may come back before being forgotten
MIDNIGHT_SHARE = 0.02  # share of purchases placed one second either side of Beijing midnight


@dataclass
class Sessions:
    """One row per session; `expand` turns them into events."""

    t0: np.ndarray
    anon: np.ndarray  # prospect (device) index
    user: np.ndarray  # user index owning the session from signup on, -1 for anonymous visits
    source: np.ndarray  # traffic source of the session_start, -1 = no UTM
    n_pv: np.ndarray
    signup: np.ndarray  # bool
    cart: np.ndarray  # bool
    buy: np.ndarray  # bool: reaches checkout (paid or cancelled order)


def assign_visitors(rng: np.random.Generator, cal: Calendar, traffic: Traffic) -> dict:
    """Give every visit a prospect (new or returning) and decide which visits end in a signup."""
    order = np.argsort(traffic.visit_t, kind="stable")
    vt, vs = traffic.visit_t[order], traffic.visit_source[order]
    keep = vt < cal.t_end - 1800  # a session must finish inside the window
    vt, vs = vt[keep], vs[keep]
    ch = np.array([CHANNEL_INDEX[c] for c in traffic.sources.channel])[vs]
    # Per-source lift on the channel's signup rate (content: its completion rate predicts conversion).
    lift = np.ones(len(vs)) if traffic.signup_lift is None else traffic.signup_lift[vs]
    n = len(vt)
    bounds = np.searchsorted(cal.bj_day(vt), np.arange(cal.days + 1))
    q = np.array([c.signup_rate for c in CHANNELS])
    mix = np.array([c.devices for c in CHANNELS])
    cum_dev = np.cumsum(mix / mix.sum(axis=1, keepdims=True), axis=1)
    prospect, signup = np.zeros(n, np.int64), np.zeros(n, bool)
    last_day, converted = np.full(n, -(10**6)), np.zeros(n, bool)
    device = np.zeros(n, np.int64)
    n_p = 0
    for d in range(cal.days):
        a, b = bounds[d], bounds[d + 1]
        m = b - a
        if m == 0:
            continue
        ret_pos = np.flatnonzero(rng.random(m) < RETURN_RATE)
        lp = last_day[:n_p]
        eligible = np.flatnonzero((lp >= d - RETURN_WINDOW) & (lp < d) & ~converted[:n_p])
        ret_pos = ret_pos[: min(len(ret_pos), len(eligible))]
        is_new = np.ones(m, bool)
        is_new[ret_pos] = False
        ids = np.empty(m, np.int64)
        ids[ret_pos] = rng.choice(eligible, size=len(ret_pos), replace=False)
        new_n = m - len(ret_pos)
        ids[is_new] = np.arange(n_p, n_p + new_n)
        u = rng.random(new_n)
        device[n_p : n_p + new_n] = (u[:, None] > cum_dev[ch[a:b][is_new]]).sum(axis=1)
        n_p += new_n
        conv = rng.random(m) < (
            q[ch[a:b]]
            * lift[a:b]
            * np.where(is_new, 1.0, RETURN_SIGNUP_BOOST)
            * traffic.sources.signup_lift(vs[a:b])
        )
        prospect[a:b], signup[a:b] = ids, conv
        converted[ids[conv]] = True
        last_day[ids] = d
    return {
        "t": vt,
        "source": vs,
        "channel": ch,
        "prospect": prospect,
        "signup": signup,
        "device": device[:n_p],
    }


def expand(rng: np.random.Generator, s: Sessions) -> dict:
    """Events of all sessions: session_start, page views, then signup / add_to_cart / purchase in order."""
    n_ev = 1 + s.n_pv + s.signup + s.cart + s.buy
    sess = np.repeat(np.arange(len(s.t0)), n_ev)
    start = np.cumsum(n_ev) - n_ev
    j = np.arange(len(sess)) - start[sess]
    k = s.n_pv[sess]
    rel = j - 1 - k
    c1 = s.signup[sess].astype(int)
    c2 = c1 + s.cart[sess]
    code = np.select([j == 0, j <= k, rel < c1, rel < c2], [0, 1, 2, 3], 4)
    total = len(sess)
    gap = np.select(
        [code == 1, code == 2, code == 3, code == 4],
        [
            rng.exponential(45.0, total).astype(np.int64) + 5,
            rng.integers(20, 240, total),
            rng.integers(10, 300, total),
            rng.integers(30, 600, total),
        ],
        0,
    )
    cs = np.cumsum(gap)
    t = s.t0[sess] + cs - cs[start][sess]
    return {"session": sess, "code": code, "t": t}


def boundary_shift(rng, cal: Calendar, ev: dict, s: Sessions) -> None:
    """Move a few purchasing sessions so the purchase lands at 23:59:59 or 00:00:01 Beijing time.

    A random share, plus the first purchase of every week (alternating sides) so even a small window has both.
    """
    buys = np.flatnonzero(ev["code"] == 4)
    week = cal.bj_day(ev["t"][buys]) // 7
    weekly = np.zeros(len(buys), bool)
    weekly[np.unique(week, return_index=True)[1]] = True
    chosen = weekly | (rng.random(len(buys)) < MIDNIGHT_SHARE)
    pick = buys[chosen]
    t = ev["t"][pick]
    midnight = cal.t0 + (cal.bj_day(t) + 1) * DAY
    before = np.where(weekly[chosen], week[chosen] % 2 == 0, rng.random(len(pick)) < 0.5)
    target = np.where(before | (midnight + 1 >= cal.t_end), midnight - 1, midnight + 1)
    shift = np.zeros(len(s.t0), np.int64)
    shift[ev["session"][pick]] = target - t
    ev["t"] = ev["t"] + shift[ev["session"]]


def activity_sessions(rng, cal: Calendar, users: dict, reengage: np.ndarray) -> Sessions:
    """Sessions of signed-up users on the days they come back (age ≥ 1 day)."""
    days = cal.days
    n = len(users["signup_t"])
    s_day = cal.bj_day(users["signup_t"])
    age = np.arange(days)[None, :] - s_day[:, None]
    ret = np.array([c.retention for c in CHANNELS])[users["channel"]] * users["propensity"]
    rhythm = np.where(cal.weekday >= 5, 1.1, 1.0) * cal.traffic_lift**0.5
    p = 0.42 * np.maximum(age, 1) ** -0.38 * ret[:, None] * rhythm[None, :]
    active = (rng.random((n, days)) < np.minimum(p, 0.95)) & (age >= 1)
    u, d = np.nonzero(active)
    extra = rng.random(len(u)) < 0.18  # a second, browsing-only session that day
    u = np.concatenate([u, u[extra]])
    d = np.concatenate([d, d[extra]])
    first = np.arange(len(u)) < len(u) - extra.sum()
    t0 = cal.t0 + d * DAY + cal.seconds_of_day(rng, len(u))
    src = np.where((reengage[d] >= 0) & (rng.random(len(u)) < 0.15), reengage[d], -1)
    cart = first & (rng.random(len(u)) < 0.22 * cal.order_lift[d] ** 0.5)
    value = np.array([c.value for c in CHANNELS])[users["channel"]][u] * users["spender"][u]
    buy = cart & (rng.random(len(u)) < np.minimum(0.38 * value * cal.payday[d], 0.9))
    return Sessions(
        t0=t0,
        anon=users["anon"][u],
        user=u,
        source=src,
        n_pv=rng.poisson(2.0, len(u)) + 1,
        signup=np.zeros(len(u), bool),
        cart=cart,
        buy=buy,
    )


RECALL_RESPONSE = 0.3  # share of pushed dormant users who come back through the push
RECALL_PUSH_HOUR = 10  # pushes go out at 10:00 Beijing time


def recall_sessions(rng, cal: Calendar, users: dict, b: Sessions, source: int, plan) -> tuple:
    """The recall activity (老用户召回): on each day of its window, users inactive for ≥ plan.dormant_days
    (signup and returning sessions count as activity) and not pushed before get a push with the comeback
    coupon; some come back through it (a session carrying the recall UTM) within a few days.

    Returns (sessions, push instant per user or -1, pushes per day). Draws only from `rng` (a child stream).
    """
    n = len(users["signup_t"])
    s_day = cal.bj_day(users["signup_t"])
    push_t = np.full(n, -1, np.int64)
    pushes = np.zeros(cal.days, np.int64)
    act_user, act_day = b.user, cal.bj_day(b.t0)
    for d in range(max(plan.first, 0), min(plan.last, cal.days - 1) + 1):
        seen = s_day.copy()
        before = act_day < d
        np.maximum.at(seen, act_user[before], act_day[before])
        pushed = (push_t < 0) & (s_day <= d - plan.dormant_days) & (d - seen >= plan.dormant_days)
        push_t[pushed] = cal.t0 + d * DAY + RECALL_PUSH_HOUR * 3600
        pushes[d] = pushed.sum()
    back = (push_t >= 0) & (rng.random(n) < RECALL_RESPONSE)
    delay = rng.geometric(0.6, n) - 1  # most come back the day of the push
    day = cal.bj_day(push_t) + delay
    back &= (day <= plan.last) & (day < cal.days)
    u = np.flatnonzero(back)
    t0 = push_t[u] + delay[u] * DAY + rng.integers(0, 12 * 3600, len(u))  # 10:00–22:00
    cart = rng.random(len(u)) < 0.45
    buy = cart & (rng.random(len(u)) < 0.6)
    s = Sessions(
        t0=t0,
        anon=users["anon"][u],
        user=u,
        source=np.full(len(u), source),
        n_pv=rng.poisson(2.0, len(u)) + 1,
        signup=np.zeros(len(u), bool),
        cart=cart,
        buy=buy,
    )
    return s, push_t, pushes


def concat_sessions(b: Sessions, ev_b: dict, c: Sessions, ev_c: dict) -> tuple[Sessions, dict]:
    """Sessions b then c, and their events (c's session numbers shifted past b's)."""
    s = Sessions(*(np.concatenate([getattr(b, f), getattr(c, f)]) for f in Sessions.__dataclass_fields__))
    ev = {
        "session": np.concatenate([ev_b["session"], ev_c["session"] + len(b.t0)]),
        "code": np.concatenate([ev_b["code"], ev_c["code"]]),
        "t": np.concatenate([ev_b["t"], ev_c["t"]]),
    }
    return s, ev


def build_users(rng, cal: Calendar, visits: dict, ev: dict, regions, overseas) -> dict:
    """Users in signup order (user index = rank of the signup instant) with their attributes."""
    sig = ev["code"] == 2
    vis, t = ev["session"][sig], ev["t"][sig]
    ok = t < cal.t_end
    vis, t = vis[ok], t[ok]
    order = np.lexsort((vis, t))
    vis, t = vis[order], t[order]
    n = len(vis)
    channel = visits["channel"][vis]
    meta = channel == CHANNEL_INDEX["meta_ads"]
    w = np.array([r[2] for r in regions], float)
    reg = rng.choice(len(regions), size=n, p=w / w.sum())
    ovs = rng.integers(0, len(overseas), size=n)
    region = [overseas[o][0] if m else regions[r][0] for m, r, o in zip(meta, reg, ovs, strict=True)]
    city = [overseas[o][1] if m else regions[r][1] for m, r, o in zip(meta, reg, ovs, strict=True)]
    missing = rng.random(n) < 0.04  # the app did not get a location
    region = [None if x else r for x, r in zip(missing, region, strict=True)]
    city = [None if x else c for x, c in zip(missing, city, strict=True)]
    hk = np.array([r == "香港" for r in region])
    u = rng.random(n)
    currency = np.where(
        meta & (u < 0.7), "USD", np.where(hk & (u < 0.8), "HKD", np.where(u < 0.004, "USD", "CNY"))
    )
    return {
        "visit": vis,
        "signup_t": t,
        "anon": visits["prospect"][vis],
        "channel": channel,
        "source": visits["source"][vis],
        "device": visits["device"][visits["prospect"][vis]],
        "region": region,
        "city": city,
        "currency": currency,
        "propensity": rng.gamma(2.0, 0.5, n),
        "spender": rng.lognormal(0.0, 0.3, n),
    }
