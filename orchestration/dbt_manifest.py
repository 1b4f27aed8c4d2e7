"""`make manifest`: parse the dbt project once at setup, for Dagster to load and for every run to start from.

It first writes the files generated from the declared sources (growthmart/sources/generated.py: the ad platforms
macro, the raw sources YAML, docs/sources.md), so a changed contract reaches dbt here.

`dbt parse` runs from scratch (a partial parse may miss a newly added macro that overrides one of dbt's, seen
with get_where_subquery) and with the profile variables the runs use (growthmart.config.dbt_profile_env); its
parse state, kept as target/runs_partial_parse.msgpack, is what each data directory's dbt target folder starts from
(assets.transform.dbt_assets.prepare_target). A run therefore finds the project unchanged and does not parse it
again; for the same reason a run's window is a table dbt reads at execution time, not --vars.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

from assets.transform.dbt_assets import DBT_PROJECT_DIR, PARSE_STATE_NAME, SETUP_PARSE_STATE
from growthmart.config import settings
from growthmart.sources import generated
from orchestration.resources import dbt_executable


def main() -> int:
    for path in generated.write():
        print(f"wrote {path} from growthmart/contracts.py")
    env = {**os.environ, **settings().dbt_profile_env()}
    proc = subprocess.run(
        [dbt_executable(), "parse", "--no-partial-parse", "--profiles-dir", ".", "--quiet"],
        cwd=DBT_PROJECT_DIR,
        env=env,
    )
    if proc.returncode == 0:
        tmp = SETUP_PARSE_STATE.with_name(f".{SETUP_PARSE_STATE.name}.tmp")
        shutil.copyfile(DBT_PROJECT_DIR / "target" / PARSE_STATE_NAME, tmp)
        os.replace(tmp, SETUP_PARSE_STATE)
    return proc.returncode


if __name__ == "__main__":
    sys.exit(main())
