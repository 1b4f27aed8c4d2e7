"""The core marts written in pandas, the way a user would by hand: load the raw tables, then compute.

Same definitions as `core_marts.sql` and the dbt reports (docs/metrics.md): retention cohorts, user funnel,
CAC/LTV by monthly cohort, lifetime campaign ROI. Reads the raw tables and seeds of a warehouse copy into
DataFrames (that load is part of the work and is timed separately), writes each mart as Parquet.

    python -m bench.baselines.core_marts_pandas --db WAREHOUSE --out-dir DIR [--timings PATH]

Run by the benchmark in a subprocess under a memory cap; a MemoryError exits with status 3.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

TZ = "Asia/Shanghai"
LOOKBACK = pd.Timedelta(days=7)
FUNNEL_WINDOW = pd.Timedelta(days=14)
RETENTION_DAYS = [*range(31), 60, 90]
VERSION_ORDER = ["_partition_date", "_loaded_at", "_row_number"]
META_CONVERSION = "offsite_conversion.fb_pixel_purchase"
EXIT_OUT_OF_MEMORY = 3


def latest(df: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """The newest landed version of each key."""
    return df.sort_values(VERSION_ORDER, ascending=False).drop_duplicates(keys)


def local_day(ts: pd.Series) -> pd.Series:
    """Reporting-timezone calendar day (midnight, naive) of a naive UTC timestamp."""
    return ts.dt.tz_localize("UTC").dt.tz_convert(TZ).dt.tz_localize(None).dt.normalize()


def norm(s: pd.Series) -> pd.Series:
    return s.str.strip().str.lower()


def to_cny(amount: pd.Series, currency: pd.Series, rate: pd.Series) -> pd.Series:
    return np.where(currency == "CNY", amount, amount * rate).round(4)


def ratio(num, den) -> pd.Series:
    den = pd.Series(den, dtype="float64")
    return pd.Series(num, dtype="float64") / den.where(den != 0)


def load(db: Path) -> dict[str, pd.DataFrame]:
    con = duckdb.connect(str(db), read_only=True)
    con.execute("set TimeZone = 'UTC'")
    version = ", _partition_date, _loaded_at, _row_number"
    queries = {
        "events": "select event_id, event_name, event_at, anonymous_id, user_id, utm_source, utm_medium,"
        f" utm_campaign{version} from raw.app_events",
        "users": f"select user_id, anonymous_id, signup_at{version} from raw.app_users",
        "orders": "select order_id, user_id, created_at, updated_at, status, currency, amount, refund_amount"
        f"{version} from raw.app_orders",
        "campaigns": "select campaign_id, platform_campaign_id, channel, platform, utm_campaign"
        f"{version} from raw.campaigns",
        "fx": f"select rate_date, currency, rate_to_cny{version} from raw.fx_rates",
        "costs": f"select cost_id, cost_date, campaign_id, amount, currency{version} from raw.non_ad_costs",
        "ocean": 'select "日期", "项目ID", "广告ID", "展示数", "点击数", "消耗(元)", "转化数"'
        f"{version} from raw.ocean_engine_ad_stats",
        "tencent": "select date, campaign_id, dynamic_creative_id, view_count, valid_click_count, cost,"
        f" conversions_count{version} from raw.tencent_ads_daily_reports",
        "baidu": f'select "日期", "计划ID", "关键词ID", "展现", "点击", "消费", "转化"{version} from raw.baidu_keyword_stats',
        "meta": "select date_start, campaign_id, ad_id, account_currency, impressions, clicks, spend, actions"
        f"{version} from raw.meta_ads_insights",
        "xhs": f'select "time", campaign_id, creativity_id, impression, click, fee, goods_order{version} '
        "from raw.xiaohongshu_ads_reports",
        "google": 'select "segments.date", "campaign.id", "ad_group_ad.ad.id", "customer.currency_code", '
        '"metrics.impressions", "metrics.clicks", "metrics.cost_micros", "metrics.conversions"'
        f"{version} from raw.google_ads_ad_stats",
        "channel_map": "select * from seeds.channel_map",
        "channels": "select * from seeds.channels",
    }
    frames = {name: con.execute(sql).df() for name, sql in queries.items()}
    con.close()
    for df in frames.values():  # dates as datetime64, so day arithmetic is vectorised
        for col in ("_partition_date", "rate_date", "cost_date", "日期", "date", "date_start"):
            if col in df.columns:
                df[col] = pd.to_datetime(df[col])
    return frames


# --------------------------------------------------------------------------------------------------------
# Shared building blocks: events stitched to persons, visits, activity, orders, users.


def prepare(raw: dict[str, pd.DataFrame]) -> dict:
    ev = latest(raw["events"], ["event_id"])
    ev = ev.assign(
        event_name=norm(ev.event_name),
        utm_source=norm(ev.utm_source),
        utm_medium=norm(ev.utm_medium),
        utm_campaign=norm(ev.utm_campaign),
        event_date=local_day(ev.event_at),
    )
    data_end = ev["_partition_date"].max()

    users = latest(raw["users"], ["user_id"])
    users = users.assign(signup_date=local_day(users.signup_at))[
        ["user_id", "anonymous_id", "signup_at", "signup_date"]
    ]

    camp = latest(raw["campaigns"], ["campaign_id"])
    camp = camp.assign(
        platform_campaign_id=camp.platform_campaign_id.str.strip(),
        channel=norm(camp.channel),
        platform=norm(camp.platform),
        utm_campaign=norm(camp.utm_campaign),
    )[["campaign_id", "platform_campaign_id", "channel", "platform", "utm_campaign"]]

    fx = raw["fx"].assign(currency=raw["fx"].currency.str.upper())
    fx = latest(fx, ["rate_date", "currency"])[["rate_date", "currency", "rate_to_cny"]]

    # device -> user: the signup device first, else the first user seen logged in on it
    logged_in = ev[ev.user_id.notna()].groupby(["anonymous_id", "user_id"], as_index=False).event_at.min()
    links = pd.concat(
        [
            users[["anonymous_id", "user_id"]].assign(priority=1, linked_at=users.signup_at),
            logged_in.rename(columns={"event_at": "linked_at"}).assign(priority=2),
        ]
    )
    identities = links.sort_values(["anonymous_id", "priority", "linked_at", "user_id"]).drop_duplicates(
        "anonymous_id"
    )[["anonymous_id", "user_id"]]
    ev = ev.merge(identities.rename(columns={"user_id": "linked_user"}), on="anonymous_id", how="left")
    ev["uid"] = ev.user_id.fillna(ev.linked_user)
    ev["person_id"] = ev.uid.fillna(ev.anonymous_id)

    visits = ev[ev.event_name == "session_start"]
    visits = visits.merge(raw["channel_map"], on=["utm_source", "utm_medium"], how="left")
    no_utm = visits.utm_source.isna() & visits.utm_medium.isna() & visits.utm_campaign.isna()
    visits["channel"] = np.where(no_utm, "organic", visits.channel.fillna("unmapped"))
    registry_utm = camp[camp.utm_campaign.notna()][["utm_campaign", "campaign_id"]]  # NaN keys would match
    visits = visits.merge(registry_utm, on="utm_campaign", how="left")
    visits = visits.rename(columns={"event_date": "visit_date", "event_at": "visited_at", "uid": "vuser"})[
        ["event_id", "vuser", "person_id", "campaign_id", "channel", "visit_date", "visited_at"]
    ].rename(columns={"vuser": "user_id"})

    activity = ev.loc[ev.uid.notna(), ["uid", "event_date"]].drop_duplicates()
    activity.columns = ["user_id", "activity_date"]
    activations = ev.loc[ev.event_name == "add_to_cart", ["person_id", "event_at"]]
    del ev

    orders = latest(raw["orders"], ["order_id", "updated_at"])
    orders = orders.assign(
        status=norm(orders.status),
        currency=orders.currency.str.strip().str.upper(),
        created_date=local_day(orders.created_at),
    )
    orders = orders.merge(
        fx, left_on=["currency", "created_date"], right_on=["currency", "rate_date"], how="left"
    )
    orders["amount_cny"] = to_cny(orders.amount, orders.currency, orders.rate_to_cny)
    orders["refund_cny"] = to_cny(orders.refund_amount, orders.currency, orders.rate_to_cny)
    paid_ids = orders.loc[orders.status.isin(["paid", "refunded"]), "order_id"].unique()
    orders = orders.sort_values(["updated_at", "_partition_date"], ascending=False).drop_duplicates(
        "order_id"
    )
    orders = orders[orders.order_id.isin(paid_ids)].copy()
    refunded = orders.status.isin(["refunded", "cancelled"])
    refund = np.where(refunded, orders.refund_cny.fillna(orders.amount_cny), orders.refund_cny.fillna(0))
    orders["net_revenue_cny"] = (orders.amount_cny - refund).round(4)
    orders = orders.sort_values(["created_at", "order_id"])
    orders["order_sequence"] = orders.groupby("user_id").cumcount() + 1
    orders = orders[
        ["order_id", "user_id", "created_at", "created_date", "net_revenue_cny", "order_sequence"]
    ]

    # users with first-touch channel and first paid order
    before = visits.merge(users[["user_id", "signup_at"]], on="user_id")
    first_touch = (
        before[before.visited_at <= before.signup_at]
        .sort_values(["visited_at", "event_id"])
        .drop_duplicates("user_id")[["user_id", "channel"]]
    )
    first_order = orders.groupby("user_id", as_index=False).created_date.min()
    dim_users = users.merge(first_touch, on="user_id", how="left").merge(
        first_order.rename(columns={"created_date": "first_order_date"}), on="user_id", how="left"
    )
    dim_users["channel"] = dim_users.channel.fillna("organic")
    dim_users["signup_month"] = dim_users.signup_date.dt.to_period("M").dt.to_timestamp()
    return {
        "data_end": data_end,
        "users": users,
        "campaigns": camp,
        "fx": fx,
        "visits": visits,
        "activity": activity,
        "activations": activations,
        "orders": orders,
        "dim_users": dim_users,
    }


# --------------------------------------------------------------------------------------------------------
# 1. Retention cohorts


def retention_cohorts(p: dict) -> pd.DataFrame:
    data_end, dim_users = p["data_end"], p["dim_users"]
    days = p["activity"].merge(dim_users[["user_id", "signup_date", "channel"]], on="user_id")
    days = days[(days.activity_date >= days.signup_date) & (days.activity_date <= data_end)]
    days["day_n"] = (days.activity_date - days.signup_date).dt.days
    keys = ["signup_date", "channel"]
    cohorts = (
        dim_users[dim_users.signup_date <= data_end].groupby(keys).size().rename("cohort_size").reset_index()
    )
    retained = days[days.day_n.isin(RETENTION_DAYS)].groupby([*keys, "day_n"]).size().rename("retained_users")
    last = days.groupby(["user_id", *keys], as_index=False).day_n.max()
    unbounded = pd.concat(
        [last[last.day_n >= n].groupby(keys).size().rename("unbounded_retained_users").to_frame().assign(day_n=n)
         for n in RETENTION_DAYS]
    ).reset_index().set_index([*keys, "day_n"])  # fmt: skip
    grid = cohorts.merge(pd.DataFrame({"day_n": RETENTION_DAYS}), how="cross")
    grid = grid.join(retained, on=[*keys, "day_n"]).join(unbounded, on=[*keys, "day_n"])
    grid["is_complete"] = grid.signup_date + pd.to_timedelta(grid.day_n, unit="D") <= data_end
    for col in ("retained_users", "unbounded_retained_users"):
        grid[col] = grid[col].fillna(0).where(grid.is_complete)
    grid["retention_rate"] = grid.retained_users / grid.cohort_size
    grid["unbounded_retention_rate"] = grid.unbounded_retained_users / grid.cohort_size
    return grid.rename(columns={"signup_date": "cohort_date"})[
        ["cohort_date", "channel", "day_n", "cohort_size", "retained_users", "retention_rate",
         "unbounded_retained_users", "unbounded_retention_rate", "is_complete"]
    ]  # fmt: skip


# --------------------------------------------------------------------------------------------------------
# 2. User funnel


def funnel_users(p: dict) -> pd.DataFrame:
    persons = p["visits"].sort_values(["visited_at", "event_id"]).drop_duplicates("person_id").copy()
    persons["window_ends_at"] = persons.visited_at + FUNNEL_WINDOW
    persons["cohort_week"] = persons.visit_date - pd.to_timedelta(persons.visit_date.dt.day_of_week, unit="D")
    signups = persons.merge(p["users"][["user_id", "signup_at"]], left_on="person_id", right_on="user_id")
    signups = signups[
        (signups.signup_at >= signups.visited_at) & (signups.signup_at <= signups.window_ends_at)
    ]
    # first activation at or after signup, if inside the window
    activated = pd.merge_asof(
        signups.sort_values("signup_at"),
        p["activations"].sort_values("event_at"),
        left_on="signup_at",
        right_on="event_at",
        by="person_id",
        direction="forward",
    )
    activated = activated[activated.event_at <= activated.window_ends_at]
    orders = p["orders"]
    first = activated.merge(orders, left_on="person_id", right_on="user_id", suffixes=("", "_o"))
    first = first[(first.created_at >= first.event_at) & (first.created_at <= first.window_ends_at)]
    first = first.groupby("person_id", as_index=False).agg(
        order_sequence=("order_sequence", "min"), window_ends_at=("window_ends_at", "first")
    )
    nxt = first.assign(order_sequence=first.order_sequence + 1).merge(
        orders, left_on=["person_id", "order_sequence"], right_on=["user_id", "order_sequence"]
    )
    repeat = nxt[nxt.created_at <= nxt.window_ends_at]
    persons["signup"] = persons.person_id.isin(signups.person_id)
    persons["activation"] = persons.person_id.isin(activated.person_id)
    persons["first_paid_order"] = persons.person_id.isin(first.person_id)
    persons["repeat_paid_order"] = persons.person_id.isin(repeat.person_id)
    persons["visit"] = True
    steps = ["visit", "signup", "activation", "first_paid_order", "repeat_paid_order"]
    cohorts = persons.groupby(["cohort_week", "channel"])[steps].sum().reset_index()
    out = cohorts.melt(["cohort_week", "channel"], steps, var_name="step_name", value_name="users")
    out["step_order"] = out.step_name.map({s: i + 1 for i, s in enumerate(steps)})
    out = out.sort_values(["cohort_week", "channel", "step_order"]).reset_index(drop=True)
    complete = out.cohort_week + pd.Timedelta(days=20) <= p["data_end"]
    prev = out.groupby(["cohort_week", "channel"]).users.shift()
    first_step = out.groupby(["cohort_week", "channel"]).users.transform("first")
    out["conversion_from_previous"] = ratio(out.users, prev).where(complete)
    out["conversion_from_first"] = ratio(out.users, first_step).where(complete)
    out["is_complete"] = complete
    return out


# --------------------------------------------------------------------------------------------------------
# Spend: ads of every platform plus non-ad costs, in CNY, on the registry's campaigns


def spend_tables(raw: dict[str, pd.DataFrame], p: dict) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    fx = p["fx"]
    cols = [
        "platform",
        "platform_campaign_id",
        "impressions",
        "clicks",
        "spend_cny",
        "platform_conversions",
        "report_date",
    ]
    oe = latest(raw["ocean"], ["日期", "广告ID"])
    oe = pd.DataFrame({"platform": "ocean_engine", "platform_campaign_id": oe["项目ID"], "impressions": oe["展示数"],
                       "clicks": oe["点击数"], "spend_cny": oe["消耗(元)"], "platform_conversions": oe["转化数"].fillna(0),
                       "report_date": oe["日期"]})  # fmt: skip
    tc = latest(raw["tencent"], ["date", "dynamic_creative_id"])
    tc = pd.DataFrame({"platform": "tencent_ads", "platform_campaign_id": tc.campaign_id, "impressions": tc.view_count,
                       "clicks": tc.valid_click_count, "spend_cny": (tc.cost / 100).round(4),
                       "platform_conversions": tc.conversions_count.fillna(0), "report_date": tc.date})  # fmt: skip
    bd = latest(raw["baidu"], ["日期", "关键词ID"])
    bd = pd.DataFrame({"platform": "baidu", "platform_campaign_id": bd["计划ID"], "impressions": bd["展现"],
                       "clicks": bd["点击"], "spend_cny": bd["消费"], "platform_conversions": bd["转化"].fillna(0),
                       "report_date": bd["日期"]})  # fmt: skip
    mt = latest(raw["meta"], ["date_start", "ad_id"])
    mt = mt.assign(currency=mt.account_currency.str.upper()).merge(
        fx, left_on=["currency", "date_start"], right_on=["currency", "rate_date"], how="left"
    )

    def purchases(actions) -> float:
        if actions is None or (isinstance(actions, float) and np.isnan(actions)):
            return 0
        return sum(float(a["value"]) for a in json.loads(actions) if a.get("action_type") == META_CONVERSION)

    mt = pd.DataFrame({"platform": "meta", "platform_campaign_id": mt.campaign_id, "impressions": mt.impressions,
                       "clicks": mt.clicks, "spend_cny": to_cny(mt.spend, mt.currency, mt.rate_to_cny),
                       "platform_conversions": mt.actions.map(purchases), "report_date": mt.date_start})  # fmt: skip
    xh = latest(raw["xhs"], ["time", "creativity_id"])
    xh = pd.DataFrame({"platform": "xiaohongshu_ads", "platform_campaign_id": xh.campaign_id,
                       "impressions": xh.impression, "clicks": xh.click, "spend_cny": xh.fee,
                       "platform_conversions": xh.goods_order.fillna(0), "report_date": xh["time"]})  # fmt: skip
    gg = latest(raw["google"], ["segments.date", "ad_group_ad.ad.id"])
    gg = gg.assign(currency=gg["customer.currency_code"].str.strip().str.upper()).merge(
        fx, left_on=["currency", "segments.date"], right_on=["currency", "rate_date"], how="left"
    )
    whole = np.floor(gg["metrics.conversions"].fillna(0).astype(float) + 0.5)  # SQL round(): half away from 0
    gg = pd.DataFrame({"platform": "google_ads", "platform_campaign_id": gg["campaign.id"],
                       "impressions": gg["metrics.impressions"], "clicks": gg["metrics.clicks"],
                       "spend_cny": to_cny((gg["metrics.cost_micros"] / 1_000_000).round(4), gg.currency, gg.rate_to_cny),
                       "platform_conversions": whole, "report_date": gg["segments.date"]})  # fmt: skip
    ads = pd.concat([oe[cols], tc[cols], bd[cols], mt[cols], xh[cols], gg[cols]], ignore_index=True)

    camp = p["campaigns"]
    registered = camp[camp.platform_campaign_id.notna()]
    known = ads.merge(registered, on=["platform", "platform_campaign_id"], how="left")
    unreg = known.loc[known.campaign_id.isna(), ["platform", "platform_campaign_id"]].drop_duplicates()
    unreg = unreg.merge(
        raw["channels"][["ad_platform", "channel"]], left_on="platform", right_on="ad_platform", how="left"
    )
    unreg["campaign_id"] = unreg.platform + ":" + unreg.platform_campaign_id
    unreg["channel"] = unreg.channel.fillna("unmapped")
    dim_campaigns = pd.concat(
        [camp[["campaign_id", "platform", "platform_campaign_id", "channel"]],
         unreg[["campaign_id", "platform", "platform_campaign_id", "channel"]]],
        ignore_index=True,
    )  # fmt: skip
    ad_days = ads.merge(
        dim_campaigns[dim_campaigns.platform_campaign_id.notna()][
            ["platform", "platform_campaign_id", "campaign_id"]
        ],
        on=["platform", "platform_campaign_id"],
        how="left",
    )
    nac = latest(raw["costs"], ["cost_id"])
    nac = nac.assign(currency=nac.currency.str.strip().str.upper()).merge(
        fx, left_on=["currency", "cost_date"], right_on=["currency", "rate_date"], how="left"
    )
    costs = pd.concat(
        [
            pd.DataFrame({"campaign_id": ad_days.campaign_id, "ad_spend_cny": ad_days.spend_cny,
                          "non_ad_cost_cny": 0.0, "cost_date": ad_days.report_date}),
            pd.DataFrame({"campaign_id": nac.campaign_id, "ad_spend_cny": 0.0,
                          "non_ad_cost_cny": to_cny(nac.amount, nac.currency, nac.rate_to_cny),
                          "cost_date": nac.cost_date}),
        ],
        ignore_index=True,
    )  # fmt: skip
    return dim_campaigns, ad_days, costs


# --------------------------------------------------------------------------------------------------------
# 3. CAC / LTV monthly


def cac_ltv_monthly(p: dict, dim_campaigns: pd.DataFrame, costs: pd.DataFrame) -> pd.DataFrame:
    data_end, dim_users = p["data_end"], p["dim_users"]
    du = dim_users.assign(paying=(dim_users.first_order_date - dim_users.signup_date).dt.days < 30)
    users = du.groupby(["signup_month", "channel"]).agg(
        new_users=("user_id", "size"), new_paying_users=("paying", "sum")
    )
    users = users.reset_index().rename(columns={"signup_month": "acquisition_month"})
    c = costs.merge(dim_campaigns[["campaign_id", "channel"]], on="campaign_id", how="left")
    c["acquisition_month"] = c.cost_date.dt.to_period("M").dt.to_timestamp()
    c["spend"] = c.ad_spend_cny + c.non_ad_cost_cny
    spend = c.groupby(["acquisition_month", "channel"], as_index=False).spend.sum()
    spend["spend_cny"] = spend.spend.where(spend.spend != 0)
    by_channel = users.merge(spend[["acquisition_month", "channel", "spend_cny"]], how="outer",
                             on=["acquisition_month", "channel"])  # fmt: skip
    by_channel[["new_users", "new_paying_users"]] = by_channel[["new_users", "new_paying_users"]].fillna(0)
    everyone = by_channel.groupby("acquisition_month", as_index=False)[
        ["new_users", "new_paying_users", "spend_cny"]
    ].sum(min_count=1)
    cohorts = pd.concat([by_channel, everyone.assign(channel="all")], ignore_index=True)
    cohorts["month_end"] = cohorts.acquisition_month + pd.offsets.MonthEnd(0)

    o = p["orders"].merge(dim_users[["user_id", "signup_date", "signup_month", "channel"]], on="user_id")
    o = o[o.created_date >= o.signup_date]
    o["day_n"] = (o.created_date - o.signup_date).dt.days
    rev = o.groupby(["signup_month", "channel", "day_n"], as_index=False).net_revenue_cny.sum()
    rev_all = o.groupby(["signup_month", "day_n"], as_index=False).net_revenue_cny.sum().assign(channel="all")
    rev = pd.concat([rev, rev_all], ignore_index=True).rename(columns={"signup_month": "acquisition_month"})
    rev = rev.sort_values(["acquisition_month", "channel", "day_n"])
    rev["cumulative"] = rev.groupby(["acquisition_month", "channel"]).net_revenue_cny.cumsum()
    rev = rev.merge(
        cohorts[["acquisition_month", "channel", "month_end", "spend_cny"]],
        on=["acquisition_month", "channel"],
    )

    out = cohorts[cohorts.acquisition_month <= data_end].copy()
    keys = ["acquisition_month", "channel"]
    for n in (7, 30, 90):
        total = rev[rev.day_n < n].groupby(keys).net_revenue_cny.sum().rename(f"rev_{n}")
        out = out.join(total, on=keys)
        out[f"rev_{n}"] = (
            out[f"rev_{n}"].fillna(0).where(out.month_end + pd.Timedelta(days=n - 1) <= data_end)
        )
    reached = rev[
        (rev.month_end + pd.to_timedelta(rev.day_n, unit="D") <= data_end) & (rev.cumulative >= rev.spend_cny)
    ]
    out = out.join(reached.groupby(keys).day_n.min().rename("payback_days"), on=keys)
    paying_window = out.month_end + pd.Timedelta(days=29) <= data_end
    out["spend"] = out.spend_cny
    out["cac"] = ratio(out.spend_cny, out.new_users)
    out["paying_cac"] = ratio(out.spend_cny, out.new_paying_users).where(paying_window)
    for n in (7, 30, 90):
        out[f"ltv_{n}d"] = ratio(out[f"rev_{n}"], out.new_users)
    out["ltv_90d_to_cac"] = ratio(out.rev_90, out.spend_cny)
    return out[["acquisition_month", "channel", "spend", "new_users", "new_paying_users", "cac", "paying_cac",
                "ltv_7d", "ltv_30d", "ltv_90d", "ltv_90d_to_cac", "payback_days"]]  # fmt: skip


# --------------------------------------------------------------------------------------------------------
# 4. Campaign ROI (lifetime), last-touch attribution with a 7-day lookback


def campaign_roi(
    p: dict, dim_campaigns: pd.DataFrame, ad_days: pd.DataFrame, costs: pd.DataFrame
) -> pd.DataFrame:
    users, orders, visits = p["users"], p["orders"], p["visits"]
    conversions = pd.concat(
        [
            pd.DataFrame({"kind": "signup", "user_id": users.user_id, "converted_at": users.signup_at,
                          "report_date": users.signup_date, "revenue": 0.0}),
            pd.DataFrame({"kind": "order", "user_id": orders.user_id, "converted_at": orders.created_at,
                          "report_date": orders.created_date, "revenue": orders.net_revenue_cny}),
        ],
        ignore_index=True,
    )  # fmt: skip
    touches = visits[visits.campaign_id.notna() & visits.user_id.notna()].sort_values(
        ["visited_at", "event_id"]
    )
    attributed = pd.merge_asof(
        conversions[conversions.user_id.notna()].sort_values("converted_at"),
        touches[["user_id", "visited_at", "campaign_id"]],
        left_on="converted_at",
        right_on="visited_at",
        by="user_id",
        direction="backward",
        tolerance=LOOKBACK,
    )
    attributed = attributed[attributed.campaign_id.notna()]
    campaign_visits = visits[visits.campaign_id.notna()]
    measures = pd.concat(
        [
            costs.rename(columns={"cost_date": "report_date"}),
            ad_days[["campaign_id", "impressions", "clicks", "platform_conversions", "report_date"]],
            pd.DataFrame({"campaign_id": campaign_visits.campaign_id, "visits": 1, "report_date": campaign_visits.visit_date}),
            pd.DataFrame({"campaign_id": attributed.campaign_id, "attributed_signups": (attributed.kind == "signup") * 1,
                          "attributed_orders": (attributed.kind == "order") * 1,
                          "attributed_revenue": attributed.revenue, "report_date": attributed.report_date}),
        ],
        ignore_index=True,
    )  # fmt: skip
    sums = ["ad_spend_cny", "non_ad_cost_cny", "impressions", "clicks", "platform_conversions", "visits",
            "attributed_signups", "attributed_orders", "attributed_revenue"]  # fmt: skip
    measures[sums] = measures[sums].fillna(0)
    life = measures.groupby("campaign_id").agg(
        **{s: (s, "sum") for s in sums}, first_date=("report_date", "min"), last_date=("report_date", "max")
    )
    life = life.reset_index().merge(
        dim_campaigns[["campaign_id", "platform", "channel"]], on="campaign_id", how="left"
    )
    life["spend"] = life.ad_spend_cny + life.non_ad_cost_cny
    spend = life.spend.where(life.spend != 0)
    life["ctr"] = ratio(life.clicks, life.impressions)
    life["cpc"] = ratio(spend, life.clicks)
    life["cpm"] = ratio(spend * 1000, life.impressions)
    life["cvr"] = ratio(life.attributed_orders, life.clicks)
    life["cpa"] = ratio(spend, life.attributed_orders)
    life["roas"] = ratio(life.attributed_revenue, life.spend)
    life["roi"] = ratio(life.attributed_revenue - life.spend, life.spend)
    return life.rename(columns={"ad_spend_cny": "ad_spend", "non_ad_cost_cny": "non_ad_cost"})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.baselines.core_marts_pandas", description=__doc__)
    parser.add_argument("--db", type=Path, required=True, help="warehouse copy holding raw.* and seeds.*")
    parser.add_argument("--out-dir", type=Path, required=True, help="where the marts are written as Parquet")
    parser.add_argument("--timings", type=Path, help="write phase timings (JSON) here")
    args = parser.parse_args(argv)
    timings: dict = {}
    try:
        started = time.perf_counter()
        raw = load(args.db)
        timings["load_s"] = time.perf_counter() - started
        timings["raw_rows"] = int(sum(len(df) for df in raw.values()))
        began = time.perf_counter()
        prepared = prepare(raw)
        dim_campaigns, ad_days, costs = spend_tables(raw, prepared)
        del raw
        marts = {
            "retention_cohorts": retention_cohorts(prepared),
            "funnel_users": funnel_users(prepared),
            "cac_ltv_monthly": cac_ltv_monthly(prepared, dim_campaigns, costs),
            "campaign_roi": campaign_roi(prepared, dim_campaigns, ad_days, costs),
        }
        timings["compute_s"] = time.perf_counter() - began
        args.out_dir.mkdir(parents=True, exist_ok=True)
        for name, df in marts.items():
            df.to_parquet(args.out_dir / f"{name}.parquet", index=False)
        timings["rows_out"] = {name: len(df) for name, df in marts.items()}
        timings["total_s"] = time.perf_counter() - started
    except MemoryError:
        print("out of memory", file=sys.stderr)
        return EXIT_OUT_OF_MEMORY
    if args.timings:
        args.timings.write_text(json.dumps(timings, indent=2))
    print(json.dumps(timings))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
