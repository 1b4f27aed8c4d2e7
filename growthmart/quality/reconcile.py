"""Spend reconciliation: the ROI report = the modelled ad + non-ad spend = raw spend converted to CNY.

The raw leg is recomputed from the raw tables, independently of dbt but by the same rules as staging:
the newest landed version of each key (latest `_partition_date`, then `_loaded_at`, then `_row_number`),
each ad platform's spend as its declaration says (Tencent fen / 100), other currencies x the same day's
`fx_rates.rate_to_cny`, each row rounded to decimal(18, 4). A row whose currency has no rate that day is counted, never guessed.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from growthmart.contracts import AD_PLATFORMS_BY_SOURCE, get_contract
from growthmart.quality.verdicts import Verdict
from growthmart.quality.warehouse import RAW_SCHEMA, column_types, find_table, qualified, quote, table_exists

# The dbt model each leg reads and its spend column (CNY): the one place to edit when models are renamed.
# Names as in dbt_project/models/ (intermediate/ads, staging/reference, reports); any schema is searched.
SPEND_MODELS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "report": (("rpt_campaign_roi",), ("spend",)),
    "unified_ads": (("int_ad_performance_unioned",), ("spend_cny",)),
    "non_ad_costs": (("stg_reference__non_ad_costs",), ("amount_cny",)),
}


@dataclass(frozen=True)
class RawSpend:
    source: str  # raw table
    date_column: str  # the day whose FX rate applies
    currency_sql: str  # SQL giving the ISO currency of the amount
    amount_sql: str  # SQL giving the amount in that currency's units


# Every declared ad platform's spend (growthmart/contracts.py, its `ad_platform`), then the non-ad costs.
RAW_SPEND = (
    *(
        RawSpend(source, get_contract(source).report_date_column, p.currency_sql, p.spend_sql)
        for source, p in AD_PLATFORMS_BY_SOURCE.items()
    ),
    RawSpend("non_ad_costs", "cost_date", "upper(trim(currency))", "amount"),
)
REPORTING_CURRENCY = "CNY"


def _latest_versions_sql(spec: RawSpend) -> str:
    contract = get_contract(spec.source)
    key = ", ".join(quote(c) for c in contract.primary_key)
    return f"""
        select '{spec.source}' as source, {quote(spec.date_column)} as spend_date,
               {spec.currency_sql} as currency, {spec.amount_sql} as amount
        from {qualified(RAW_SCHEMA, spec.source)}
        qualify row_number() over (
            partition by {key} order by _partition_date desc, _loaded_at desc, _row_number desc) = 1"""


def raw_spend_by_source(con: duckdb.DuckDBPyConnection) -> tuple[dict[str, float], int, list[str]]:
    """Converted raw spend per source, rows without a rate, and the raw tables that do not exist."""
    present = [s for s in RAW_SPEND if table_exists(con, RAW_SCHEMA, s.source)]
    missing = [s.source for s in RAW_SPEND if s not in present]
    if not present:
        return {}, 0, missing
    if table_exists(con, RAW_SCHEMA, "fx_rates"):
        fx = f"""select rate_date, upper(trim(currency)) as currency, rate_to_cny
                 from {qualified(RAW_SCHEMA, "fx_rates")}
                 qualify row_number() over (partition by rate_date, upper(trim(currency))
                     order by _partition_date desc, _loaded_at desc, _row_number desc) = 1"""
    else:
        fx = "select null::date as rate_date, null::varchar as currency, null::double as rate_to_cny"
    spend = " union all ".join(_latest_versions_sql(s) for s in present)
    sql = f"""
        with fx as ({fx}), spend as ({spend}),
        converted as (
            select s.source, s.currency, fx.rate_to_cny,
                   cast(case when s.currency = '{REPORTING_CURRENCY}' then s.amount
                             else s.amount * fx.rate_to_cny end as decimal(18, 4)) as amount_cny
            from spend s left join fx on s.currency = fx.currency and s.spend_date = fx.rate_date
        )
        select source, coalesce(sum(amount_cny), 0)::double,
               count(*) filter (where currency <> '{REPORTING_CURRENCY}' and rate_to_cny is null)
        from converted group by 1"""
    rows = con.execute(sql).fetchall()
    by_source = {s.source: 0.0 for s in present} | {r[0]: float(r[1]) for r in rows}
    return by_source, sum(int(r[2]) for r in rows), missing


def _model_total(con: duckdb.DuckDBPyConnection, leg: str) -> tuple[float | None, str]:
    """Sum of a leg's spend column, and the table.column read (or why it could not be read)."""
    names, columns = SPEND_MODELS[leg]
    found = find_table(con, names)
    if found is None:
        return None, f"none of the tables {', '.join(names)} exists"
    schema, table = found
    column = next((c for c in columns if c in column_types(con, schema, table)), None)
    if column is None:
        return None, f"{schema}.{table} has none of the columns {', '.join(columns)}"
    total = con.execute(f"select coalesce(sum({quote(column)}), 0)::double from {qualified(schema, table)}")
    return float(total.fetchone()[0]), f"{schema}.{table}.{column}"


def reconcile_spend(con: duckdb.DuckDBPyConnection, tolerance_cny: float) -> Verdict:
    """Compare report spend, modelled spend (unified ads + non-ad costs) and converted raw spend."""
    totals: dict[str, float | None] = {}
    sources: dict[str, str] = {}
    for leg in SPEND_MODELS:
        totals[leg], sources[leg] = _model_total(con, leg)
    raw_by_source, rows_without_rate, raw_missing = raw_spend_by_source(con)
    meta: dict = {"tables_read": sources, "tolerance_cny": tolerance_cny, "raw_tables_missing": raw_missing}
    meta["raw_spend_by_source_cny"] = {k: round(v, 4) for k, v in raw_by_source.items()}
    meta["raw_rows_without_fx_rate"] = rows_without_rate
    unreadable = [f"{leg}: {sources[leg]}" for leg, total in totals.items() if total is None]
    if unreadable:
        meta["unexpected_count"] = len(unreadable)
        return Verdict(False, "cannot reconcile, " + "; ".join(unreadable), meta)

    report = totals["report"]
    modelled = totals["unified_ads"] + totals["non_ad_costs"]
    raw = sum(raw_by_source.values())
    diffs = {"report_vs_modelled_cny": report - modelled, "modelled_vs_raw_cny": modelled - raw}
    meta |= {
        "report_spend_cny": round(report, 4),
        "modelled_ad_spend_cny": round(totals["unified_ads"], 4),
        "modelled_non_ad_cost_cny": round(totals["non_ad_costs"], 4),
        "raw_spend_cny": round(raw, 4),
    } | {k: round(v, 4) for k, v in diffs.items()}
    off = [k for k, v in diffs.items() if abs(v) > tolerance_cny]
    if rows_without_rate:
        off.append("raw rows without an FX rate")
    meta["unexpected_count"] = len(off)
    if off:
        return Verdict(False, "spend does not reconcile: " + ", ".join(off), meta)
    return Verdict(True, f"report, modelled and raw spend agree within {tolerance_cny} CNY", meta)
