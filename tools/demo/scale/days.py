"""The scaled demo, one Beijing day at a time, with state bounded by the number of users (not events).

Each day `d`:
1. returning users (signed up before `d`) are active with probability `level · age^-0.5 · retention ·
   propensity · rhythm(d)` and open sessions (page views, carts, checkouts, re-engagement pushes);
2. the day's prospect visits (planned per source) go to new or returning anonymous prospects (those seen in
   the last 14 days and not yet converted); some end in a signup, which creates the user (user id in
   signup order, anonymous id of the prospect) and may add to cart and check out;
3. sessions expand into tracker events; checkouts become orders (3% cancelled, no purchase event), attributed
   to the user's last UTM touch for the platforms' own conversion claims;
4. every record is routed to the Beijing day folder it lands in: the day it happened, a day or two later for
   ~0.5% of events (late arrivals), the refund's day for a refund row, the next day for a session crossing
   midnight. Once day `d` is simulated nothing more can land on `d`, so its files are final and written.

Randomness comes from `default_rng([seed, stream, day])`, so a day's draws do not depend on how many draws
earlier days made; with the carried state (prospect window, users) the run is deterministic for a seed.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from tools.demo.calendar import DAY
from tools.demo.orders import CANCEL_SHARE, FULL_REFUND_SHARE, REFUND_SHARE
from tools.demo.people import EVENT_NAMES, MIDNIGHT_SHARE, RETURN_WINDOW, Sessions, expand
from tools.demo.profiles import CHANNEL_INDEX, DEVICES, REGIONS, RETURN_RATE, RETURN_SIGNUP_BOOST
from tools.demo.scale import columns as col
from tools.demo.scale.plan import (
    ACTIVE_CAP,
    CURRENCIES,
    PROSPECT_BUY,
    PROSPECT_CART,
    PROSPECT_PAGE_VIEWS,
    REENGAGE_SHARE,
    RETURNING_BUY,
    RETURNING_CART,
    SECOND_SESSION,
    Plan,
)
from tools.demo.traffic import visit_times
from tools.demo.world import ATTRIBUTION_WINDOW, LATE_SHARE

ANON_SALT = 7_000_000_001  # anonymous ids: hex of mix64(prospect index), as in world.simulate_people
EVENT_SALT = 11
FIRST_USER_NUMBER = 10_000_001  # user_id = "u" + 8 digits
ORDER_STATUSES = ("paid", "refunded", "cancelled")
STREAM_DAY, STREAM_ORDERS = 1, 2


class Users:
    """Signed-up users: the attributes later days need, as growable column arrays (about 40 bytes a user)."""

    COLUMNS = {
        "sday": np.int32,  # Beijing day of the signup
        "rp": np.float32,  # channel retention × propensity
        "value": np.float32,  # channel value × spender (purchase probability)
        "channel": np.int8,
        "device": np.int8,
        "currency": np.int8,
        "anon": np.int64,  # prospect index
        "touch_t": np.int64,  # last UTM session start (UTC s), for platform attribution
        "touch_src": np.int32,
    }

    def __init__(self, capacity: int):
        self.n = 0
        self.a = {k: np.zeros(max(capacity, 16), dtype=t) for k, t in self.COLUMNS.items()}

    def add(self, **values: np.ndarray) -> np.ndarray:
        k = len(next(iter(values.values())))
        cap = len(self.a["sday"])
        if self.n + k > cap:
            new = max(int(cap * 1.5), self.n + k)
            for name, arr in self.a.items():
                grown = np.zeros(new, dtype=arr.dtype)
                grown[: self.n] = arr[: self.n]
                self.a[name] = grown
        idx = np.arange(self.n, self.n + k)
        for name, arr in self.a.items():
            arr[idx] = values.get(name, 0)
        self.n += k
        return idx

    def __getitem__(self, name: str) -> np.ndarray:
        return self.a[name][: self.n]


@dataclass
class Window:
    """Prospects seen in the last RETURN_WINDOW days who have not signed up: who may come back today."""

    ids: np.ndarray
    last: np.ndarray
    device: np.ndarray


def _cat(parts: list[dict]) -> dict:
    return {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}


def _take(d: dict, idx) -> dict:
    return {k: v[idx] for k, v in d.items()}


class Simulation:
    """Carried state (users, prospect window, records waiting for their landing day, the small sources'
    accumulators); `run_day(d)` then `flush(d)` for d = 0, 1, ... yields each day's final tables."""

    def __init__(self, plan: Plan):
        self.plan = plan
        cal = plan.cal
        self.users = Users(int(plan.users * 1.2) + 1024)
        self.window = Window(np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.int8))
        self.prospects = 0
        self.pending: dict[int, dict[str, list[dict]]] = defaultdict(lambda: defaultdict(list))
        self.checkouts: dict[int, list[dict]] = defaultdict(list)
        n_ads, days = len(plan.ads), cal.days
        self.claim_count = np.zeros((n_ads, days))
        self.claim_value = np.zeros((n_ads, days))
        self.coupons: dict[tuple[int, int], tuple[int, float]] = {}
        self.referrals = np.zeros(days, np.int64)
        self.member_visits = np.zeros((len(plan.campaigns), days), np.int64)
        self.region_labels = sorted({r for r, _ in plan.places})
        self.city_labels = sorted({c for _, c in plan.places})
        self.place_region = np.array([self.region_labels.index(r) for r, _ in plan.places] + [-1])
        self.place_city = np.array([self.city_labels.index(c) for _, c in plan.places] + [-1])
        self.coupon_discount = np.array([c.coupon[1] if c.coupon else 0.0 for c in plan.campaigns] + [0.0])
        self.coupon_minimum = np.array([c.coupon[2] if c.coupon else 0.0 for c in plan.campaigns] + [0.0])
        self.coupon_codes = [c.coupon[0] if c.coupon else None for c in plan.campaigns]
        self.festival_active = {ci: plan.campaigns[ci].active(days) for ci in plan.festival_coupons}

    def _rng(self, stream: int, day: int) -> np.random.Generator:
        return np.random.default_rng([self.plan.seed, stream, day])

    # ------------------------------------------------------------------ sessions
    def _returning_sessions(self, rng, d: int) -> Sessions:
        """Sessions of users who signed up before day d (as people.activity_sessions, one day at a time)."""
        p, cal, u_ = self.plan, self.plan.cal, self.users
        age = d - u_["sday"]
        prob = np.float32(p.activity_level * p.rhythm[d]) * p.age_weight[age] * u_["rp"]
        active = rng.random(u_.n, dtype=np.float32) < np.minimum(prob, np.float32(ACTIVE_CAP))
        u = np.flatnonzero(active)
        extra = rng.random(len(u)) < SECOND_SESSION
        u = np.concatenate([u, u[extra]])
        first = np.arange(len(u)) < len(u) - int(extra.sum())
        t0 = cal.t0 + d * DAY + cal.seconds_of_day(rng, len(u))
        push = p.reengage[d]
        src = np.where((push >= 0) & (rng.random(len(u)) < REENGAGE_SHARE), push, -1)
        cart = first & (rng.random(len(u)) < RETURNING_CART * cal.order_lift[d] ** 0.5)
        value = u_["value"][u]
        buy = cart & (rng.random(len(u)) < np.minimum(RETURNING_BUY * value * cal.payday[d], 0.9))
        return Sessions(
            t0=t0,
            anon=u_["anon"][u],
            user=u,
            source=src,
            n_pv=rng.poisson(2.0, len(u)) + 1,
            signup=np.zeros(len(u), bool),
            cart=cart,
            buy=buy,
        )

    def _midnight_purchases(self, rng, d: int, ev: dict, s: Sessions) -> None:
        """Move a few purchasing sessions so the purchase lands at 23:59:59 or 00:00:01 Beijing time (the
        first of every week always, alternating sides), like people.boundary_shift."""
        cal = self.plan.cal
        buys = np.flatnonzero(ev["code"] == 4)
        if not len(buys):
            return
        chosen = rng.random(len(buys)) < MIDNIGHT_SHARE
        before = rng.random(len(buys)) < 0.5
        if d % 7 == 0:
            chosen[0], before[0] = True, (d // 7) % 2 == 0
        pick, before = buys[chosen], before[chosen]
        midnight = cal.t0 + (d + 1) * DAY
        target = np.where(before | (midnight + 1 >= cal.t_end), midnight - 1, midnight + 1)
        shift = np.zeros(len(s.t0), np.int64)
        shift[ev["session"][pick]] = target - ev["t"][pick]
        ev["t"] = ev["t"] + shift[ev["session"]]

    def _prospect_sessions(self, rng, d: int) -> tuple[Sessions, np.ndarray]:
        """Today's planned visits → prospects (new or returning) → sessions; returns them and each session's
        device."""
        p, cal, w = self.plan, self.plan.cal, self.window
        col_ = p.counts[:, d]
        s_idx = np.flatnonzero(col_)
        vs = np.repeat(s_idx, col_[s_idx])
        t = visit_times(rng, cal, vs, np.full(len(vs), d), p.timing)
        keep = t < cal.t_end - 1800  # a session must finish inside the window
        order = np.argsort(t[keep], kind="stable")
        vs, t = vs[keep][order], t[keep][order]
        m = len(vs)
        ch = p.src_channel[vs]

        ret_pos = np.flatnonzero(rng.random(m) < RETURN_RATE)
        ret_pos = ret_pos[: min(len(ret_pos), len(w.ids))]
        pick = rng.choice(len(w.ids), size=len(ret_pos), replace=False) if len(ret_pos) else ret_pos
        is_new = np.ones(m, bool)
        is_new[ret_pos] = False
        new_n = m - len(ret_pos)
        pid = np.empty(m, np.int64)
        pid[ret_pos] = w.ids[pick]
        pid[is_new] = np.arange(self.prospects, self.prospects + new_n)
        self.prospects += new_n
        device = np.empty(m, np.int8)
        device[ret_pos] = w.device[pick]
        draw = rng.random(new_n)
        device[is_new] = (draw[:, None] > p.cum_devices[ch[is_new]]).sum(axis=1)
        conv = rng.random(m) < p.signup_rate[ch] * np.where(is_new, 1.0, RETURN_SIGNUP_BOOST)

        # Tomorrow's window: today's visitors who did not sign up, plus earlier ones still inside it.
        w.last[pick] = d
        gone = np.zeros(len(w.ids), bool)
        gone[pick[conv[ret_pos]]] = True
        stay = ~gone & (w.last > d - RETURN_WINDOW)
        fresh = is_new & ~conv
        self.window = Window(
            np.concatenate([w.ids[stay], pid[fresh]]),
            np.concatenate([w.last[stay], np.full(int(fresh.sum()), d)]),
            np.concatenate([w.device[stay], device[fresh]]),
        )
        cart = conv & (rng.random(m) < PROSPECT_CART)
        buy = cart & (rng.random(m) < PROSPECT_BUY)
        n_pv = rng.poisson(PROSPECT_PAGE_VIEWS, m)
        return Sessions(t, pid, np.full(m, -1), vs, n_pv, conv, cart, buy), device

    def _new_users(self, rng, s: Sessions, device: np.ndarray, ev: dict) -> np.ndarray:
        """Users from today's signup events (in signup order); returns the user of each session or -1."""
        p, cal = self.plan, self.plan.cal
        sig = ev["code"] == 2
        sess, st = ev["session"][sig], ev["t"][sig]
        ok = st < cal.t_end
        sess, st = sess[ok], st[ok]
        order = np.lexsort((sess, st))
        sess, st = sess[order], st[order]
        n = len(sess)
        ch = p.src_channel[s.source[sess]]
        meta = ch == CHANNEL_INDEX["meta_ads"]
        n_home = len(REGIONS)  # places: home regions, then overseas cities (Meta's diaspora audience)
        place = np.where(
            meta,
            n_home + rng.integers(0, len(p.places) - n_home, n),
            rng.choice(n_home, size=n, p=p.place_weights),
        )
        place = np.where(rng.random(n) < 0.04, -1, place)  # the app did not get a location
        hk = self.place_region[place] == self.region_labels.index("香港")
        r = rng.random(n)
        currency = np.where(
            meta & (r < 0.7), 1, np.where(hk & (r < 0.8), 2, np.where(r < 0.004, 1, 0))
        ).astype(np.int8)
        propensity = rng.gamma(2.0, 0.5, n)
        spender = rng.lognormal(0.0, 0.3, n)
        sday = cal.bj_day(st)
        idx = self.users.add(
            sday=sday,
            rp=p.channel_retention[ch] * propensity,
            value=p.channel_value[ch] * spender,
            channel=ch,
            device=device[sess],
            currency=currency,
            anon=s.anon[sess],
            touch_t=s.t0[sess],
            touch_src=s.source[sess],
        )
        rows = {"user": idx, "anon": s.anon[sess], "t": st, "place": place, "device": device[sess]}
        for day in np.unique(sday).tolist():
            self.pending[day]["app_users"].append(_take(rows, sday == day))
        invited = np.isin(s.source[sess], p.invite_sources)
        np.add.at(self.referrals, sday[invited], 1)
        visit_user = np.full(len(s.t0), -1, np.int64)
        visit_user[sess] = idx
        return visit_user

    # ------------------------------------------------------------------ one day
    def run_day(self, d: int) -> int:
        """Simulate day d and route its records to their landing days; returns events generated."""
        p, cal, users = self.plan, self.plan.cal, self.users
        rng = self._rng(STREAM_DAY, d)
        b = self._returning_sessions(rng, d)
        a, a_device = self._prospect_sessions(rng, d)
        ev_a = expand(rng, a)
        visit_user = self._new_users(rng, a, a_device, ev_a)
        ev_b = expand(rng, b)
        self._midnight_purchases(rng, d, ev_b, b)

        sa, sb = ev_a["session"], ev_b["session"]
        t = np.concatenate([ev_a["t"], ev_b["t"]])
        code = np.concatenate([ev_a["code"], ev_b["code"]])
        anon = np.concatenate([a.anon[sa], b.anon[sb]])
        user = np.concatenate([np.where(ev_a["code"] >= 2, visit_user[sa], -1), b.user[sb]])
        device = np.concatenate([a_device[sa], users["device"][b.user][sb]])
        session_source = np.concatenate([a.source[sa], b.source[sb]])
        first = np.concatenate([np.ones(len(sa), bool), np.zeros(len(sb), bool)])
        key = col.mix64(np.uint64(d) * np.uint64(1 << 32) + np.arange(len(t), dtype=np.uint64), EVENT_SALT)

        chk = np.flatnonzero((code == 4) & (user >= 0) & (t < cal.t_end))
        cancelled = rng.random(len(chk)) < CANCEL_SHARE
        keep = (t < cal.t_end) & ((code != 4) | (user >= 0))
        keep[chk[cancelled]] = False  # a cancelled checkout was never paid: no purchase event
        self._checkouts(chk, user, t, first, cancelled, session_source, key)

        # Re-engagement pushes: touches for attribution, and member-day visits for the incentive costs.
        pushed = b.source >= 0
        if pushed.any():
            order = np.argsort(b.t0[pushed], kind="stable")
            users.a["touch_t"][b.user[pushed][order]] = b.t0[pushed][order]
            users.a["touch_src"][b.user[pushed][order]] = b.source[pushed][order]
            self.member_visits[p.src_campaign[p.reengage[d]], d] += int(pushed.sum())

        idx = np.flatnonzero(keep)
        happened = cal.bj_day(t[idx])
        late = np.where(rng.random(len(idx)) < LATE_SHARE, rng.integers(1, 3, len(idx)), 0)
        late = np.where(happened + late < cal.days, late, 0)  # every event of the window lands inside it
        receive = happened + late
        assert not len(receive) or receive.min() >= d, "a record would land in a day already written"
        rows = {
            "t": t[idx],
            "code": code[idx],
            "anon": anon[idx],
            "user": user[idx],
            "device": device[idx],
            "source": np.where(code == 0, session_source, -1)[idx],  # UTM rides on the session_start
            "key": key[idx],
            "late": late > 0,
        }
        self._route("app_events", rows, receive)
        return len(idx)

    def _route(self, source: str, rows: dict, day: np.ndarray) -> None:
        for dd in np.unique(day).tolist():
            self.pending[dd][source].append(_take(rows, day == dd))

    def _checkouts(self, chk, user, t, first, cancelled, session_source, key) -> None:
        """Park checkouts by Beijing creation day (orders are numbered per day) with their last UTM touch:
        the session's own, else the user's latest within the attribution window."""
        u_ = self.users
        cu, ct = user[chk], t[chk]
        own = session_source[chk]
        prev_t, prev_src = u_["touch_t"][cu], u_["touch_src"][cu]
        recent = (prev_t <= ct) & (ct - prev_t <= ATTRIBUTION_WINDOW)
        touch = np.where(own >= 0, own, np.where(recent, prev_src, -1))
        rec = {
            "user": cu,
            "t": ct,
            "first": first[chk],
            "cancelled": cancelled,
            "touch": touch,
            "key": key[chk],
        }
        created = self.plan.cal.bj_day(ct)
        for dd in np.unique(created).tolist():
            self.checkouts[dd].append(_take(rec, created == dd))

    # ------------------------------------------------------------------ orders of a creation day
    def _orders(self, d: int) -> None:
        """Order rows of the checkouts created on day d (as orders.build_orders): paid today, a cancellation
        within 30 minutes, a refund 1–10 days later (always on a later Beijing day), each routed to the day it
        lands."""
        parts = self.checkouts.pop(d, [])
        if not parts:
            return
        p, cal, u_ = self.plan, self.plan.cal, self.users
        c = _cat(parts)
        c = _take(c, np.lexsort((c["key"], c["t"])))
        rng = self._rng(STREAM_ORDERS, d)
        n, u, t = len(c["t"]), c["user"], c["t"]
        value = p.channel_value[u_["channel"][u]]
        lift = cal.order_lift[d]
        gross = np.round(rng.lognormal(np.log(129.0), 0.55, n) * (1 + 0.25 * (lift - 1)) * value**0.5, 2)
        coupon = np.full(n, -1)
        r = rng.random(n)
        gift = p.new_user_coupon
        coupon[c["first"] & (r < 0.6) & (gross >= self.coupon_minimum[gift])] = gift
        for ci in p.festival_coupons:
            on = self.festival_active[ci][d] & (coupon < 0)
            coupon[on & (rng.random(n) < 0.4) & (gross >= self.coupon_minimum[ci])] = ci
        discount = self.coupon_discount[coupon]
        paid_cny = np.round(gross - discount, 2)
        currency = u_["currency"][u].astype(np.int64)
        amount = np.round(paid_cny / p.fx_table[currency, d], 2)
        cents = np.rint(amount * 100).astype(np.int64)
        cancelled = c["cancelled"]
        updated = np.where(cancelled, t + rng.integers(300, 1800, n), t)
        refunded = ~cancelled & (rng.random(n) < REFUND_SHARE)
        refund_t = t + rng.integers(1, 11, n) * DAY + rng.integers(-6 * 3600, 6 * 3600, n)
        refund_t = np.where(cal.bj_day(refund_t) <= d, refund_t + 12 * 3600, refund_t)  # a later day
        partial = np.round(amount * rng.uniform(0.2, 0.9, n), 2)
        refund_amt = np.where(rng.random(n) < FULL_REFUND_SHARE, amount, np.maximum(partial, 0.01))
        refund_cents = np.rint(refund_amt * 100).astype(np.int64)

        base = {
            "cday": np.full(n, d),
            "seq": np.arange(n),
            "user": u,
            "created": t,
            "currency": currency,
            "amount": cents,
            "coupon": coupon,
        }
        none = np.full(n, -1)
        paid = ~cancelled
        versions = (
            (paid, 0, t, none, none),
            (cancelled & (updated < cal.t_end), 2, updated, none, none),
            (refunded & (refund_t < cal.t_end), 1, refund_t, refund_cents, refund_t),
        )
        for mask, status, upd, ref, ref_t in versions:
            rows = _take(
                base | {"status": np.full(n, status), "updated": upd, "refund": ref, "refunded_at": ref_t},
                mask,
            )
            self._route("app_orders", rows, cal.bj_day(rows["updated"]))

        # The platforms' claims: paid orders by last-touch ad and platform day (Meta: LA day, USD).
        ad = p.ad_of_source[c["touch"][paid]]  # touch -1 hits the sentinel
        meta = p.ad_is_meta[ad]
        tp = t[paid]
        pday = np.where(meta, cal.la_day(tp), d)
        usd = p.fx["USD"][np.clip(pday, 0, cal.days - 1)]
        val = np.where(meta, paid_cny[paid] / usd, paid_cny[paid])
        ok = (ad >= 0) & (pday >= 0) & (pday < cal.days)
        np.add.at(self.claim_count, (ad[ok], pday[ok]), 1)
        np.add.at(self.claim_value, (ad[ok], pday[ok]), val[ok])
        used = paid & (coupon >= 0)
        for ci in np.unique(coupon[used]).tolist():
            m = used & (coupon == ci)
            self.coupons[(ci, d)] = (int(m.sum()), float(discount[m].sum()))

    # ------------------------------------------------------------------ files of a day
    def flush(self, d: int) -> dict[str, pa.Table]:
        """The final tables of landing day d (call after run_day(d)); sources with no rows are left out."""
        self._orders(d)
        parts = self.pending.pop(d, {})
        shapers = {"app_events": self._events, "app_users": self._users, "app_orders": self._order_rows}
        return {name: shape(_cat(parts[name])) for name, shape in shapers.items() if parts.get(name)}

    def _labels(self):
        if not hasattr(self, "_cats"):
            p = self.plan
            self._cats = {
                "event": col.Categories(EVENT_NAMES),
                "device": col.Categories(DEVICES),
                "utm": [col.Categories(labels) for labels in p.utm_labels],
                "region": col.Categories(self.region_labels),
                "city": col.Categories(self.city_labels),
                "status": col.Categories(ORDER_STATUSES),
                "currency": col.Categories(CURRENCIES),
                "coupon": col.Categories(self.coupon_codes),
                "ymd": np.array([int(x.strftime("%Y%m%d")) for x in p.cal.dates], np.int64),
            }
        return self._cats

    def _user_ids(self, user: np.ndarray) -> pa.StringArray:
        return col.numbered("u", FIRST_USER_NUMBER + np.maximum(user, 0), 8, valid=user >= 0)

    def _events(self, e: dict) -> pa.Table:
        e = _take(e, np.lexsort((e["key"], e["t"], e["late"])))  # on time first, then late arrivals
        c = self._labels()
        utm = {
            name: cat(e["source"])
            for name, cat in zip(
                ("utm_source", "utm_medium", "utm_campaign", "utm_content"), c["utm"], strict=True
            )
        }
        return pa.table(
            {
                "event_id": col.hex16(e["key"]),
                "event_name": c["event"](e["code"]),
                "event_at": col.timestamps(e["t"]),
                "anonymous_id": col.hex16(col.mix64(e["anon"], ANON_SALT)),
                "user_id": self._user_ids(e["user"]),
                "platform": c["device"](e["device"]),
                **utm,
            }
        )

    def _users(self, r: dict) -> pa.Table:
        r = _take(r, np.argsort(r["user"], kind="stable"))
        c = self._labels()
        return pa.table(
            {
                "user_id": self._user_ids(r["user"]),
                "anonymous_id": col.hex16(col.mix64(r["anon"], ANON_SALT)),
                "signup_at": col.timestamps(r["t"]),
                "region": c["region"](self.place_region[r["place"]]),
                "city": c["city"](self.place_city[r["place"]]),
                "device": c["device"](r["device"]),
            }
        )

    def _order_rows(self, o: dict) -> pa.Table:
        o = _take(o, np.lexsort((o["seq"], o["cday"], o["updated"])))
        c = self._labels()
        if len(o["seq"]) and o["seq"].max() + 1 >= 10**5:
            raise ValueError("more than 99,998 orders in one day: widen the order number")
        number = c["ymd"][o["cday"]] * 10**5 + o["seq"] + 1
        refunded = o["refund"] >= 0
        return pa.table(
            {
                "order_id": col.numbered("GM", number, 13),
                "user_id": self._user_ids(o["user"]),
                "created_at": col.timestamps(o["created"]),
                "updated_at": col.timestamps(o["updated"]),
                "status": c["status"](o["status"]),
                "currency": c["currency"](o["currency"]),
                "amount": col.decimal_cents(o["amount"]),
                "refund_amount": col.decimal_cents(o["refund"], valid=refunded),
                "refunded_at": col.timestamps(o["refunded_at"], valid=refunded),
                "coupon_code": c["coupon"](o["coupon"]),
            }
        )
