"""The dbt resource growthmart runs: dagster-dbt's, minus two per-run start-up costs (orchestration/resources.py),
and a profile that renders the same for every data directory, so no run parses the project again."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from dagster_dbt import DbtCliResource

from growthmart.config import dbt_profile_env
from orchestration.resources import GrowthmartDbtCliResource, build_resources

ROOT = Path(__file__).resolve().parents[2]


def test_the_overridden_dagster_dbt_internals_still_exist():
    """The subclass overrides private methods of the pinned dagster-dbt: an upgrade that renames them would turn
    the overrides into dead code silently (and the costs back on), so this fails instead."""
    for name in ("_cli_version", "_initialize_dbt_core_adapter"):
        assert name in vars(DbtCliResource), f"dagster-dbt no longer has DbtCliResource.{name}"
        assert name in vars(GrowthmartDbtCliResource)


def test_the_resource_knows_its_dbt_version_without_running_dbt():
    dbt = build_resources()["dbt"]
    assert isinstance(dbt, GrowthmartDbtCliResource)
    from dbt.version import __version__

    assert str(dbt._cli_version) == __version__ and dbt._cli_version.major == 1
    assert dbt._initialize_dbt_core_adapter([]) is None


def test_the_rendered_profile_is_the_same_for_every_data_directory(tmp_path):
    """dbt keeps its partial-parse state only while the profile's connection values are unchanged."""
    script = (
        "import json, os, sys\n"
        "from argparse import Namespace\n"
        "from dbt.config.profile import Profile\n"
        "from dbt.config.renderer import ProfileRenderer\n"
        "from dbt.flags import set_from_args\n"
        "from dbt_common.context import set_invocation_context\n"
        "set_invocation_context(os.environ.copy())\n"
        "set_from_args(Namespace(profiles_dir=os.environ['DBT_PROFILES_DIR']), None)\n"
        "p = Profile.render(ProfileRenderer({}), 'growthmart', target_override='dev')\n"
        "print(json.dumps(sorted(map(str, p.credentials.connection_info()))))\n"
    )
    rendered = set()
    for name in ("one", "it's two"):
        data = tmp_path / name
        env = {"PATH": "/usr/bin:/bin", "DBT_PROFILES_DIR": str(ROOT / "dbt_project")}
        env["GROWTHMART_DATA_DIR"] = str(data)
        env.update(dbt_profile_env(data, 2, "1GB", data / "tmp"))
        out = subprocess.run(
            [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
        ).stdout
        assert "warehouse.duckdb" in out and str(data) not in out
        rendered.add(out)
    assert len(rendered) == 1
