"""The dbt project's layering (issue 12): a report reads marts only, and each report folder has one YAML."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MODELS = ROOT / "dbt_project/models"
SEEDS = ROOT / "dbt_project/seeds"
REF = re.compile(r"""\bref\(\s*['"](\w+)['"]\s*\)""")


def test_reports_read_only_marts_and_seeds():
    marts = {p.stem for p in (MODELS / "marts").rglob("*.sql")}
    seeds = {p.stem for p in SEEDS.glob("*.csv")}
    reports = sorted((MODELS / "reports").rglob("rpt_*.sql"))
    assert reports
    outside = {
        f"{path.relative_to(MODELS)} -> {name}"
        for path in reports
        for name in REF.findall(path.read_text(encoding="utf-8"))
        if name not in marts | seeds
    }
    assert not outside, f"reports must select from marts (move the logic into a mart): {sorted(outside)}"


def test_every_report_folder_has_one_yml_named_after_it():
    folders = sorted({p.parent for p in (MODELS / "reports").rglob("rpt_*.sql")})
    assert (MODELS / "reports") not in folders, "reports live in models/reports/<area>/"
    for folder in folders:
        ymls = sorted(p.name for p in folder.glob("*.yml"))
        assert ymls == [f"_{folder.name}__models.yml"], f"{folder.relative_to(MODELS)}: {ymls}"


def test_the_raw_rows_latest_versions_reads_three_times_are_not_copied_first():
    """DuckDB materializes a CTE referenced twice; latest_versions reads its import CTE three times, so each staging
    model declares it not_materialized (stg_app__events: 140 s -> 84 s at 100M events, docs/performance.md)."""
    models = sorted((ROOT / "dbt_project" / "models").rglob("*.sql"))
    checked = 0
    for model in models:
        sql = model.read_text()
        for cte in re.findall(r"latest_versions\('(\w+)'", sql):
            checked += 1
            assert f"\n{cte} as {{{{ not_materialized() }}}} (\n" in sql, (
                f"{model.name}: {cte} is copied first"
            )
    assert checked >= 11
