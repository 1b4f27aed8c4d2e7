"""Every error class, per platform: rate limits and server errors are retried with backoff (the platform's delay
when it gives one), refusals fail at once, and a failure names the source, the day, the page and the platform's
message. HTTP 200 with an error envelope is an error; Baidu's partial success is not a success."""

from __future__ import annotations

import pytest
from connector_helpers import DAYS, FAST, run_pull

from growthmart.connectors.errors import ConnectorError
from growthmart.connectors.settings import PullSettings
from growthmart.connectors.specs import meta

CASES = [  # source, platform, the platform's message for an injected refusal
    ("ocean_engine_ad_stats", "ocean_engine", "code 40001: parameter error"),
    ("tencent_ads_daily_reports", "tencent_ads", "code 11004: invalid fields"),
    ("baidu_keyword_stats", "baidu", "invalid reportType"),
    ("meta_ads_insights", "meta", "error 100/None: Invalid parameter"),
    ("xiaohongshu_ads_reports", "xiaohongshu", "code 40001: 参数错误: advertiser_id"),
    ("google_ads_ad_stats", "google_ads", "INVALID_ARGUMENT ['UNRECOGNIZED_FIELD']"),
]
DAY = DAYS[1]


def report_requests(emulator, platform: str) -> int:
    """Report calls only (Meta's account look-up, Ocean Engine's refresh and Google's token calls are not
    report pages)."""
    return sum(
        1
        for p, _, path, _ in emulator.requests
        if p == platform
        and "refresh_token" not in path
        and "/oauth2/token" not in path
        and "/cgi-bin/token" not in path
        and (p != "meta" or "/insights" in path)
    )


@pytest.mark.parametrize(("source", "platform", "_"), CASES)
def test_a_rate_limit_is_waited_out_and_counted(emulator, tmp_path, source, platform, _):
    emulator.inject(platform, "rate_limit", times=2, page=2)
    result = run_pull(emulator, source, [DAY], tmp_path)
    assert result.rate_limit_waits == 2 and result.retries == 2
    assert (tmp_path / "landing" / source / DAY / "_SUCCESS").exists()


@pytest.mark.parametrize(("source", "platform", "_"), CASES)
def test_a_server_error_is_retried(emulator, tmp_path, source, platform, _):
    emulator.inject(platform, "server_error", page=1)
    result = run_pull(emulator, source, [DAY], tmp_path)
    assert result.retries == 1 and result.rate_limit_waits == 0


@pytest.mark.parametrize(("source", "platform", "message"), CASES)
def test_a_refusal_fails_at_once_naming_source_day_page_and_the_platform_message(
    emulator, tmp_path, source, platform, message
):
    emulator.inject(platform, "error", page=2)
    with pytest.raises(ConnectorError) as failure:
        run_pull(emulator, source, [DAY], tmp_path)
    text = str(failure.value)
    assert f"source {source!r}, day {DAY}, account " in text and ", page 2:" in text
    assert message in text
    assert failure.value.day == DAY and failure.value.page.endswith("page 2")
    pages_before_failure = report_requests(emulator, platform)
    assert pages_before_failure == 2  # page 1, then page 2 once: not retried


@pytest.mark.parametrize(("source", "platform", "_"), CASES)
def test_retries_are_bounded_then_the_pull_fails_with_the_platform_message(
    emulator, tmp_path, source, platform, _
):
    emulator.inject(platform, "rate_limit", times=100, page=1)
    with pytest.raises(ConnectorError, match=rf"source '{source}', day {DAY}, account .+, page 1: "):
        run_pull(emulator, source, [DAY], tmp_path)
    assert report_requests(emulator, platform) == FAST.max_attempts


def test_ocean_engine_rate_limit_arrives_as_http_200_with_code_40100(emulator, tmp_path):
    emulator.inject("ocean_engine", "rate_limit", times=100)
    with pytest.raises(ConnectorError, match="code 40100: 请求过于频繁"):
        run_pull(emulator, "ocean_engine_ad_stats", [DAY], tmp_path)


def test_xiaohongshu_success_false_is_an_error_even_with_code_0_on_http_200(emulator, tmp_path):
    emulator.inject("xiaohongshu", "unsuccessful", page=2)
    with pytest.raises(ConnectorError, match=r"page 2: success false — code 0"):
        run_pull(emulator, "xiaohongshu_ads_reports", [DAY], tmp_path)
    assert report_requests(emulator, "xiaohongshu") == 2  # not retried
    assert not (tmp_path / "landing" / "xiaohongshu_ads_reports" / DAY / "_SUCCESS").exists()


def test_xiaohongshu_rate_limit_arrives_as_http_200_with_its_code(emulator, tmp_path):
    emulator.inject("xiaohongshu", "rate_limit", times=100)
    with pytest.raises(ConnectorError, match="code 10003: 请求频率超限"):
        run_pull(emulator, "xiaohongshu_ads_reports", [DAY], tmp_path)


def test_xiaohongshu_asks_for_pages_of_at_most_1000_rows_in_the_json_body(emulator, tmp_path):
    run_pull(emulator, "xiaohongshu_ads_reports", DAYS[2:], tmp_path)
    bodies = [b for p, _, path, b in emulator.requests if p == "xiaohongshu" and "refresh" not in path]
    assert bodies and all(b["start_date"] == b["end_date"] == DAYS[2] for b in bodies)
    assert bodies[0]["page_num"] == 1 and bodies[0]["page_size"] == 1000
    # The emulator serves 3 rows a page: from page 2 on the connector asks at the size the server keeps.
    assert [b["page_num"] for b in bodies[1:3]] == [2, 3] and {b["page_size"] for b in bodies[1:]} == {3}


def test_tencent_retry_after_is_honoured(emulator, tmp_path):
    emulator.retry_after = 1
    emulator.inject("tencent_ads", "rate_limit")
    result = run_pull(emulator, "tencent_ads_daily_reports", [DAY], tmp_path)
    assert result.rate_limit_waits == 1 and result.waited_seconds >= 1.0


def test_baidu_partial_success_is_retried_and_never_landed_as_success(emulator, tmp_path):
    emulator.inject("baidu", "partial", page=2)
    result = run_pull(emulator, "baidu_keyword_stats", [DAY], tmp_path)
    assert result.retries == 1
    emulator.inject("baidu", "partial", times=100, page=1)
    with pytest.raises(ConnectorError, match="partial success is not a success.*some rows failed"):
        run_pull(emulator, "baidu_keyword_stats", [DAYS[2]], tmp_path)
    assert not (tmp_path / "landing" / "baidu_keyword_stats" / DAYS[2] / "_SUCCESS").exists()


@pytest.mark.parametrize(
    ("source", "platform", "kind", "message"),
    [
        (
            "meta_ads_insights",
            "meta",
            "token_expired",
            "error 190.*renew the token in GROWTHMART_META_ACCESS_TOKEN",
        ),
        ("baidu_keyword_stats", "baidu", "quota", "daily quota exhausted.*quota exceeded"),
        ("google_ads_ad_stats", "google_ads", "quota", r"daily quota exhausted \(RESOURCE_EXHAUSTED\)"),
    ],
)
def test_an_unrefreshable_token_or_a_spent_quota_fails_at_once_without_a_retry_loop(
    emulator, tmp_path, source, platform, kind, message
):
    emulator.inject(platform, kind, times=100)
    with pytest.raises(ConnectorError, match=message):
        run_pull(emulator, source, [DAY], tmp_path)
    assert report_requests(emulator, platform) == 1


def test_tencent_requests_carry_a_fresh_timestamp_and_nonce(emulator, tmp_path):
    run_pull(emulator, "tencent_ads_daily_reports", [DAY], tmp_path)
    nonces = [
        path.split("nonce=")[1].split("&")[0] for p, _, path, _ in emulator.requests if p == "tencent_ads"
    ]
    assert len(nonces) > 1 and len(set(nonces)) == len(nonces)


def test_meta_throttle_header_near_the_limit_asks_for_a_pause():
    class Response:
        def __init__(self, pct):
            self.headers = {meta.THROTTLE_HEADER: f'{{"app_id_util_pct": {pct}, "acc_id_util_pct": 10}}'}

    assert meta.pace(Response(20)) == 0 and meta.pace(Response(100)) == 5
    assert meta.pace(type("R", (), {"headers": {meta.THROTTLE_HEADER: "garbage"}})()) == 0


def test_an_unreachable_platform_is_retried_then_fails_naming_it(tmp_path, emulator):
    env = emulator.env() | {"GROWTHMART_BAIDU_BASE_URL": "http://127.0.0.1:9"}  # discard port: refused
    from growthmart.connectors.pull import pull
    from growthmart.connectors.specs import SPECS_BY_SOURCE

    with pytest.raises(ConnectorError, match="ConnectError"):
        pull(
            SPECS_BY_SOURCE["baidu_keyword_stats"],
            [DAY],
            tmp_path,
            env=env,
            settings=PullSettings(max_attempts=2, backoff_seconds=0.01),
        )


def test_meta_throttle_header_at_its_limit_slows_the_next_request(emulator, tmp_path):
    emulator.inject("meta", "throttle", page=1)
    result = run_pull(emulator, "meta_ads_insights", [DAY], tmp_path)
    assert result.rate_limit_waits >= 1 and result.retries == 0
    assert result.waited_seconds >= 5 * FAST.backoff_seconds * result.rate_limit_waits - 1e-9


def test_google_retry_delay_is_honoured(emulator, tmp_path):
    emulator.retry_after = (
        1  # quotaErrorDetails.retryDelay "1s" on an HTTP 429 RESOURCE_TEMPORARILY_EXHAUSTED
    )
    emulator.inject("google_ads", "rate_limit", page=2)
    result = run_pull(emulator, "google_ads_ad_stats", [DAY], tmp_path)
    assert result.rate_limit_waits == 1 and result.retries == 1 and result.waited_seconds >= 1.0


def test_google_daily_quota_is_not_retried_although_it_arrives_as_http_429(emulator, tmp_path):
    emulator.inject("google_ads", "quota", times=100, page=2)
    with pytest.raises(ConnectorError, match=r"page 2: daily quota exhausted \(RESOURCE_EXHAUSTED\)"):
        run_pull(emulator, "google_ads_ad_stats", [DAY], tmp_path)
    assert report_requests(emulator, "google_ads") == 2


# WeChat's datacube has no paging (the page is the day): its errors are tested on the one page of a day.
WECHAT = "wechat_article_summary"


@pytest.mark.parametrize("kind", ["rate_limit", "server_error"])
def test_wechat_minute_quota_and_system_busy_are_retried(emulator, tmp_path, kind):
    emulator.inject("wechat", kind, times=2)
    result = run_pull(emulator, WECHAT, [DAY], tmp_path)
    assert result.retries == 2 and result.rate_limit_waits == (2 if kind == "rate_limit" else 0)
    assert (tmp_path / "landing" / WECHAT / DAY / "_SUCCESS").exists()


def test_wechat_daily_quota_45009_stops_the_day_without_a_retry_loop(emulator, tmp_path):
    emulator.inject("wechat", "quota", times=100)
    with pytest.raises(
        ConnectorError, match=rf"source '{WECHAT}', day {DAY}, .*daily quota exhausted \(45009\)"
    ):
        run_pull(emulator, WECHAT, [DAY, DAYS[2]], tmp_path)
    assert report_requests(emulator, "wechat") == 1
    assert not (tmp_path / "landing" / WECHAT / DAY / "_SUCCESS").exists()


def test_wechat_refusal_fails_at_once_and_retries_are_bounded(emulator, tmp_path):
    emulator.inject("wechat", "error")
    with pytest.raises(ConnectorError, match="errcode 40097: invalid args"):
        run_pull(emulator, WECHAT, [DAY], tmp_path)
    assert report_requests(emulator, "wechat") == 1
    emulator.inject("wechat", "rate_limit", times=100)
    with pytest.raises(ConnectorError, match="errcode 45011"):
        run_pull(emulator, WECHAT, [DAY], tmp_path)
    assert report_requests(emulator, "wechat") == 1 + FAST.max_attempts
