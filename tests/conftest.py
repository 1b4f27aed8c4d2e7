"""Shared fixtures: the dbt manifest is prepared once per session (as `make manifest` does)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DBT_DIR = ROOT / "dbt_project"


@pytest.fixture(scope="session")
def dbt_manifest() -> Path:
    manifest = DBT_DIR / "target" / "manifest.json"
    if not manifest.exists():
        subprocess.run([sys.executable, "-m", "orchestration.dbt_manifest"], cwd=ROOT, check=True)
    return manifest


@pytest.fixture
def data_dir(tmp_path, monkeypatch) -> Path:
    """An isolated GROWTHMART_DATA_DIR and DAGSTER_HOME for one test."""
    data = tmp_path / "data"
    data.mkdir()
    monkeypatch.setenv("GROWTHMART_DATA_DIR", str(data))
    monkeypatch.setenv("DAGSTER_HOME", str(data / "dagster_home"))
    assert os.environ["GROWTHMART_DATA_DIR"] == str(data)
    return data
