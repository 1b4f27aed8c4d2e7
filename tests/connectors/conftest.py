"""Fixtures of the connector tests: the demo's file export, and the emulated platforms serving it on 127.0.0.1
(real HTTP on an ephemeral port, started and stopped by each test)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from connector_helpers import PLANTED

from tools.demo.generator import DemoParams, generate
from tools.emulator.server import Credentials, Emulator


@pytest.fixture(scope="session")
def demo_landing(tmp_path_factory) -> Path:
    landing = tmp_path_factory.mktemp("demo") / "landing"
    generate(landing, DemoParams(start=dt.date(2026, 5, 1), days=8, users=150, seed=7))
    return landing


@pytest.fixture
def emulator(demo_landing):
    """The platforms with pages of at most 3 rows, so every day of every account spans several pages."""
    with Emulator(demo_landing, page_size_cap=3) as em:
        yield em


@pytest.fixture
def planted_emulator(demo_landing):
    """The platforms accepting only credentials that contain a planted secret."""
    creds = Credentials(
        ocean_secret=f"{PLANTED}-app",
        ocean_access=f"{PLANTED}-access",
        ocean_refresh=f"{PLANTED}-refresh",
        tencent_client_secret=f"{PLANTED}-tencent-app",
        tencent_access=f"{PLANTED}-tencent",
        tencent_refresh=f"{PLANTED}-tencent-refresh",
        baidu_token=f"{PLANTED}-baidu",
        meta_token=f"{PLANTED}-meta",
        xhs_secret=f"{PLANTED}-xhs-app",
        xhs_access=f"{PLANTED}-xhs-access",
        xhs_refresh=f"{PLANTED}-xhs-refresh",
        google_client_secret=f"{PLANTED}-google-client",
        google_refresh=f"{PLANTED}-google-refresh",
        google_developer_token=f"{PLANTED}-google-dev",
        google_access_prefix=f"{PLANTED}-google-access",
        wechat_secret=f"{PLANTED}-wechat-secret",
        wechat_access_prefix=f"{PLANTED}-wechat-access",
    )
    with Emulator(demo_landing, credentials=creds, page_size_cap=3) as em:
        yield em
