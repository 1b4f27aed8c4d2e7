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


def _type_double() -> str:
    """The project macro type_double() as it renders on DuckDB (not dbt.type_float(): FLOAT is single there)."""
    return "double"


@pytest.fixture(scope="module")
def ab_macros():
    return jinja2.Environment().from_string(MACROS.read_text()).make_module({"type_double": _type_double})


# (control conversions, control trials, variant conversions, variant trials)
ARMS = [
    (120, 10000, 150, 10000),
    (30, 1000, 31, 1000),
    (5, 40, 12, 45),
    (0, 500, 3, 480),
    (700, 800, 640, 790),
]


def test_two_proportion_z_test_p_values_equal_scipys_chi_square_test(ab_macros):
    """Independent reference: the pooled two-proportion z-test is the 2x2 chi-square test without continuity
    correction (z squared = chi-square), which SciPy computes from the contingency table."""
    z = str(ab_macros.two_proportion_z("xa", "na", "xb", "nb"))
    p = str(ab_macros.two_sided_p_value(z))
    con = duckdb.connect()
    try:
        rows = con.execute(
            f"select {z}, {p} from (select unnest(?) as xa, unnest(?) as na, unnest(?) as xb, unnest(?) as nb)",
            [list(c) for c in zip(*ARMS, strict=True)],
        ).fetchall()
    finally:
        con.close()
    for (xa, na, xb, nb), (got_z, got_p) in zip(ARMS, rows, strict=True):
        chi2, expected_p, _, _ = stats.chi2_contingency([[xa, na - xa], [xb, nb - xb]], correction=False)
        assert got_z**2 == pytest.approx(chi2, rel=1e-10)
        assert np.sign(got_z) == np.sign(xb / nb - xa / na)
        assert got_p == pytest.approx(expected_p, rel=1e-8)


def test_the_difference_interval_matches_scipys_normal_interval_and_refuses_other_levels(ab_macros):
    con = duckdb.connect()
    try:
        for level in (0.9, 0.95, 0.99):
            lower = str(ab_macros.proportion_diff_ci("xa", "na", "xb", "nb", level, "lower"))
            upper = str(ab_macros.proportion_diff_ci("xa", "na", "xb", "nb", level, "upper"))
            for xa, na, xb, nb in ARMS:
                got = con.execute(
                    f"select {lower}, {upper} from (select {xa} as xa, {na} as na, {xb} as xb, {nb} as nb)"
                ).fetchone()
                pa, pb = xa / na, xb / nb
                se = np.sqrt(pa * (1 - pa) / na + pb * (1 - pb) / nb)
                expected = stats.norm.interval(level, loc=pb - pa, scale=se)
                assert got == pytest.approx(expected, rel=1e-9, abs=1e-12)
        none = str(ab_macros.two_proportion_z("0", "0", "1", "10"))
        assert con.execute(f"select {none}").fetchone()[0] is None
    finally:
        con.close()

    class Refused(Exception):
        pass

    class _Exceptions:
        @staticmethod
        def raise_compiler_error(message):
            raise Refused(message)

    strict = (
        jinja2.Environment()
        .from_string(MACROS.read_text())
        .make_module({"type_double": _type_double, "exceptions": _Exceptions()})
    )
    with pytest.raises(Refused, match="level must be"):
        str(strict.proportion_diff_ci("xa", "na", "xb", "nb", 0.8, "lower"))
