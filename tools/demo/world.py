"""Puts visitors, users, sessions and orders together into tracker events and last-touch attributions."""

from __future__ import annotations

import numpy as np
import pandas as pd

from tools.demo.calendar import DAY, Calendar
from tools.demo.campaigns import RECALL_UTM, recall_plan
from tools.demo.orders import build_orders
from tools.demo.people import (
    Sessions,
    activity_sessions,
    assign_visitors,
    boundary_shift,
    build_users,
    concat_sessions,
    expand,
    recall_sessions,
)
from tools.demo.profiles import OVERSEAS, REGIONS
from tools.demo.traffic import Traffic

LATE_SHARE = 0.005  # events that reach the tracker 1–2 days late
ATTRIBUTION_WINDOW = 7 * DAY  # a platform claims an order within 7 days of the click


def hex_keys(n: int, salt: int) -> np.ndarray:
    """Unique, random-looking 64-bit keys (shown as 16 hex digits): an odd multiplier and an xor-shift are
    bijective mod 2**64, so distinct inputs never collide."""
    x = (np.arange(n, dtype=np.uint64) + np.uint64(salt)) * np.uint64(0x9E3779B97F4A7C15)
    return x ^ (x >> np.uint64(29))


def hex_ids(keys: np.ndarray) -> list[str]:
    return [f"{v:016x}" for v in keys.tolist()]


def simulate_people(rng, cal: Calendar, traffic: Traffic, campaigns, fx: dict, recall_rng=None) -> dict:
    """Visits → signups → returning activity → orders: the users, tracker events, orders and UTM touches."""
    visits = assign_visitors(rng, cal, traffic)
    n_v = len(visits["t"])
    cart = visits["signup"] & (rng.random(n_v) < 0.30)
    buy = cart & (rng.random(n_v) < 0.45)
    a = Sessions(
        visits["t"],
        visits["prospect"],
        np.full(n_v, -1),
        visits["source"],
        rng.poisson(1.5, n_v),
        visits["signup"],
        cart,
        buy,
    )
    ev_a = expand(rng, a)
    users = build_users(rng, cal, visits, ev_a, REGIONS, OVERSEAS)
    n_u = len(users["signup_t"])
    users["user_id"] = [f"u{10_000_001 + i}" for i in range(n_u)]
    n_prospects = len(visits["device"])
    anon_ids = hex_ids(hex_keys(n_prospects, 7_000_000_001))
    users["anonymous_id"] = [anon_ids[p] for p in users["anon"].tolist()]
    visit_user = np.full(n_v, -1)
    visit_user[users["visit"]] = np.arange(n_u)
    prospect_user = np.full(n_prospects, -1)
    prospect_user[users["anon"]] = np.arange(n_u)

    b = activity_sessions(rng, cal, users, traffic.reengage)
    ev_b = expand(rng, b)
    boundary_shift(rng, cal, ev_b, b)
    recall_pushes = np.zeros(cal.days, np.int64)
    if recall_rng is not None:  # the recall activity, from its own random stream
        ci = next(i for i, c in enumerate(campaigns) if c.utm_campaign == RECALL_UTM)
        src = next(
            i
            for i, k in enumerate(traffic.sources.kind)
            if k == "reengage" and traffic.sources.campaign[i] == ci
        )
        c, users["recall_push_t"], recall_pushes = recall_sessions(
            recall_rng, cal, users, b, src, recall_plan(cal.days)
        )
        b, ev_b = concat_sessions(b, ev_b, c, expand(recall_rng, c))

    # One table of events: phase A (prospect visits) then phase B (returning users).
    sess_a, sess_b = ev_a["session"], ev_b["session"]
    t = np.concatenate([ev_a["t"], ev_b["t"]])
    code = np.concatenate([ev_a["code"], ev_b["code"]])
    anon = np.concatenate([a.anon[sess_a], b.anon[sess_b]])
    user = np.concatenate([np.where(ev_a["code"] >= 2, visit_user[sess_a], -1), b.user[sess_b]])
    source = np.concatenate([a.source[sess_a], b.source[sess_b]])
    source = np.where(code == 0, source, -1)  # UTM parameters ride on the session_start only
    first = np.concatenate([np.ones(len(sess_a), bool), np.zeros(len(sess_b), bool)])

    chk = np.flatnonzero((code == 4) & (user >= 0) & (t < cal.t_end))
    orders = build_orders(
        rng,
        cal,
        users,
        {"user": user[chk], "t": t[chk], "first": first[chk], "seq": chk},
        campaigns,
        fx,
        recall_rng=recall_rng,
    )
    keep = (t < cal.t_end) & ((code != 4) | (user >= 0))
    keep[chk[orders["cancelled"]]] = False  # a cancelled checkout was never paid: no purchase event

    # Touches (sessions with UTM) stitched to users, for the platforms' own attribution.
    touch_user = np.where(user >= 0, user, prospect_user[anon])
    is_touch = keep & (source >= 0) & (touch_user >= 0)
    touches = {"user": touch_user[is_touch], "t": t[is_touch], "source": source[is_touch]}

    idx = np.flatnonzero(keep)
    late = np.where(rng.random(len(idx)) < LATE_SHARE, rng.integers(1, 3, len(idx)), 0)
    happened = cal.bj_day(t[idx])
    late = np.where(happened + late < cal.days, late, 0)  # every event of the window lands inside it
    receive = happened + late
    order = np.lexsort((idx, t[idx], late > 0, receive))
    idx, receive, late = idx[order], receive[order], late[order]
    events = {
        "receive_day": receive,
        "late": late,
        "t": t[idx],
        "code": code[idx],
        "anon": anon[idx],
        "user": user[idx],
        "device": visits["device"][anon[idx]],
        "source": source[idx],
        "event_key": hex_keys(len(idx), 11 + cal.days),  # formatted as event_id when written
    }
    referrals = np.zeros(cal.days, np.int64)
    inv = [i for i, u in enumerate(traffic.sources.utm) if u[2] == "invite_friends"]
    sig_day = cal.bj_day(users["signup_t"])
    np.add.at(referrals, sig_day[np.isin(users["source"], inv)], 1)
    return {
        "users": users,
        "events": events,
        "orders": orders,
        "touches": touches,
        "anon_ids": anon_ids,
        "referrals": referrals,
        "recall_pushes": recall_pushes,
    }


def last_touch(touches: dict, orders: dict) -> np.ndarray:
    """Source of each paid order's latest UTM session by the same user within the attribution window."""
    tdf = pd.DataFrame(touches).sort_values(["t", "user", "source"], kind="mergesort")
    odf = pd.DataFrame({"user": orders["user"], "t": orders["t"], "i": np.arange(len(orders["t"]))})
    odf = odf.sort_values(["t", "i"], kind="mergesort")
    if not len(tdf) or not len(odf):
        return np.full(len(orders["t"]), -1)
    m = pd.merge_asof(odf, tdf, on="t", by="user", direction="backward", tolerance=ATTRIBUTION_WINDOW)
    out = np.full(len(orders["t"]), -1)
    out[m["i"].to_numpy()] = m["source"].fillna(-1).astype(np.int64).to_numpy()
    return out
