"""A recommendation rule's thresholds come from seed recommendation_rule_parameters (macro recommendation_parameters):
a parameter an enabled rule reads that the seed lacks fails the query, naming rule and parameter, instead of
leaving a NULL threshold that silences the rule. Real dbt on a throwaway DuckDB warehouse holding the two seeds."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from growthmart.config import dbt_profile_env

DBT_DIR = Path(__file__).resolve().parents[1] / "dbt_project"
DBT = str(Path(sys.executable).with_name("dbt"))


@pytest.fixture(scope="module")
def dbt(tmp_path_factory, dbt_manifest):
    data = tmp_path_factory.mktemp("recommendation_parameters")
    env = {
        **os.environ,
        **dbt_profile_env(data, 1, "1GB", data / "tmp"),
        "DBT_PROFILES_DIR": str(DBT_DIR),
        "GROWTHMART_DATA_DIR": str(data),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "False",
    }

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [DBT, *args, "--project-dir", str(DBT_DIR), "--target-path", str(data / "target"),
             "--log-path", str(data / "logs")],  # fmt: skip
            cwd=data, env=env, capture_output=True, text=True, timeout=300,
        )  # fmt: skip

    seeded = run("seed", "-s", "recommendation_rules", "recommendation_rule_parameters")
    assert seeded.returncode == 0, seeded.stdout[-3000:]
    return run


def show(dbt, numbers: list[str]) -> subprocess.CompletedProcess:
    macro = f"recommendation_parameters(['ab_winner'], numbers={numbers!r})"
    return dbt("show", "--inline", "{{ " + macro + " }}", "--output", "json")


def test_the_seeds_thresholds_are_read(dbt):
    shown = show(dbt, ["history_days", "max_p_value"])
    assert shown.returncode == 0, shown.stdout[-3000:]
    assert '"rule_id": "ab_winner"' in shown.stdout and '"max_p_value": 0.05' in shown.stdout, shown.stdout[
        -2000:
    ]


def test_a_parameter_missing_from_the_seed_fails_naming_rule_and_parameter(dbt):
    shown = show(dbt, ["history_days", "min_lift"])
    assert shown.returncode != 0
    assert (
        "recommendation rule ab_winner: parameter min_lift is missing or empty in seed recommendation_rule_parameters"
        in shown.stdout
    ), shown.stdout[-3000:]
