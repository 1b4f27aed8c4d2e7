"""The shared pieces on their own: paginators refuse a repeated or out-of-order page, the redactor removes secrets
from text, URLs and landed bytes, and the token store writes owner-only files atomically."""

from __future__ import annotations

import stat

import pytest

from growthmart.connectors.errors import NotConfigured, PlatformError
from growthmart.connectors.paging import Cursor, NextToken, Offset, PageNumber, PageTotal
from growthmart.connectors.secrets import REDACTED, Redactor
from growthmart.connectors.tokens import TokenStore


def test_page_numbers_stop_at_the_last_page_and_refuse_a_page_out_of_order():
    p = PageNumber(page_size=2)
    body = {"data": {"page_info": {"page": 1, "total_page": 2, "total_number": 3}}}
    assert p.next(body, p.first(), 2) == {"page": 2, "page_size": 2}
    assert (
        p.next({"data": {"page_info": {"page": 2, "total_page": 2}}}, {"page": 2, "page_size": 2}, 1) is None
    )
    with pytest.raises(PlatformError, match="asked for page 2, got page 1"):
        p.next(body, {"page": 2, "page_size": 2}, 2)
    assert p.total(body) == 3


def test_offsets_follow_the_rows_returned_and_refuse_an_empty_page_before_the_end():
    o = Offset(page_size=1000, total_path=("total",))
    assert o.next({"total": 5}, o.first(), 3) == {"startRow": 3, "rowCount": 1000}
    assert o.next({"total": 5}, {"startRow": 3, "rowCount": 1000}, 2) is None
    with pytest.raises(PlatformError, match="empty page"):
        o.next({"total": 5}, {"startRow": 3, "rowCount": 1000}, 0)


def test_page_totals_count_rows_follow_a_capped_page_size_and_refuse_a_short_page():
    p = PageTotal(page_size=1000)
    body = {"data": {"total_count": 7}}
    assert p.first() == {"page_num": 1, "page_size": 1000}
    assert p.next(body, p.first(), 7) is None  # one page held everything
    assert p.next({"data": {"total_count": 0}}, p.first(), 0) is None  # an empty day
    assert p.next(body, p.first(), 3) == {"page_num": 2, "page_size": 3}  # the server keeps pages of 3
    assert p.next(body, {"page_num": 2, "page_size": 3}, 3) == {"page_num": 3, "page_size": 3}
    assert p.next(body, {"page_num": 3, "page_size": 3}, 1) is None
    with pytest.raises(PlatformError, match="page 2 held 2 rows of 3"):
        p.next(body, {"page_num": 2, "page_size": 3}, 2)
    with pytest.raises(PlatformError, match="page 2 is empty"):
        p.next(body, {"page_num": 2, "page_size": 3}, 0)
    assert p.total(body) == 7 and p.total({}) is None


def test_cursors_and_page_tokens_refuse_to_repeat_a_page():
    c = Cursor()
    body = {"paging": {"cursors": {"after": "A"}, "next": "https://x/?after=A"}}
    assert c.next(body, c.first(), 3)["after"] == "A"
    with pytest.raises(PlatformError, match="repeats"):
        c.next(body, {"after": "A"}, 3)
    assert c.next({"paging": {"cursors": {"after": "B"}}}, {"after": "A"}, 3) is None
    t = NextToken()
    assert t.next({"nextPageToken": "T2", "totalResultsCount": 9}, t.first(), 5) == {"pageToken": "T2"}
    assert t.total({"totalResultsCount": 9}) == 9
    with pytest.raises(PlatformError, match="repeats"):
        t.next({"nextPageToken": "T2"}, {"pageToken": "T2"}, 5)
    assert t.next({}, {"pageToken": "T2"}, 5) is None


def test_the_redactor_removes_known_secrets_and_token_query_parameters():
    r = Redactor(["s3cr3t-value", None, "ab"])  # None and too-short values are ignored
    assert r.text("token s3cr3t-value leaked") == f"token {REDACTED} leaked"
    assert r.text("GET /x?access_token=zzz&page=2") == f"GET /x?access_token={REDACTED}&page=2"
    assert r.text("nextPageToken=abc") == "nextPageToken=abc"  # a page token is not a credential
    assert (
        r.bytes(b'{"next": "https://g/?after=1&access_token=zzz"}')
        == f'{{"next": "https://g/?after=1&access_token={REDACTED}"}}'.encode()
    )
    assert r.bytes(b'{"a": 1}') == b'{"a": 1}'


def test_the_token_store_seeds_from_the_environment_then_keeps_its_own_pair(tmp_path):
    path = tmp_path / "connector_state" / "x.json"
    store = TokenStore(
        path, {"access_token": "a0", "refresh_token": "r0"}, {"access_token": "A", "refresh_token": "R"}
    )
    assert store.load() == {"access_token": "a0", "refresh_token": "r0"}
    store.save({"access_token": "a1", "refresh_token": "r1"})
    assert store.load() == {"access_token": "a1", "refresh_token": "r1"}
    assert stat.S_IMODE(path.stat().st_mode) == 0o600 and not list(path.parent.glob(".*"))
    with pytest.raises(NotConfigured, match="set R"):
        TokenStore(
            tmp_path / "y.json",
            {"access_token": "a", "refresh_token": None},
            {"access_token": "A", "refresh_token": "R"},
        ).load()


def test_xiaohongshu_envelope_success_false_or_a_code_is_an_error_whatever_the_http_status():
    from growthmart.connectors.errors import RateLimited, TokenExpired, Transient
    from growthmart.connectors.specs.xiaohongshu import check

    check(None, {"code": 0, "msg": "成功", "success": True, "data": {}})
    check(None, None)  # not JSON: the client decides from the HTTP status
    cases = [
        ({"code": 0, "success": False, "msg": ""}, PlatformError, "success false"),
        ({"code": 10003, "success": False, "msg": "请求频率超限"}, RateLimited, "code 10003"),
        ({"code": 10001, "success": False, "msg": "expired"}, TokenExpired, "code 10001"),
        ({"code": 50000, "success": False, "msg": "系统繁忙"}, Transient, "code 50000"),
        ({"code": 40001, "success": False, "msg": "参数错误"}, PlatformError, "code 40001: 参数错误"),
        ({"code": 40001, "msg": "no success field"}, PlatformError, "code 40001"),
    ]
    for body, error, message in cases:
        with pytest.raises(error, match=message):
            check(None, body)
