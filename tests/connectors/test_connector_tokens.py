"""Ocean Engine's, Tencent's and Xiaohongshu's token pairs: an expired access token is refreshed once and the
request retried; the rotated pair is persisted atomically (0600, under <data>/connector_state/) before it is used,
so neither a crash right after the refresh nor one in the middle of saving loses it (shown with Ocean Engine: the
store is shared)."""

from __future__ import annotations

import json
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from connector_helpers import DAYS, FAST, run_pull

from growthmart.connectors.errors import ConnectorError, NotConfigured
from growthmart.connectors.tokens import state_path

SOURCE = "ocean_engine_ad_stats"
ROOT = Path(__file__).resolve().parents[2]


def saved_pair(data: Path, source: str = SOURCE) -> dict:
    return json.loads(state_path(data, source).read_text())


# The platforms whose refresh rotates the pair: source, emulated platform, the emulator's refresh counter and
# current pair, and the platform's message for an expired token.
ROTATING = [
    ("ocean_engine_ad_stats", "ocean_engine", "ocean", "code 40102: access token expired"),
    ("tencent_ads_daily_reports", "tencent_ads", "tencent", "code 11000: Access token is expired"),
    ("xiaohongshu_ads_reports", "xiaohongshu", "xhs", "code 10001: access token expired"),
]


def refreshes(emulator, prefix: str) -> int:
    return getattr(emulator, f"{prefix}_refreshes")


def current_pair(emulator, prefix: str) -> dict:
    c = emulator.creds
    return {"access_token": getattr(c, f"{prefix}_access"), "refresh_token": getattr(c, f"{prefix}_refresh")}


@pytest.mark.parametrize(("source", "platform", "prefix", "_"), ROTATING)
def test_an_expired_access_token_is_refreshed_once_and_the_request_retried(
    emulator, tmp_path, source, platform, prefix, _
):
    emulator.inject(platform, "token_expired", page=2)
    result = run_pull(emulator, source, DAYS[:1], tmp_path)
    assert result.token_refreshes == 1 and refreshes(emulator, prefix) == 1
    path = state_path(tmp_path, source)
    assert path.parent == tmp_path / "connector_state"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600 and stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert saved_pair(tmp_path, source) == current_pair(emulator, prefix)
    assert (tmp_path / "landing" / source / DAYS[0] / "_SUCCESS").exists()


@pytest.mark.parametrize(("source", "platform", "prefix", "_"), ROTATING)
def test_later_pulls_use_the_persisted_pair_not_the_rotated_away_environment_one(
    emulator, tmp_path, source, platform, prefix, _
):
    emulator.inject(platform, "token_expired")
    run_pull(emulator, source, DAYS[:1], tmp_path)
    # The environment still holds the first pair, which the platform no longer accepts.
    emulator.inject(platform, "token_expired")
    result = run_pull(emulator, source, DAYS[1:2], tmp_path)
    assert result.token_refreshes == 1 and refreshes(emulator, prefix) == 2
    assert saved_pair(tmp_path, source)["refresh_token"] == current_pair(emulator, prefix)["refresh_token"]
    assert current_pair(emulator, prefix)["refresh_token"].endswith("-r2")


@pytest.mark.parametrize(("source", "platform", "prefix", "message"), ROTATING)
def test_a_token_expiring_again_after_its_refresh_fails_instead_of_looping(
    emulator, tmp_path, source, platform, prefix, message
):
    emulator.inject(platform, "token_expired", times=100)
    with pytest.raises(ConnectorError, match=message):
        run_pull(emulator, source, DAYS[:1], tmp_path)
    assert refreshes(emulator, prefix) == 1


def test_without_a_first_pair_the_pull_names_the_variables(emulator, tmp_path):
    env = emulator.env() | {"GROWTHMART_OCEAN_ENGINE_REFRESH_TOKEN": ""}
    from growthmart.connectors.pull import pull
    from growthmart.connectors.specs import SPECS_BY_SOURCE

    with pytest.raises(NotConfigured, match="GROWTHMART_OCEAN_ENGINE_REFRESH_TOKEN"):
        pull(SPECS_BY_SOURCE[SOURCE], DAYS[:1], tmp_path, env=env, settings=FAST)


def _run_crashing(emulator, data: Path, patch: str) -> int:
    """Pull one day in a child process that `patch` makes die (os._exit, as kill -9 would) at a chosen point."""
    head = (
        "import json, os, sys\n"
        "from pathlib import Path\n"
        "from growthmart.connectors import files, tokens, landing\n"
        "from growthmart.connectors.pull import pull\n"
        "from growthmart.connectors.settings import PullSettings\n"
        "from growthmart.connectors.specs import SPECS_BY_SOURCE\n"
    )
    tail = (
        "env = json.loads(sys.stdin.read())\n"
        f"pull(SPECS_BY_SOURCE[{SOURCE!r}], [{DAYS[0]!r}], Path({str(data)!r}), env=env,\n"
        "     settings=PullSettings(max_attempts=2, backoff_seconds=0.01))\n"
    )
    script = head + textwrap.dedent(patch) + tail
    done = subprocess.run(
        [sys.executable, "-c", script], input=json.dumps(emulator.env()), text=True, cwd=ROOT, timeout=60
    )
    return done.returncode


def test_a_crash_right_after_the_refresh_keeps_the_new_pair(emulator, tmp_path):
    patch = """
original = tokens.TokenStore.save
def save(self, pair):
    original(self, pair)
    os._exit(137)  # killed right after the refresh was saved, before the new token was used
tokens.TokenStore.save = save
"""
    emulator.inject("ocean_engine", "token_expired")
    assert _run_crashing(emulator, tmp_path, patch) == 137
    assert emulator.ocean_refreshes == 1
    assert saved_pair(tmp_path)["refresh_token"] == emulator.creds.ocean_refresh
    # The next run starts from the environment's (rotated-away) pair only in name: it reads the saved one.
    result = run_pull(emulator, SOURCE, DAYS[:1], tmp_path)
    assert result.token_refreshes == 0 and emulator.ocean_refreshes == 1


def test_a_crash_while_saving_leaves_the_previous_pair_whole(emulator, tmp_path):
    emulator.inject("ocean_engine", "token_expired")
    run_pull(emulator, SOURCE, DAYS[:1], tmp_path)
    before = state_path(tmp_path, SOURCE).read_bytes()
    patch = """
def replace(src, dst):
    os._exit(137)  # killed after the temporary file was written and synced, before the rename
files.os.replace = replace
"""
    emulator.inject("ocean_engine", "token_expired")
    assert _run_crashing(emulator, tmp_path, patch) == 137
    assert state_path(tmp_path, SOURCE).read_bytes() == before  # whole and parseable: the old pair
    json.loads(before)


# ---------------------------------------------------------------------------------------------- minted tokens
# Google Ads mints its access token from the client id/secret and a refresh token that does not rotate; the token
# lives in memory only.
GOOGLE = "google_ads_ad_stats"


def google_calls(emulator) -> list[str]:
    return [
        "token" if "/oauth2/token" in path else "search"
        for p, _, path, _ in emulator.requests
        if p == "google_ads"
    ]


def test_a_minted_token_is_fetched_once_before_the_first_call_and_never_persisted(emulator, tmp_path):
    result = run_pull(emulator, GOOGLE, DAYS[:2], tmp_path)
    calls = google_calls(emulator)
    assert calls[0] == "token" and calls.count("token") == 1 and emulator.google_mints == 1
    assert result.token_refreshes == 0
    assert not (
        tmp_path / "connector_state"
    ).exists()  # nothing to persist: the refresh token does not rotate


def test_an_expired_minted_token_is_minted_again_once_and_the_request_retried(emulator, tmp_path):
    emulator.inject("google_ads", "token_expired", page=2)
    result = run_pull(emulator, GOOGLE, DAYS[:1], tmp_path)
    assert result.token_refreshes == 1 and emulator.google_mints == 2
    calls = google_calls(emulator)
    assert calls[:4] == ["token", "search", "search", "token"]  # page 2 refused, a new token, page 2 again
    assert (tmp_path / "landing" / GOOGLE / DAYS[0] / "_SUCCESS").exists()


def test_a_minted_token_refused_again_fails_instead_of_looping(emulator, tmp_path):
    emulator.inject("google_ads", "token_expired", times=100)
    with pytest.raises(ConnectorError, match="UNAUTHENTICATED"):
        run_pull(emulator, GOOGLE, DAYS[:1], tmp_path)
    assert emulator.google_mints == 2


def test_refused_credentials_fail_the_mint_naming_the_token_endpoint_without_the_secret(emulator, tmp_path):
    env = emulator.env() | {"GROWTHMART_GOOGLE_ADS_CLIENT_SECRET": "wrong-client-secret"}
    from growthmart.connectors.pull import pull
    from growthmart.connectors.specs import SPECS_BY_SOURCE

    with pytest.raises(ConnectorError, match="invalid_grant") as failure:
        pull(SPECS_BY_SOURCE[GOOGLE], DAYS[:1], tmp_path, env=env, settings=FAST)
    assert "wrong-client-secret" not in str(failure.value) and "/google/oauth2/token" in str(failure.value)
    assert emulator.google_mints == 0


def test_wechat_mints_its_token_and_mints_once_more_on_42001(emulator, tmp_path):
    run_pull(emulator, "wechat_article_summary", DAYS[:1], tmp_path)
    assert emulator.wechat_mints == 1
    emulator.inject("wechat", "token_expired")
    result = run_pull(emulator, "wechat_article_summary", DAYS[1:2], tmp_path)
    assert (
        result.token_refreshes == 1 and emulator.wechat_mints == 3
    )  # this pull's first token, then one more
    assert (tmp_path / "landing" / "wechat_article_summary" / DAYS[1] / "_SUCCESS").exists()
    emulator.inject("wechat", "token_expired", times=100)
    with pytest.raises(ConnectorError, match="errcode 42001"):
        run_pull(emulator, "wechat_article_summary", DAYS[2:], tmp_path)
    assert emulator.wechat_mints == 5  # minted, expired, minted once more, expired again: no loop
