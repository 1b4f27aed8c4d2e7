"""Do a baseline's marts equal the published dbt reports? Row-by-row on the reports' keys."""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb

# baseline mart -> (dbt report, key columns, compared columns)
MARTS: dict[str, tuple[str, list[str], list[str]]] = {
    "retention_cohorts": (
        "rpt_retention_cohorts",
        ["cohort_date", "channel", "day_n"],
        ["cohort_size", "retained_users", "retention_rate", "unbounded_retained_users",
         "unbounded_retention_rate", "is_complete"],
    ),
    "funnel_users": (
        "rpt_funnel_users",
        ["cohort_week", "channel", "step_order"],
        ["step_name", "users", "conversion_from_previous", "conversion_from_first", "is_complete"],
    ),
    "cac_ltv_monthly": (
        "rpt_cac_ltv_monthly",
        ["acquisition_month", "channel"],
        ["spend", "new_users", "new_paying_users", "cac", "paying_cac", "ltv_7d", "ltv_30d", "ltv_90d",
         "ltv_90d_to_cac", "payback_days"],
    ),
    "campaign_roi": (
        "rpt_campaign_roi",
        ["campaign_id"],
        ["platform", "channel", "spend", "ad_spend", "non_ad_cost", "impressions", "clicks", "ctr", "cpc", "cpm",
         "platform_conversions", "visits", "attributed_signups", "attributed_orders", "attributed_revenue", "cvr",
         "cpa", "roas", "roi", "first_date", "last_date"],
    ),
}  # fmt: skip
NON_NUMERIC = {"step_name", "platform", "channel", "first_date", "last_date", "is_complete"}


@dataclass
class MartAgreement:
    mart: str
    report: str
    rows: int
    missing_rows: int  # keys in one table and not the other
    mismatched: dict[str, int] = field(default_factory=dict)  # column -> rows that differ
    examples: list[str] = field(default_factory=list)

    @property
    def agrees(self) -> bool:
        return self.missing_rows == 0 and not self.mismatched


def compare(
    con: duckdb.DuckDBPyConnection,
    baseline: dict[str, str],
    report_schema: str = "reports",
    rel_tol: float = 1e-6,
) -> list[MartAgreement]:
    """`baseline` maps each mart to a relation (a table name or `read_parquet('...')`)."""
    results = []
    for mart, relation in baseline.items():
        report, keys, cols = MARTS[mart]

        # DATE vs TIMESTAMP keys (pandas writes timestamps): compare keys as text of the date part
        def key(side: str, k: str) -> str:
            return (
                f"coalesce(cast({side}.{k} as varchar), '∅')"
                if k.endswith("_id") or k == "channel"
                else (
                    f"cast({side}.{k} as date)" if k.endswith(("_date", "_week", "_month")) else f"{side}.{k}"
                )
            )

        on = " and ".join(f"{key('b', k)} = {key('r', k)}" for k in keys)
        base = f"{relation} as b"
        rpt = f"{report_schema}.{report} as r"
        rows = con.execute(f"select count(*) from {rpt}").fetchone()[0]
        missing = con.execute(
            f"select count(*) from {base} full join {rpt} on {on} where b.{keys[0]} is null or r.{keys[0]} is null"
        ).fetchone()[0]
        result = MartAgreement(mart, report, rows, missing)
        for c in cols:
            if c in NON_NUMERIC:
                left, right = (
                    (f"cast(b.{c} as date)", f"cast(r.{c} as date)")
                    if c.endswith("_date")
                    else (f"b.{c}", f"r.{c}")
                )
                differs = f"{left} is distinct from {right}"
            else:
                b, r = f"cast(b.{c} as double)", f"cast(r.{c} as double)"
                differs = f"((({b}) is null) <> (({r}) is null) or abs({b} - {r}) > {rel_tol} * greatest(1, abs({r})))"
            n = con.execute(f"select count(*) from {base} join {rpt} on {on} where {differs}").fetchone()[0]
            if n:
                result.mismatched[c] = n
                ex = con.execute(
                    f"select {', '.join('r.' + k for k in keys)}, b.{c}, r.{c} from {base} join {rpt} on {on} "
                    f"where {differs} limit 2"
                ).fetchall()
                result.examples += [
                    f"{c} at {row[:-2]}: baseline {row[-2]!r} vs dbt {row[-1]!r}" for row in ex
                ]
        results.append(result)
    return results
