"""One home per rule: no property of a table is declared in two tools.

Where each kind of rule lives (README, "Checks"):
- dbt tests: keys (unique), not-null columns, accepted values, relationships, a model's rates in [0, 1] and column
  pairs, and every invariant across rows or models (reconciliations, row counts, orderings) — on the model that
  makes the data, so a build fails where the data is made;
- Great Expectations: the raw contracts (column set and types, required values, bounds, accepted values, the key
  per partition) and, on published reports, what dbt does not state: non-negative counts and money and the
  conditional rules (NULL when, never 0);
- dbt's model contracts (`contract: enforced`): every report's column set and types;
- Python: only what neither says — a raw source's volume and freshness, judged against the clock and the
  source's own history (tests/quality/test_raw_checks.py and test_report_checks.py pin that the asset checks
  built in Python are exactly these and the GE suites).

A staging model is its raw source's newest rows renamed and typed: renaming keeps values, so a staging test of a
value rule (accepted values, a range, a column pair) is read as a rule on the raw table (column names mapped back:
the same name, the name without `_cny`, or an ad platform's declared impressions and clicks) and a raw contract
rule is not tested again in staging. Not-null and keys stay staging's own: typing can make NULLs, and staging
keeps one version of each key where raw keeps all.

Every rule of each tool is reduced to (table, property, columns) — property one of not_null, unique, in_set,
range, pair (A >= B), columns — and a table's property may have one home only. dbt's row checks are read where
their condition is one of the simple forms (`c >= 0`, `a <= b`, `c between x and y`).
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from pathlib import Path

from growthmart.contracts import CONTRACTS, CONTRACTS_BY_NAME
from growthmart.quality import suites
from growthmart.quality.settings import QualitySettings

ROOT = Path(__file__).resolve().parents[2]
MANIFEST = ROOT / "dbt_project" / "target" / "manifest.json"

Rule = tuple[str, str, tuple[str, ...]]  # (table, property, columns)


def _table(unique_id: str) -> str:
    """`model.growthmart.rpt_x` → rpt_x; `source.growthmart.raw.x` → raw.x."""
    parts = unique_id.split(".")
    return f"raw.{parts[-1]}" if parts[0] == "source" else parts[-1]


def _condition_rules(table: str, condition: str) -> list[Rule]:
    rules: list[Rule] = []
    for part in re.split(r"\s+and\s+(?![^()]*\))", condition.strip()):
        part = part.strip()
        # `c >= 0`, or `c between x` (the "and y" of a between was split off)
        if m := re.fullmatch(r"(\w+)(?:\s*>=\s*|\s+between\s+)-?[\d.]+", part):
            rules.append((table, "range", (m[1],)))
        elif m := re.fullmatch(r"(\w+)\s*<=\s*(\w+)", part):
            rules.append((table, "pair", (m[2], m[1])))
        elif m := re.fullmatch(r"(\w+)\s*>=\s*(\w+)", part):
            rules.append((table, "pair", (m[1], m[2])))
    return rules


def _as_raw(manifest: dict, rule: Rule) -> Rule:
    """A staging model's rule as a rule on its one raw source (other rules unchanged, a staging model of a source
    no landing contract declares too: the nlp scores, which no GX raw suite checks)."""
    table, prop, columns = rule
    if prop not in ("in_set", "range", "pair"):
        return rule
    node = manifest["nodes"].get(f"model.growthmart.{table}")
    sources = [
        d.split(".")[-1]
        for d in (node or {}).get("depends_on", {}).get("nodes", [])
        if d.startswith("source.growthmart.raw.")
    ]
    if not table.startswith("stg_") or len(sources) != 1:
        return rule
    contract = CONTRACTS_BY_NAME[sources[0]]
    raw_names = set(contract.column_names)
    ad = contract.ad_platform
    declared = {"impressions": ad.impressions, "clicks": ad.clicks} if ad else {}

    def raw(column: str) -> str:
        for name in (column, column.removesuffix("_cny"), declared.get(column)):
            if name in raw_names:
                return name
        return f"{table}.{column}"  # made in staging: no raw counterpart

    return (f"raw.{contract.name}", prop, tuple(raw(c) for c in columns))


def dbt_rules(manifest: dict) -> list[Rule]:
    rules: list[Rule] = []
    for node in manifest["nodes"].values():
        if node["resource_type"] == "model" and node["config"].get("contract", {}).get("enforced"):
            rules.append((node["name"], "columns", ()))
        if node["resource_type"] != "test" or not node.get("test_metadata"):
            continue
        kind, kwargs = node["test_metadata"]["name"], node["test_metadata"]["kwargs"]
        table = _table(node.get("attached_node") or node["depends_on"]["nodes"][0])
        column = kwargs.get("column_name")
        if kind == "not_null":
            rules.append((table, "not_null", (column,)))
        elif kind == "not_null_columns":
            rules += [(table, "not_null", (c,)) for c in kwargs["columns"]]
        elif kind == "unique":
            rules.append((table, "unique", (column,)))
        elif kind == "unique_combination_of_columns":
            rules.append((table, "unique", tuple(sorted(kwargs["combination_of_columns"]))))
        elif kind == "accepted_values":
            rules.append((table, "in_set", (column,)))
        elif kind == "between_zero_and_one":
            rules.append((table, "range", (column,)))
        elif kind == "not_greater_than":
            rules.append((table, "pair", (kwargs["other_column"], column)))
        elif kind == "row_checks":
            rules += [(table, "not_null", (c,)) for c in kwargs.get("not_null", [])]
            for condition in (kwargs.get("conditions") or {}).values():
                rules += _condition_rules(table, condition)
    return [_as_raw(manifest, rule) for rule in rules]


def _gx_rule(table: str, expectation) -> Rule | None:
    kw = expectation.kwargs
    if "row_condition" in kw:  # a conditional rule: its own property
        return None
    kind = expectation.kind
    if kind == "ExpectColumnValuesToNotBeNull":
        return (table, "not_null", (kw["column"],))
    if kind == "ExpectColumnValuesToBeInSet":
        return (table, "in_set", (kw["column"],))
    if kind == "ExpectColumnValuesToBeBetween":
        return (table, "range", (kw["column"],))
    if kind == "ExpectColumnPairValuesAToBeGreaterThanB":
        return (table, "pair", (kw["column_A"], kw["column_B"]))
    if kind in ("ExpectCompoundColumnsToBeUnique", "ExpectColumnValuesToBeUnique"):
        return (table, "unique", tuple(sorted(kw.get("column_list") or [kw["column"]])))
    if kind in ("ExpectTableColumnsToMatchSet", "ExpectTableColumnsToMatchOrderedList"):
        return (table, "columns", ())
    return None


def gx_rules(manifest: dict) -> list[Rule]:
    rules: list[Rule] = []
    for contract in CONTRACTS:
        for e in suites.raw_expectations(contract, QualitySettings()):
            rules.append(_gx_rule(f"raw.{contract.name}", e))
    models = {n["name"]: n for n in manifest["nodes"].values() if n["resource_type"] == "model"}
    for report in suites.REPORTS:
        for e in suites.report_expectations(report, list(models[report]["columns"])):
            rules.append(_gx_rule(report, e))
    return [r for r in rules if r]


def homes(manifest: dict) -> dict[Rule, set[str]]:
    found: dict[Rule, set[str]] = defaultdict(set)
    for tool, rules in (("dbt", dbt_rules(manifest)), ("gx", gx_rules(manifest))):
        for rule in rules:
            found[rule].add(tool)
    return found


def test_no_property_of_a_table_is_declared_in_two_tools(dbt_manifest):
    manifest = json.loads(MANIFEST.read_text(encoding="utf-8"))
    twice = sorted(
        f"{t}: {p}{list(c) if c else ''} in {sorted(tools)}"
        for (t, p, c), tools in homes(manifest).items()
        if len(tools) > 1
    )
    assert not twice, "declared in two tools (keep one home):\n" + "\n".join(twice)


def test_the_reader_sees_rules_of_every_kind_in_every_tool(dbt_manifest):
    """The test above can fail: each tool's rules are read, of the kinds the other tools also hold."""
    manifest = json.loads(MANIFEST.read_text(encoding="utf-8"))
    by_tool: dict[str, set[str]] = defaultdict(set)
    for (_, prop, _), tools in homes(manifest).items():
        for tool in tools:
            by_tool[tool].add(prop)
    assert {"not_null", "unique", "in_set", "range", "pair", "columns"} <= by_tool["dbt"]
    assert {"not_null", "unique", "in_set", "range", "pair"} <= by_tool["gx"]
    # the same kind of rule on a table both would read as one home twice; staging rules read as raw ones
    assert ("rpt_funnel_ads", "pair", ("impressions", "clicks")) in set(dbt_rules(manifest))
    assert _as_raw(manifest, ("stg_app__orders", "pair", ("amount_cny", "refund_amount_cny"))) == (
        "raw.app_orders", "pair", ("amount", "refund_amount"),
    )  # fmt: skip
    assert _as_raw(manifest, ("stg_ocean_engine__ad_stats", "pair", ("impressions", "clicks"))) == (
        "raw.ocean_engine_ad_stats", "pair", ("展示数", "点击数"),
    )  # fmt: skip
    assert ("stg_app__orders", "not_null", ("order_id",)) in set(dbt_rules(manifest))
    assert _condition_rules("t", "views >= 0 and a <= b") == [
        ("t", "range", ("views",)),
        ("t", "pair", ("b", "a")),
    ]
