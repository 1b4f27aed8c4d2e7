"""Every published report column has a written definition in docs/metrics.md, in its report's own section, and
each report's section opens with a "Built by" line that names, truly and completely, the SQL, the unit tests and
the checks behind it (one hop from a metric to its code)."""

import json
import os
import re
from collections import defaultdict
from itertools import pairwise
from pathlib import Path

import pytest
import yaml

from assets.quality.report_checks import build_report_checks
from growthmart.publish import PUBLISHED_SCHEMAS, manifest_docs
from growthmart.quality.suites import REPORTS, report_suite_name

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
    assert len(names) == len(set(names)) == 22
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


def test_every_column_the_yaml_lists_for_a_published_model_has_a_description(dbt_manifest):
    """The publication carries dbt's descriptions as column comments (growthmart/publish.py manifest_docs): a
    published model (marts, reports) lists no column without one. Columns its SQL has but its YAML does not list
    are caught on the demo's publication (tests/test_pipeline_integration.py)."""
    docs = manifest_docs(dbt_manifest)
    assert {schema for schema, _ in docs} == set(PUBLISHED_SCHEMAS)
    undescribed = sorted(
        f"{schema}.{table}.{column}"
        for (schema, table), table_docs in docs.items()
        for column, description in table_docs.columns.items()
        if not description
    )
    assert not undescribed, f"published columns without a description in their model's YAML: {undescribed}"


# The "Built by" line of a report, under its heading in docs/metrics.md, in four parts separated by "; ":
#   Built by [rpt_x.sql](<its SQL>) from [<model it reads>](<its SQL>), ...;
#   unit tests: `<unit test>`, ... (<links to the YAML files defining them>);
#   dbt tests: `<singular test>` (<link to its SQL>), `<generic test kind>`, ... (<links to the YAML using them>);
#   asset checks (...): `<check>` (...), ..., the ge_ check naming its GX suite `reports.rpt_x`.
# Facts come from the compiled dbt manifest (paths from `original_file_path`) and from the report asset checks, so
# when a model, a test or a check moves or is renamed the failure names the report and the line to update;
# `python -m tools.metrics_built_by` rewrites the lines from the same facts.
METRICS_DOC = ROOT / "docs" / "metrics.md"
DBT_DIR = ROOT / "dbt_project"
PARTS = ("Built by ", "unit tests: ", "dbt tests: ", "asset checks ")
LINK = re.compile(r"\[([^\]]+)\]\(([^)]+)\)")
NAME = re.compile(r"`([^`]+)`")


@pytest.fixture(scope="module")
def manifest(dbt_manifest) -> dict:
    return json.loads(dbt_manifest.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def report_models(manifest) -> dict[str, dict]:
    return {
        n["name"]: n
        for n in manifest["nodes"].values()
        if n["resource_type"] == "model" and n["name"].startswith("rpt_")
    }


@pytest.fixture(scope="module")
def built_by(report_models) -> dict[str, tuple[int, dict[str, str]]]:
    """report -> (line number in docs/metrics.md, {part prefix: part text}) of its one "Built by" line."""
    lines = METRICS_DOC.read_text(encoding="utf-8").splitlines()
    headings = [(i, line) for i, line in enumerate(lines) if line.startswith("## ")] + [(len(lines), "")]
    found = {}
    for name in report_models:
        own = [
            (number + 1, lines[number])
            for (start, heading), (end, _) in pairwise(headings)
            if re.search(rf"\b{name}\b", heading)
            for number in range(start + 1, end)
            if lines[number].startswith(f"Built by [{name}.sql](")
        ]
        assert len(own) == 1, (
            f"docs/metrics.md: {name}'s section needs exactly one 'Built by [{name}.sql](...' line"
        )
        number, line = own[0]
        parts = line.rstrip(".").split("; ")
        well_formed = len(parts) == len(PARTS) and all(map(str.startswith, parts, PARTS))
        assert well_formed, (
            f"docs/metrics.md:{number} ({name}): four parts starting {PARTS}, separated by '; '"
        )
        found[name] = (number, dict(zip(PARTS, parts, strict=True)))
    return found


def links(text: str) -> list[tuple[str, Path]]:
    """(text, resolved target) of every markdown link; targets are relative to docs/."""
    return [(label, (METRICS_DOC.parent / href).resolve()) for label, href in LINK.findall(text)]


def dbt_file(original_file_path: str) -> Path:
    return (DBT_DIR / original_file_path).resolve()


def shown(paths) -> list[str]:
    return sorted(os.path.relpath(path, ROOT) for path in paths)


def test_every_built_by_link_resolves(built_by):
    broken = [
        f"docs/metrics.md:{number} ({name}): [{label}] -> {shown([target])[0]}"
        for name, (number, parts) in built_by.items()
        for label, target in links("; ".join(parts.values()))
        if not target.is_file()
    ]
    assert not broken, f"links to files that do not exist: {broken}"


def test_built_by_links_the_report_sql_and_models_it_reads(built_by, report_models, manifest):
    models = {n["unique_id"]: n for n in manifest["nodes"].values() if n["resource_type"] == "model"}
    wrong = []
    for name, (number, parts) in built_by.items():
        report = report_models[name]
        (sql_label, sql), *read = links(parts["Built by "])
        if sql != dbt_file(report["original_file_path"]):
            wrong.append(
                f"docs/metrics.md:{number}: {name} is built by dbt_project/{report['original_file_path']}"
            )
        parents = {models[p]["name"]: models[p] for p in report["depends_on"]["nodes"] if p in models}
        for label, target in read:
            if label not in parents:
                wrong.append(
                    f"docs/metrics.md:{number}: {name} does not read {label} (it reads {sorted(parents)})"
                )
            elif target != dbt_file(parents[label]["original_file_path"]):
                wrong.append(
                    f"docs/metrics.md:{number}: {label} is dbt_project/{parents[label]['original_file_path']}"
                )
    assert not wrong, wrong


def test_built_by_names_every_unit_test_of_the_report_and_of_the_models_it_names(built_by, manifest):
    unit_tests = defaultdict(dict)
    for test in manifest["unit_tests"].values():
        unit_tests[test["model"]][test["name"]] = test
    wrong = []
    for name, (number, parts) in built_by.items():
        tested = [name] + [label for label, _ in links(parts["Built by "])[1:]]
        expected = {test: spec for model in tested for test, spec in unit_tests[model].items()}
        named = set(NAME.findall(parts["unit tests: "]))
        if named != set(expected):
            wrong.append(
                f"docs/metrics.md:{number} ({name}): unit tests of {tested} are {sorted(expected)}, "
                f"not named: {sorted(set(expected) - named)}, named but not theirs: {sorted(named - set(expected))}"
            )
        files = {dbt_file(spec["original_file_path"]) for spec in expected.values()}
        if {target for _, target in links(parts["unit tests: "])} != files:
            wrong.append(f"docs/metrics.md:{number} ({name}): unit tests are defined in {shown(files)}")
    assert not wrong, wrong


def test_built_by_names_every_dbt_test_of_the_report(built_by, report_models, manifest):
    """Singular tests (dbt_project/tests/) by name with a link to their SQL; generic tests by kind (`unique`,
    `between_zero_and_one`, ...) with a link to the YAML that applies them."""
    tests = [n for n in manifest["nodes"].values() if n["resource_type"] == "test"]
    wrong = []
    for name, (number, parts) in built_by.items():
        own = [t for t in tests if report_models[name]["unique_id"] in t["depends_on"]["nodes"]]
        expected = {t.get("test_metadata", {}).get("name") or t["name"]: t for t in own}
        named = set(NAME.findall(parts["dbt tests: "]))
        if named != set(expected):
            wrong.append(
                f"docs/metrics.md:{number} ({name}): not named: {sorted(set(expected) - named)}, "
                f"named but not a dbt test of {name}: {sorted(named - set(expected))}"
            )
        files = {dbt_file(t["original_file_path"]) for t in own}
        if {target for _, target in links(parts["dbt tests: "])} != files:
            wrong.append(f"docs/metrics.md:{number} ({name}): its dbt tests are in {shown(files)}")
    assert not wrong, wrong


def test_built_by_names_every_asset_check_of_the_report_and_its_gx_suite(built_by):
    checks = defaultdict(set)
    for definition in build_report_checks():
        for key in definition.check_keys:
            checks[key.asset_key.path[-1]].add(key.name)
    wrong = []
    for name, (number, parts) in built_by.items():
        named = set(NAME.findall(parts["asset checks "]))
        suites = {n for n in named if n.startswith("reports.")}
        if named - suites != checks[name]:
            wrong.append(f"docs/metrics.md:{number} ({name}): its asset checks are {sorted(checks[name])}")
        if suites != {report_suite_name(name)}:
            wrong.append(f"docs/metrics.md:{number} ({name}): its GX suite is `{report_suite_name(name)}`")
    assert not wrong, wrong


def anchors(doc: Path) -> set[str]:
    """The ids GitHub gives the headings of a markdown file: lower case, punctuation dropped, spaces to hyphens."""
    headings = re.findall(r"^#+ (.+)$", doc.read_text(encoding="utf-8"), re.MULTILINE)
    return {re.sub(r"[^\w\- ]", "", h.strip().lower()).replace(" ", "-") for h in headings}


def test_every_relative_link_of_the_docs_resolves_to_a_file_and_heading():
    """README.md, DECISIONLOG.md and docs/*.md link each other (DECISIONLOG to performance.md sections, for one)."""
    broken = []
    for doc in [ROOT / "README.md", ROOT / "DECISIONLOG.md", *sorted((ROOT / "docs").glob("*.md"))]:
        for label, href in LINK.findall(doc.read_text(encoding="utf-8")):
            path, _, anchor = href.partition("#")
            if "://" in path or path.startswith("mailto:"):
                continue
            target = (doc.parent / path).resolve() if path else doc
            if not target.exists() or (anchor and target.suffix == ".md" and anchor not in anchors(target)):
                broken.append(f"{doc.relative_to(ROOT)}: [{label}]({href})")
    assert not broken, f"links to missing files or headings: {broken}"
