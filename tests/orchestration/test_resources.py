"""The dbt resource growthmart runs: dagster-dbt's, minus two per-run start-up costs (orchestration/resources.py),
and a profile that renders the same for every data directory, so no run parses the project again."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from dagster_dbt import DbtCliResource

from growthmart.config import SPARK_CONF_VAR, dbt_profile_env, spark_dbt_env, spark_settings
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


# Renders the profile's target (argv[1]) as dbt does: its connection values (what dbt's parse state depends on) and,
# for dbt-spark, its Spark settings, as JSON.
RENDER_PROFILE = (
    "import json, os, sys\n"
    "from argparse import Namespace\n"
    "from dbt.config.profile import Profile\n"
    "from dbt.config.renderer import ProfileRenderer\n"
    "from dbt.flags import set_from_args\n"
    "from dbt_common.context import set_invocation_context\n"
    "set_invocation_context(os.environ.copy())\n"
    "set_from_args(Namespace(profiles_dir=os.environ['DBT_PROFILES_DIR']), None)\n"
    "p = Profile.render(ProfileRenderer({}), 'growthmart', target_override=sys.argv[1])\n"
    "c = p.credentials\n"
    "print(json.dumps([sorted(map(str, c.connection_info())), getattr(c, 'server_side_parameters', None)]))\n"
)


def render_profile(target: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    env = {"PATH": "/usr/bin:/bin", "DBT_PROFILES_DIR": str(ROOT / "dbt_project"), **env}
    return subprocess.run(
        [sys.executable, "-c", RENDER_PROFILE, target], env=env, capture_output=True, text=True
    )


def test_the_rendered_profile_is_the_same_for_every_data_directory(tmp_path):
    """dbt keeps its partial-parse state only while the profile's connection values are unchanged."""
    rendered = set()
    for name in ("one", "it's two"):
        data = tmp_path / name
        env = {"GROWTHMART_DATA_DIR": str(data), **dbt_profile_env(data, 2, "1GB", data / "tmp")}
        out = render_profile("dev", env).stdout
        assert "warehouse.duckdb" in out and str(data) not in out
        rendered.add(out)
    assert len(rendered) == 1


def test_the_spark_profile_takes_the_pipelines_spark_settings_and_keeps_dbts_parse_state(tmp_path):
    """dbt-spark's settings are growthmart.config's spark_settings (one statement of them), and the connection values
    dbt's parse state depends on stay the same for every data directory although the settings' paths differ."""
    rendered = set()
    for name in ("one", "it's two"):
        data = tmp_path / name
        done = render_profile("spark", spark_dbt_env(data))
        assert done.returncode == 0, done.stderr
        connection, parameters = json.loads(done.stdout)
        parameters.pop("spark.sql.ansi.enabled")  # dbt-spark's own, on every statement of its session
        assert parameters == spark_settings(data)
        assert str(data) in parameters["spark.sql.warehouse.dir"]
        rendered.add(json.dumps(connection))
    assert len(rendered) == 1


def test_the_spark_profile_will_not_start_spark_without_the_pipelines_settings():
    """Unset, dbt stops naming the variable rather than start a Spark whose warehouse and metastore land in the
    working directory."""
    done = render_profile("spark", {})
    assert done.returncode != 0 and SPARK_CONF_VAR in done.stderr
