"""`make manifest`: parse the dbt project once at setup, for Dagster to load and for every run to start from.

`dbt parse` runs with the same profile variables the pipeline's runs use (growthmart.config.dbt_profile_env),
from scratch (a partial parse may miss a newly added macro that overrides a dbt one, seen with
get_where_subquery), then its partial-parse state is copied into the runs' target folder (assets.transform.DBT_TARGET_PATH). A run
therefore finds the project unchanged and does not parse it again; the window of a run is data (a table dbt reads
at execution time), not --vars, for the same reason.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from assets.transform.dbt_assets import DBT_PROJECT_DIR, DBT_TARGET_PATH
from growthmart.config import settings


def main() -> int:
    dbt = shutil.which("dbt") or str(Path(sys.executable).with_name("dbt"))
    env = {**os.environ, **settings().dbt_profile_env()}
    proc = subprocess.run(
        [dbt, "parse", "--no-partial-parse", "--profiles-dir", ".", "--quiet"], cwd=DBT_PROJECT_DIR, env=env
    )
    if proc.returncode != 0:
        return proc.returncode
    DBT_TARGET_PATH.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(
        DBT_PROJECT_DIR / "target" / "partial_parse.msgpack", DBT_TARGET_PATH / "partial_parse.msgpack"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
