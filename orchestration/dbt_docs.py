"""`make docs`: dbt's documentation site as one static page, data/published/dbt_docs/index.html.

`dbt docs generate --static` writes target/static_index.html with the manifest and the catalog inlined, so the page
opens from file:// without `dbt docs serve`. The catalog (columns and types as built) is read from the warehouse,
so this waits for the data directory's writer lock like a run; dbt runs as in a run (in the data directory, the
runs' profile variables, a target folder of its own started from the setup's parse state: no re-parse). The
reports' index links the page (growthmart/report).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path

from assets.transform.dbt_assets import DBT_PROJECT_DIR, prepare_target
from growthmart.config import settings, share_with_readers
from growthmart.runlock import writer_lock
from orchestration.resources import dbt_executable

DOCS_DIR_NAME = "dbt_docs"


def generate(out_dir: Path) -> Path:
    cfg = settings()
    target = cfg.data_dir / "dbt_docs_target"
    prepare_target(target)
    # no usage statistics: the page would load dbt's tracker from a CDN when they are on
    env = {
        **os.environ,
        **cfg.dbt_profile_env(),
        "DBT_USE_COLORS": "false",
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }
    args = [
        dbt_executable(), "docs", "generate", "--static", "--project-dir", str(DBT_PROJECT_DIR),
        "--profiles-dir", str(DBT_PROJECT_DIR), "--target-path", str(target), "--quiet",
    ]  # fmt: skip
    with writer_lock(cfg.data_dir, "dbt-docs", say=lambda line: print(line, flush=True)):
        subprocess.run(args, cwd=cfg.data_dir, env=env, check=True)
    out_dir.mkdir(parents=True, exist_ok=True)
    page = out_dir / "index.html"
    tmp = page.with_name(f".{page.name}.tmp")
    shutil.copyfile(target / "static_index.html", tmp)
    os.replace(tmp, page)
    share_with_readers(out_dir)
    return page


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m orchestration.dbt_docs")
    parser.add_argument("--out", type=Path, default=None, help="default: <data>/published/dbt_docs")
    args = parser.parse_args(argv)
    out = args.out or settings().published_dir / DOCS_DIR_NAME
    if not settings().warehouse_path.exists():
        print(f"no warehouse at {settings().warehouse_path}: run `make run` first", file=sys.stderr)
        return 2
    try:
        page = generate(out)
    except subprocess.CalledProcessError as exc:
        print(f"dbt docs generate failed ({exc.returncode})", file=sys.stderr)
        return 1
    print(f"dbt docs: {page} (one static file; opens from file:// offline)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
