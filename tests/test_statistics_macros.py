"""The normal-distribution macros the A/B-test reports use, pinned against SciPy (issue 4).

The macros are plain SQL templates (no dbt context needed), so they are rendered with jinja2 and evaluated in
DuckDB over a grid of z values, including the far tails where a 1 - CDF formula would lose every digit.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import jinja2
import numpy as np
import pytest
from scipy import stats

MACROS = Path(__file__).resolve().parents[1] / "dbt_project" / "macros" / "normal_cdf.sql"


@pytest.fixture(scope="module")
def macros():
    return jinja2.Environment().from_string(MACROS.read_text()).module


def evaluate(expression: str, values: np.ndarray) -> np.ndarray:
    con = duckdb.connect()
    try:
        con.execute("create table grid (i integer, z double)")
        con.executemany("insert into grid values (?, ?)", list(enumerate(values.tolist())))
        rows = con.execute(f"select {expression} from grid order by i").fetchall()
    finally:
        con.close()
    return np.array([r[0] for r in rows], dtype=float)


GRID = np.concatenate([np.linspace(-38.0, 38.0, 1521), [-7.0710678118, 7.0710678119, 0.0, 1.959963984540054]])


def test_normal_cdf_matches_scipy_everywhere(macros):
    got = evaluate(str(macros.normal_cdf("z")), GRID)
    expected = stats.norm.cdf(GRID)
    assert np.allclose(got, expected, rtol=0, atol=1e-13)
    left = (GRID < -1) & (GRID >= -37)
    # in the left tail the value itself is tiny: relative precision matters there
    assert np.allclose(got[left], expected[left], rtol=2e-8, atol=0)
    # beyond 37 standard deviations the tail (< 1e-299) is reported as exactly 0, as in Hart's algorithm
    assert (got[GRID < -37] == 0).all() and (got[GRID > 37] == 1).all()


def test_two_sided_p_values_keep_their_precision_in_the_tails(macros):
    got = evaluate(str(macros.two_sided_p_value("z")), GRID)
    expected = 2 * stats.norm.sf(np.abs(GRID))
    inside = np.abs(GRID) <= 37
    assert np.allclose(got[inside], expected[inside], rtol=2e-8, atol=0)
    assert (got[~inside] == 0).all()
    assert got[GRID == 0.0][0] == pytest.approx(1.0, abs=1e-14)
    assert got[GRID == 1.959963984540054][0] == pytest.approx(0.05, abs=1e-12)


def test_a_null_statistic_gives_a_null_p_value(macros):
    con = duckdb.connect()
    try:
        sql = str(macros.two_sided_p_value("z"))
        assert con.execute(f"select {sql} from (select cast(null as double) as z)").fetchone()[0] is None
    finally:
        con.close()
