"""Every published report column has a written definition in docs/metrics.md."""

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def test_metrics_doc_defines_every_published_report_column():
    doc = (ROOT / "docs" / "metrics.md").read_text(encoding="utf-8")
    spec = yaml.safe_load(
        (ROOT / "dbt_project/models/reports/_reports__models.yml").read_text(encoding="utf-8")
    )
    reports = [m for m in spec["models"] if m["name"].startswith("rpt_")]
    assert len(reports) == 9
    missing = [
        f"{m['name']}.{c['name']}"
        for m in reports
        for c in m.get("columns", [])
        if f"`{c['name']}`" not in doc
    ]
    assert not missing, f"docs/metrics.md does not define: {missing}"
