"""Every published report column has a written definition in docs/metrics.md, in its report's own section."""

import re
from pathlib import Path

import yaml

from growthmart.quality.suites import REPORTS

ROOT = Path(__file__).resolve().parents[1]
REPORTS_DIR = ROOT / "dbt_project/models/reports"


def published_reports() -> list[dict]:
    """The rpt_ models of every yml under the reports folder (each area folder keeps its own file)."""
    models = []
    for path in sorted(REPORTS_DIR.rglob("*.yml")):
        spec = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        models += [m for m in spec.get("models", []) if m["name"].startswith("rpt_")]
    return models


def sections(doc: str) -> list[tuple[str, str]]:
    """(heading, body) of every `## ` section."""
    parts = re.split(r"^## (.+)$", doc, flags=re.MULTILINE)
    return list(zip(parts[1::2], parts[2::2], strict=True))


def test_every_report_model_has_a_contract_yml_and_a_quality_suite():
    reports = published_reports()
    names = [m["name"] for m in reports]
    sql_files = {p.stem for p in REPORTS_DIR.rglob("rpt_*.sql")}
    assert len(names) == len(set(names)) == 16
    assert set(names) == sql_files == set(REPORTS)


def test_metrics_doc_defines_every_published_report_column_in_the_reports_section():
    doc = (ROOT / "docs" / "metrics.md").read_text(encoding="utf-8")
    missing = []
    for model in published_reports():
        name = model["name"]
        own = "".join(body for heading, body in sections(doc) if re.search(rf"\b{name}\b", heading))
        assert own, f"docs/metrics.md has no section whose heading names {name}"
        missing += [f"{name}.{c['name']}" for c in model.get("columns", []) if f"`{c['name']}`" not in own]
    assert not missing, f"docs/metrics.md does not define in the report's section: {missing}"
