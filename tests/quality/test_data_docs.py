"""The Data Docs: validations recorded per run (GX and SQL pushdown, errors too), the site built from them,
offline, pruned to the last runs, and loud when the store or the site cannot be written."""

import json
import os
import re
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from growthmart.quality import data_docs, gx_runner, pushdown
from growthmart.quality.gx_runner import Expect, ValidationEngineError

NOT_NULL_A = Expect.of("ExpectColumnValuesToNotBeNull", column="a")
B_IN_XY = Expect.of("ExpectColumnValuesToBeInSet", column="b", value_set=["x", "y"])
NETWORK = re.compile(r"(?:https?:)?//[a-z0-9.-]+\.[a-z]{2,}", re.I)


@pytest.fixture
def dirs(tmp_path) -> tuple[Path, Path]:
    return tmp_path / "data", tmp_path / "data" / "published"


def good() -> pd.DataFrame:
    return pd.DataFrame({"a": [1, 2, 3], "b": ["x", "y", "x"]})


def bad() -> pd.DataFrame:
    return pd.DataFrame({"a": [1, None, 3], "b": ["x", "y", "zz"]})


def index_rows(site: Path) -> list[dict[str, str]]:
    text = (site / "index.html").read_text(encoding="utf-8")
    return [
        dict(re.findall(r'data-(\w+)="([^"]*)"', m.group(0)))
        for m in re.finditer(r"<tr class=\"gm-validation[^>]*>", text)
    ]


def test_a_runs_validations_show_in_the_site_with_the_failure_on_its_page(dirs):
    data, published = dirs
    with data_docs.recording(data, "run-1", check="raw/x ge_x", suite="raw_x"):
        gx_runner.validate(good(), "raw_x.columns", [NOT_NULL_A], batch="columns")
        gx_runner.validate(bad(), "raw_x", [NOT_NULL_A, B_IN_XY], batch="partition 2026-06-01: first 3 rows")
    site = data_docs.build_site(data, published)

    assert site.index == published / "data_docs" / "index.html" and site.index.exists()
    rows = index_rows(published / "data_docs")
    assert [(r["suite"], r["status"], r["engine"]) for r in rows] == [
        ("raw_x.columns", "passed", "great_expectations"),
        ("raw_x", "failed", "great_expectations"),
    ]
    assert "partition 2026-06-01: first 3 rows" in site.index.read_text("utf-8")  # what each batch was
    pages = sorted((published / "data_docs" / "validations" / "run-1").glob("*.html"))
    assert len(pages) == 2
    failed_page = next(p for p in pages if "raw_x-" in p.name and "columns" not in p.name).read_text("utf-8")
    assert 'data-status="failed"' in failed_page
    assert 'data-expectation="expect_column_values_to_not_be_null"' in failed_page
    assert 'data-expectation="expect_column_values_to_be_in_set"' in failed_page
    assert "fa-times text-danger" in failed_page  # GX's own rendering of a failed expectation is there
    assert "Expectation Validation Result" in failed_page
    assert "run-1" in failed_page.split("Run Name", 1)[1][:300]  # GX's info table names the run


def test_the_site_makes_no_network_request(dirs):
    data, published = dirs
    with data_docs.recording(data, "run-1", suite="s"):
        gx_runner.validate(bad(), "s", [NOT_NULL_A, B_IN_XY])
    data_docs.build_site(data, published)
    files = [p for p in (published / "data_docs").rglob("*") if p.suffix in {".html", ".css"}]
    assert len(files) >= 3
    for f in files:
        text = f.read_text(encoding="utf-8")
        assert not NETWORK.search(text), f"{f}: {NETWORK.search(text).group(0)}"
        assert "<script src" not in text
        for ref in re.findall(r'(?:href|src)="([^"#]+)"', text):  # every local reference resolves
            assert (f.parent / ref).resolve().exists(), f"{f.name} refers to missing {ref}"


def test_an_engine_error_is_recorded_as_an_error_not_dropped(dirs):
    data, published = dirs
    with pytest.raises(ValidationEngineError), data_docs.recording(data, "run-1", suite="s"):
        gx_runner.validate(good(), "s", [Expect.of("ExpectColumnValuesToNotBeNull", column="missing")])
    with pytest.raises(RuntimeError, match="boom"), data_docs.recording(data, "run-1", suite="other"):
        raise RuntimeError("boom")
    # a failed run rebuilds the site at once (its data-docs asset will not run)
    rows = index_rows(published / "data_docs")
    assert [(r["suite"], r["status"]) for r in rows] == [("s", "error"), ("other", "error")]
    text = (published / "data_docs" / "index.html").read_text(encoding="utf-8")
    assert "RuntimeError: boom" in text


def test_sql_pushdown_suites_are_recorded_as_gx_results_with_a_note(dirs, tmp_path):
    data, published = dirs
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    con.execute("create schema raw")
    con.execute(
        "create table raw.t as select * from (values (1, 'x', date '2026-06-01'), (null, 'zz', date '2026-06-01'),"
        " (3, 'y', date '2026-06-02')) v(a, b, _partition_date)"
    )
    expectations = [NOT_NULL_A, B_IN_XY]
    outcome = pushdown.run(con, "raw", "t", expectations, [date(2026, 6, 1), date(2026, 6, 2)])
    with data_docs.recording(data, "run-1"):
        data_docs.record_pushdown("raw_t", expectations, outcome, batch="every row (3)")
    data_docs.build_site(data, published)
    (row,) = index_rows(published / "data_docs")
    assert (row["suite"], row["status"], row["engine"]) == ("raw_t", "failed", "sql_pushdown")
    (record,) = (data / "gx" / "validations" / "run-1").glob("*.json")
    result = json.loads(record.read_text("utf-8"))["result"]
    assert [r["result"]["unexpected_count"] for r in result["results"]] == [1, 1]
    (page,) = (published / "data_docs" / "validations" / "run-1").glob("*.html")
    assert data_docs.SQL_NOTE in page.read_text("utf-8").replace("&#x27;", "'")


def test_only_the_last_runs_are_kept(dirs):
    data, published = dirs
    for i in range(4):
        with data_docs.recording(data, f"run-{i}"):
            gx_runner.validate(good(), "s", [NOT_NULL_A])
        stamp = 1_700_000_000 + i * 60  # run i is newer than run i-1 whatever the clock resolution
        for p in (data / "gx" / "validations" / f"run-{i}").glob("*.json"):
            os.utime(p, (stamp, stamp))
    site = data_docs.build_site(data, published, keep=2)
    assert sorted(site.pruned) == ["run-0", "run-1"]
    assert sorted(p.name for p in (data / "gx" / "validations").iterdir()) == ["run-2", "run-3"]
    assert sorted(p.name for p in (published / "data_docs" / "validations").iterdir()) == ["run-2", "run-3"]
    text = (published / "data_docs" / "index.html").read_text("utf-8")
    assert re.findall(r'data-run-id="([^"]+)"', text) == ["run-3", "run-2"]  # newest first
    assert data_docs.build_site(data, published, keep=2).pages_rendered == 0  # unchanged pages are kept


def test_an_unwritable_store_fails_the_validation_loudly(dirs):
    data, _ = dirs
    (data / "gx").mkdir(parents=True)
    (data / "gx" / "validations").write_text("not a directory")
    with pytest.raises(data_docs.DataDocsError, match="cannot record"), data_docs.recording(data, "run-1"):
        gx_runner.validate(good(), "s", [NOT_NULL_A])


def test_a_broken_result_or_site_dir_fails_the_build_loudly(dirs):
    data, published = dirs
    with data_docs.recording(data, "run-1"):
        gx_runner.validate(good(), "s", [NOT_NULL_A])
    (broken,) = (data / "gx" / "validations" / "run-1").glob("*.json")
    broken.write_text("{truncated", encoding="utf-8")
    with pytest.raises(data_docs.DataDocsError, match="unreadable validation result"):
        data_docs.build_site(data, published)
    broken.unlink()
    published.mkdir(parents=True)
    (published / "data_docs").write_text("a file where the site should be")
    with pytest.raises(data_docs.DataDocsError, match="cannot build the Data Docs site"):
        data_docs.build_site(data, published)


def test_nothing_is_recorded_outside_a_recording_block(dirs):
    data, published = dirs
    gx_runner.validate(bad(), "s", [NOT_NULL_A])
    assert not (data / "gx").exists()
    site = data_docs.build_site(data, published)
    assert site.validations == 0 and "No validation has been recorded yet" in site.index.read_text("utf-8")
