"""The "Built by" line under each report heading of docs/metrics.md, written from the dbt manifest and the report
asset checks, so that a newcomer gets from a metric to its SQL, unit tests and checks in one hop and the line never
goes stale: `tests/test_docs.py` fails when a line differs from what this module writes, and

    python -m tools.metrics_built_by          # rewrite the lines (after `make manifest`)

rewrites them. A line has four parts separated by "; ":

    Built by [rpt_x.sql](<its SQL>) from [<model it reads>](<its SQL>), ...;
    unit tests: `<unit test>`, ... (<links to the YAML files defining them>);
    dbt tests: `<singular test>` (<link to its SQL>), ..., `<generic test kind>`, ... (<links to the YAML using them>);
    asset checks ([report_checks.py](...)): `ge_rpt_x` (GX suite `reports.rpt_x`, [suites.py](...)).
"""

from __future__ import annotations

import json
import re
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
METRICS_DOC = ROOT / "docs" / "metrics.md"
MANIFEST = ROOT / "dbt_project" / "target" / "manifest.json"
PREFIX = "Built by ["


def _link(path: str) -> str:
    """A markdown link from docs/ to a file of the repository, labelled with its name."""
    return f"[{Path(path).name}](../{path})"


def _files(paths) -> str:
    return ", ".join(_link(p) for p in dict.fromkeys(paths))


def built_by_lines(manifest: dict) -> dict[str, str]:
    """Report name -> its "Built by" line."""
    from assets.quality import build_report_checks
    from growthmart.quality.suites import report_suite_name

    nodes = manifest["nodes"]
    models = {n["unique_id"]: n for n in nodes.values() if n["resource_type"] == "model"}
    unit_tests = defaultdict(list)
    for test in manifest["unit_tests"].values():
        unit_tests[test["model"]].append(test)
    tests = [n for n in nodes.values() if n["resource_type"] == "test"]
    checks = defaultdict(set)
    for definition in build_report_checks():
        for key in definition.check_keys:
            checks[key.asset_key.path[-1]].add(key.name)

    lines = {}
    for report in sorted(
        (m for m in models.values() if m["name"].startswith("rpt_")), key=lambda m: m["name"]
    ):
        name = report["name"]
        path = lambda node: f"dbt_project/{node['original_file_path']}"  # noqa: E731
        read = sorted(
            (models[p] for p in report["depends_on"]["nodes"] if p in models), key=lambda m: m["name"]
        )
        built = f"Built by {_link(path(report))}" + (
            " from " + ", ".join(f"[{m['name']}](../{path(m)})" for m in read) if read else ""
        )
        own_units = [
            t for model in [report, *read] for t in sorted(unit_tests[model["name"]], key=lambda t: t["name"])
        ]
        units = "unit tests: " + (
            ", ".join(f"`{t['name']}`" for t in own_units) + f" ({_files(path(t) for t in own_units)})"
            if own_units
            else "none"
        )
        own_tests = [t for t in tests if report["unique_id"] in t["depends_on"]["nodes"]]
        singular = sorted((t for t in own_tests if not t.get("test_metadata")), key=lambda t: t["name"])
        generic = [t for t in own_tests if t.get("test_metadata")]
        kinds = sorted({t["test_metadata"]["name"] for t in generic})
        named = [f"`{t['name']}` ({_link(path(t))})" for t in singular]
        if kinds:
            named.append(
                ", ".join(f"`{k}`" for k in kinds) + f" ({_files(sorted(path(t) for t in generic))})"
            )
        dbt_tests = "dbt tests: " + (", ".join(named) or "none")
        suite = report_suite_name(name)
        asset_checks = f"asset checks ({_link('assets/quality/report_checks.py')}): " + ", ".join(
            f"`{c}` (GX suite `{suite}`, {_link('growthmart/quality/suites.py')})"
            if c == f"ge_{name}"
            else f"`{c}`"
            for c in sorted(checks[name])
        )
        lines[name] = "; ".join([built, units, dbt_tests, asset_checks]) + "."
    return lines


def rewritten(doc: str, lines: dict[str, str]) -> str:
    """`doc` with each report's "Built by" line replaced (the line of the section whose heading names it)."""
    out, section = [], ""
    for line in doc.splitlines():
        if line.startswith("## "):
            section = line
        if line.startswith(PREFIX):
            report = re.match(r"Built by \[(\w+)\.sql\]", line)[1]
            if report in lines and re.search(rf"\b{report}\b", section):
                line = lines[report]
        out.append(line)
    return "\n".join(out) + ("\n" if doc.endswith("\n") else "")


def main() -> int:
    manifest = json.loads(MANIFEST.read_text(encoding="utf-8"))
    doc = METRICS_DOC.read_text(encoding="utf-8")
    new = rewritten(doc, built_by_lines(manifest))
    if new != doc:
        METRICS_DOC.write_text(new, encoding="utf-8")
        print(f"rewrote the Built by lines of {METRICS_DOC.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
