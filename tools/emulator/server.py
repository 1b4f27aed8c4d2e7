"""The emulated platforms: one loopback HTTP server answering as Ocean Engine, Tencent Ads, Baidu, Meta,
Xiaohongshu 聚光, Google Ads and the WeChat datacube do.

It serves the demo's file export through each platform's report API (paging, envelopes, auth), and can be told
to misbehave, per test: `inject(platform, kind, times=1, page=None)` with kind
  rate_limit     the platform's own signal (Ocean Engine code 40100, Tencent HTTP 429 + Retry-After, Baidu
                 header status 3, Meta error 17 + the insights throttle header, Xiaohongshu code 10003 [?],
                 Google HTTP 429 RESOURCE_TEMPORARILY_EXHAUSTED with retryDelay = `retry_after` seconds)
  server_error   HTTP 500
  token_expired  Ocean Engine 40102 / Tencent 11000 / Xiaohongshu 10001 [?] until the token is refreshed;
                 Meta error 190; Google HTTP 401 UNAUTHENTICATED, and the access token stays invalid until a
                 new one is minted; WeChat errcode 42001 (likewise)
  partial        Baidu header status 1 (some rows failed)
  error          a request error the platform will repeat (Ocean Engine 40001, Tencent 11004, Baidu status 2,
                 Meta error 100, Xiaohongshu 40001)
  unsuccessful   Xiaohongshu answers HTTP 200 with code 0 but `success: false`
  lose_row       the page silently lacks its last record (totals no longer add up)
  quota          Baidu's daily quota spent (rquota 0); Google's daily RESOURCE_EXHAUSTED (HTTP 429); WeChat
                 errcode 45009
WeChat answers rate_limit with errcode 45011, server_error with errcode -1 (system busy), error with 40097.
  throttle       Meta answers, with the insights throttle header at 100 %
and `restate(platform, day)` changes that day's figures (late conversions), as platforms do for recent days.
"""

from __future__ import annotations

import base64
import json
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

from tools.emulator import data

PLATFORMS = ("ocean_engine", "tencent_ads", "baidu", "meta", "xiaohongshu")
PLATFORMS = ("ocean_engine", "tencent_ads", "baidu", "meta", "google_ads", "wechat")
WECHAT_TOKEN, WECHAT_SUMMARY = "/cgi-bin/token", "/datacube/getarticlesummary"
OCEAN_PATH = "/open_api/v3.0/report/custom/get/"
OCEAN_REFRESH = "/open_api/oauth2/refresh_token/"
TENCENT_PATH = "/v3.0/daily_reports/get"
TENCENT_REFRESH = "/oauth/token"
BAIDU_PATH = "/json/sms/service/OpenApiReportService/getReportData"
META_VERSION = "v21.0"
XHS_PATH = "/api/open/jg/data/report/offline/creativity"
XHS_REFRESH = "/api/open/oauth2/refresh_token"
XHS_MAX_PAGE_SIZE = 1000
GOOGLE_VERSION = "v26"
GOOGLE_TOKEN = "/google/oauth2/token"  # stands for https://oauth2.googleapis.com/token


@dataclass
class Fault:
    platform: str
    kind: str
    times: int
    page: int | None = None


@dataclass
class Credentials:
    """What the emulated platforms accept; `env()` gives the matching connector variables."""

    ocean_app_id: str = "emulator-app"
    ocean_secret: str = "emulator-ocean-secret"
    ocean_access: str = "emulator-ocean-access-0"
    ocean_refresh: str = "emulator-ocean-refresh-0"
    tencent_client_id: str = "1110000001"
    tencent_client_secret: str = "emulator-tencent-secret"
    tencent_access: str = "emulator-tencent-token"
    tencent_refresh: str = "emulator-tencent-refresh"
    baidu_user: str = "emulator-user"
    baidu_token: str = "emulator-baidu-token"
    meta_token: str = "emulator-meta-token"
    xhs_app_id: str = "emulator-xhs-app"
    xhs_secret: str = "emulator-xhs-secret"
    xhs_access: str = "emulator-xhs-access-0"
    xhs_refresh: str = "emulator-xhs-refresh-0"
    google_client_id: str = "emulator-google-client.apps.googleusercontent.com"
    google_client_secret: str = "emulator-google-client-secret"
    google_refresh: str = "emulator-google-refresh"
    google_developer_token: str = "emulator-google-developer-token"
    google_login_customer_id: str = "9990001111"
    google_access_prefix: str = "emulator-google-access"  # minted tokens: <prefix>-<n>
    wechat_app_id: str = "wx0emulator0000001"
    wechat_secret: str = "emulator-wechat-secret"
    wechat_access_prefix: str = "emulator-wechat-access"  # minted tokens: <prefix>-<n>


class Emulator:
    def __init__(
        self, landing: Path | str, credentials: Credentials | None = None, page_size_cap: int = 1000
    ):
        landing = Path(landing)
        self.creds = credentials or Credentials()
        self.page_size_cap = page_size_cap  # the most rows a page holds, whatever the client asks
        self.retry_after = 0  # seconds, in Retry-After of an injected HTTP 429
        self.rows = {
            "ocean_engine": data.ocean_engine(landing),
            "tencent_ads": data.tencent_ads(landing),
            "baidu": data.baidu(landing),
            "xiaohongshu": data.xiaohongshu(landing),
        }
        self.rows["meta"], self.meta_accounts = data.meta(landing)
        self.rows["google_ads"] = data.google_ads(landing)
        self.google_mints = 0  # access tokens minted by the Google token endpoint
        self.google_token: str | None = None  # the access token the Google API accepts now
        self.rows["wechat"] = data.wechat(landing, self.creds.wechat_app_id)
        self.wechat_mints = 0
        self.wechat_token: str | None = None  # one valid token per app: the latest minted
        self.faults: list[Fault] = []
        self.restated: set[tuple[str, str]] = set()
        self.requests: list[
            tuple[str, str, str, dict | None]
        ] = []  # (platform, method, path+query, JSON body)
        self.ocean_expired = False
        self.ocean_refreshes = 0
        self._ocean_first = (self.creds.ocean_access, self.creds.ocean_refresh)  # env() keeps offering these
        self.tencent_expired = False
        self.tencent_refreshes = 0
        self._tencent_first = (self.creds.tencent_access, self.creds.tencent_refresh)
        self.xhs_expired = False
        self.xhs_refreshes = 0
        self._xhs_first = (self.creds.xhs_access, self.creds.xhs_refresh)
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None

    # ------------------------------------------------------------------ control
    def accounts(self, platform: str) -> list[str]:
        return sorted({account for account, _ in self.rows[platform]})

    def inject(self, platform: str, kind: str, times: int = 1, page: int | None = None) -> None:
        self.faults.append(Fault(platform, kind, times, page))

    def restate(self, platform: str, day: str) -> None:
        self.restated.add((platform, day))

    def _fault(self, platform: str, page: int) -> str | None:
        with self._lock:
            for f in self.faults:
                if f.platform == platform and f.times > 0 and f.page in (None, page):
                    f.times -= 1
                    return f.kind
        return None

    @property
    def url(self) -> str:
        assert self._server is not None, "start() first"
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def env(self) -> dict[str, str]:
        """The connectors' environment variables for this server (every account of the demo)."""
        c, url = self.creds, self.url
        return {
            "GROWTHMART_OCEAN_ENGINE_BASE_URL": url,
            "GROWTHMART_OCEAN_ENGINE_ADVERTISER_IDS": ",".join(self.accounts("ocean_engine")),
            "GROWTHMART_OCEAN_ENGINE_APP_ID": c.ocean_app_id,
            "GROWTHMART_OCEAN_ENGINE_APP_SECRET": c.ocean_secret,
            "GROWTHMART_OCEAN_ENGINE_ACCESS_TOKEN": self._ocean_first[0],
            "GROWTHMART_OCEAN_ENGINE_REFRESH_TOKEN": self._ocean_first[1],
            "GROWTHMART_TENCENT_ADS_BASE_URL": url,
            "GROWTHMART_TENCENT_ADS_ACCOUNT_IDS": ",".join(self.accounts("tencent_ads")),
            "GROWTHMART_TENCENT_ADS_CLIENT_ID": c.tencent_client_id,
            "GROWTHMART_TENCENT_ADS_CLIENT_SECRET": c.tencent_client_secret,
            "GROWTHMART_TENCENT_ADS_ACCESS_TOKEN": self._tencent_first[0],
            "GROWTHMART_TENCENT_ADS_REFRESH_TOKEN": self._tencent_first[1],
            "GROWTHMART_BAIDU_BASE_URL": url,
            "GROWTHMART_BAIDU_TARGET_ACCOUNTS": ",".join(self.accounts("baidu")),
            "GROWTHMART_BAIDU_USERNAME": c.baidu_user,
            "GROWTHMART_BAIDU_ACCESS_TOKEN": c.baidu_token,
            "GROWTHMART_META_BASE_URL": url,
            "GROWTHMART_META_AD_ACCOUNT_IDS": ",".join(self.accounts("meta")),
            "GROWTHMART_META_ACCESS_TOKEN": c.meta_token,
            "GROWTHMART_XIAOHONGSHU_BASE_URL": url,
            "GROWTHMART_XIAOHONGSHU_ADVERTISER_IDS": ",".join(self.accounts("xiaohongshu")),
            "GROWTHMART_XIAOHONGSHU_APP_ID": c.xhs_app_id,
            "GROWTHMART_XIAOHONGSHU_APP_SECRET": c.xhs_secret,
            "GROWTHMART_XIAOHONGSHU_ACCESS_TOKEN": self._xhs_first[0],
            "GROWTHMART_XIAOHONGSHU_REFRESH_TOKEN": self._xhs_first[1],
            **self.google_env(),
            **self.wechat_env(),
        }

    def wechat_env(self) -> dict[str, str]:
        return {
            "GROWTHMART_WECHAT_BASE_URL": self.url,
            "GROWTHMART_WECHAT_APP_ID": self.creds.wechat_app_id,
            "GROWTHMART_WECHAT_APP_SECRET": self.creds.wechat_secret,
        }

    def google_env(self) -> dict[str, str]:
        c = self.creds
        return {
            "GROWTHMART_GOOGLE_ADS_BASE_URL": self.url,
            "GROWTHMART_GOOGLE_ADS_TOKEN_URL": self.url + GOOGLE_TOKEN,
            "GROWTHMART_GOOGLE_ADS_CUSTOMER_IDS": ",".join(self.accounts("google_ads")),
            "GROWTHMART_GOOGLE_ADS_CLIENT_ID": c.google_client_id,
            "GROWTHMART_GOOGLE_ADS_CLIENT_SECRET": c.google_client_secret,
            "GROWTHMART_GOOGLE_ADS_REFRESH_TOKEN": c.google_refresh,
            "GROWTHMART_GOOGLE_ADS_DEVELOPER_TOKEN": c.google_developer_token,
            "GROWTHMART_GOOGLE_ADS_LOGIN_CUSTOMER_ID": c.google_login_customer_id,
        }

    def start(self, port: int = 0) -> Emulator:
        handler = type("Handler", (_Handler,), {"emulator": self})
        self._server = ThreadingHTTPServer(("127.0.0.1", port), handler)
        threading.Thread(target=self._server.serve_forever, daemon=True, name="platform-emulator").start()
        return self

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()

    def __enter__(self) -> Emulator:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # ------------------------------------------------------------------ data
    def day_rows(self, platform: str, account: str, day: str) -> list[dict]:
        rows = [json.loads(json.dumps(r)) for r in self.rows[platform].get((account, day), [])]
        if (platform, day) in self.restated and rows:
            _restate(platform, rows[0])
        return rows

    def page(self, rows: list[dict], start: int, size: int, fault: str | None) -> list[dict]:
        chunk = rows[start : start + min(size, self.page_size_cap)]
        return chunk[:-1] if fault == "lose_row" and chunk else chunk

    def numbered_page(self, rows: list[dict], page: int, size: int, fault: str | None) -> tuple[list, dict]:
        """(records, page_info) of page `page` (from 1), as Ocean Engine and Tencent number their pages."""
        size = min(size, self.page_size_cap)
        info = {
            "page": page,
            "page_size": size,
            "total_number": len(rows),
            "total_page": -(-len(rows) // size),
        }
        return self.page(rows, (page - 1) * size, size, fault), info


def _restate(platform: str, row: dict) -> None:
    """One more conversion on the day's first row: late conversions arrive for days."""
    if platform == "ocean_engine":
        row["metrics"]["convert_cnt"] = str(int(row["metrics"]["convert_cnt"]) + 1)
    elif platform == "tencent_ads":
        row["conversions_count"] = int(row.get("conversions_count") or 0) + 1
    elif platform == "baidu":
        row["conversion"] = int(row.get("conversion") or 0) + 1
    elif platform == "xiaohongshu":
        row["goods_order"] = f"{int(str(row.get('goods_order') or 0).replace(',', '')) + 1:,}"
    elif platform == "wechat":
        row["share_count"] = int(row["share_count"]) + 1
    elif platform == "google_ads":
        row["metrics"]["conversions"] = float(row["metrics"].get("conversions") or 0) + 1
    else:
        row["spend"] = f"{float(row['spend']) + 1:.2f}"


class _Handler(BaseHTTPRequestHandler):
    emulator: Emulator
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out as two writes: no 40 ms delayed-ACK stall each

    def log_message(self, format, *args):  # noqa: A002 — quiet: tests read `emulator.requests`
        pass

    # ------------------------------------------------------------------ plumbing
    def _send(self, status: int, body: dict, headers: dict | None = None) -> None:
        raw = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(raw)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(raw)

    def _query(self) -> dict[str, str]:
        return {k: v[0] for k, v in parse_qs(urlsplit(self.path).query).items()}

    def _body(self) -> dict:
        n = int(self.headers.get("Content-Length") or 0)
        return json.loads(self.rfile.read(n) or b"{}")

    def do_GET(self):  # noqa: N802
        path = urlsplit(self.path).path
        if path == OCEAN_PATH:
            return self._ocean(self._query())
        if path == TENCENT_PATH:
            return self._tencent(self._query())
        if path == TENCENT_REFRESH:
            return self._tencent_refresh(self._query())
        if path.startswith(f"/{META_VERSION}/act_"):
            return self._meta(path, self._query())
        if path == WECHAT_TOKEN:
            return self._wechat_token(self._query())
        return self._send(404, {"error": f"no such path {path}"})

    def do_POST(self):  # noqa: N802
        path = urlsplit(self.path).path
        if path == OCEAN_REFRESH:
            return self._ocean_refresh(self._body())
        if path == BAIDU_PATH:
            return self._baidu(self._body())
        if path == XHS_PATH:
            return self._xhs(self._body())
        if path == XHS_REFRESH:
            return self._xhs_refresh(self._body())
        if path == WECHAT_SUMMARY:
            return self._wechat_summary(self._query(), self._body())
        if path == GOOGLE_TOKEN:
            return self._google_token()
        if path.startswith(f"/{GOOGLE_VERSION}/customers/") and path.endswith("/googleAds:search"):
            return self._google_search(path, self._body())
        return self._send(404, {"error": f"no such path {path}"})

    def _log(self, platform: str, body: dict | None = None) -> None:
        self.emulator.requests.append((platform, self.command, self.path, body))

    # ------------------------------------------------------------------ Ocean Engine
    def _ocean(self, q: dict) -> None:
        em, c = self.emulator, self.emulator.creds
        self._log("ocean_engine")
        page, size = int(q.get("page", 1)), int(q.get("page_size", 10))
        fault = em._fault("ocean_engine", page)
        ok = {"request_id": "emulator"}
        if fault == "token_expired":
            em.ocean_expired = True
        if self.headers.get("Access-Token") != c.ocean_access:
            return self._send(200, {**ok, "code": 40105, "message": "access token invalid", "data": {}})
        if em.ocean_expired:
            return self._send(200, {**ok, "code": 40102, "message": "access token expired", "data": {}})
        if fault == "rate_limit":
            return self._send(200, {**ok, "code": 40100, "message": "请求过于频繁", "data": {}})
        if fault == "server_error":
            return self._send(500, {**ok, "code": 50000, "message": "system error"})
        if fault == "error":
            return self._send(
                200, {**ok, "code": 40001, "message": "parameter error: dimensions", "data": {}}
            )
        rows = em.day_rows("ocean_engine", q["advertiser_id"], q["start_time"])
        chunk, info = em.numbered_page(rows, page, size, fault)
        self._send(200, {**ok, "code": 0, "message": "OK", "data": {"list": chunk, "page_info": info}})

    def _ocean_refresh(self, body: dict) -> None:
        em, c = self.emulator, self.emulator.creds
        self._log("ocean_engine")
        if body.get("app_id") != c.ocean_app_id or body.get("secret") != c.ocean_secret:
            return self._send(200, {"code": 40001, "message": "app_id or secret invalid"})
        if body.get("refresh_token") != c.ocean_refresh:  # an old refresh token stops working once rotated
            return self._send(200, {"code": 40107, "message": "refresh token invalid"})
        em.ocean_refreshes += 1
        c.ocean_access = f"{em._ocean_first[0]}-r{em.ocean_refreshes}"
        c.ocean_refresh = f"{em._ocean_first[1]}-r{em.ocean_refreshes}"
        em.ocean_expired = False
        data = {
            "access_token": c.ocean_access,
            "refresh_token": c.ocean_refresh,
            "expires_in": 86400,
            "refresh_token_expires_in": 2592000,
        }
        self._send(200, {"code": 0, "message": "OK", "data": data})

    # ------------------------------------------------------------------ Tencent Ads
    def _tencent(self, q: dict) -> None:
        em = self.emulator
        self._log("tencent_ads")
        page, size = int(q.get("page", 1)), int(q.get("page_size", 10))
        fault = em._fault("tencent_ads", page)

        def error(code: int, message: str, status: int = 200, headers: dict | None = None):
            self._send(status, {"code": code, "message": message, "message_cn": message, "data": {}}, headers)

        stamp = q.get("timestamp", "")
        if fault == "token_expired":
            em.tencent_expired = True
        if q.get("access_token") != em.creds.tencent_access:
            return error(11002, "Access token is invalid.")
        if em.tencent_expired:
            return error(11000, "Access token is expired.")
        if not stamp.isdigit() or abs(int(stamp) - time.time()) > 300 or not q.get("nonce"):
            return error(11003, "timestamp out of range or nonce missing")
        if fault == "rate_limit":
            return error(11017, "request too frequent", 429, {"Retry-After": str(em.retry_after)})
        if fault == "server_error":
            return error(50000, "system error", 500)
        if fault == "error":
            return error(11004, "invalid fields")
        day = json.loads(q["date_range"])["start_date"]
        rows = em.day_rows("tencent_ads", q["account_id"], day)
        chunk, info = em.numbered_page(rows, page, size, fault)
        self._send(
            200, {"code": 0, "message": "", "message_cn": "", "data": {"list": chunk, "page_info": info}}
        )

    def _tencent_refresh(self, q: dict) -> None:
        """GET /oauth/token?grant_type=refresh_token: a new pair; the old one stops working."""
        em, c = self.emulator, self.emulator.creds
        self._log("tencent_ads")
        if q.get("client_id") != c.tencent_client_id or q.get("client_secret") != c.tencent_client_secret:
            return self._send(200, {"code": 11007, "message": "The client_id is invalid.", "data": {}})
        if q.get("grant_type") != "refresh_token" or q.get("refresh_token") != c.tencent_refresh:
            return self._send(200, {"code": 11010, "message": "Refresh token is malformed.", "data": {}})
        em.tencent_refreshes += 1
        c.tencent_access = f"{em._tencent_first[0]}-r{em.tencent_refreshes}"
        c.tencent_refresh = f"{em._tencent_first[1]}-r{em.tencent_refreshes}"
        em.tencent_expired = False
        data = {
            "access_token": c.tencent_access,
            "refresh_token": c.tencent_refresh,
            "access_token_expires_in": 86400,
            "refresh_token_expires_in": 2592000,
        }
        self._send(200, {"code": 0, "message": "", "message_cn": "", "data": data})

    # ------------------------------------------------------------------ Baidu
    def _baidu(self, doc: dict) -> None:
        em, c = self.emulator, self.emulator.creds
        self._log("baidu", doc)
        header, body = doc.get("header") or {}, doc.get("body") or {}
        start, count = int(body.get("startRow", 0)), int(body.get("rowCount", 10))
        fault = em._fault("baidu", start // max(1, min(count, em.page_size_cap)) + 1)

        def reply(status: int, desc: str, failures=(), data=None, http: int = 200, rquota: int = 9000):
            head = {"desc": desc, "failures": list(failures), "quota": 2, "rquota": rquota, "status": status}
            self._send(http, {"header": head, "body": {"data": data or []}})

        if header.get("userName") != c.baidu_user or header.get("accessToken") != c.baidu_token:
            return reply(2, "failure", [{"code": 8206, "message": "invalid token", "position": "header"}])
        if fault == "rate_limit":
            return reply(3, "system busy", [{"code": 9999, "message": "system busy", "position": ""}])
        if fault == "server_error":
            return self._send(500, {"message": "Internal Server Error"})
        if fault == "error":
            return reply(2, "failure", [{"code": 8000, "message": "invalid reportType", "position": "body"}])
        if fault == "quota":
            return reply(
                2, "failure", [{"code": 8501, "message": "quota exceeded", "position": ""}], rquota=0
            )
        rows = em.day_rows("baidu", header.get("target", ""), body["startDate"])
        chunk = em.page(rows, start, count, fault)
        data = [{"rows": chunk, "rowCount": len(chunk), "totalRows": len(rows)}]
        if fault == "partial":
            return reply(
                1, "partial", [{"code": 8901, "message": "some rows failed", "position": "rows"}], data
            )
        reply(0, "success", data=data)

    # ------------------------------------------------------------------ Meta
    def _meta(self, path: str, q: dict) -> None:
        em = self.emulator
        self._log("meta")
        parts = path.strip("/").split("/")
        account = parts[1].removeprefix("act_")
        after = q.get("after")
        start = int(base64.b64decode(after).decode()) if after else 0
        size = min(int(q.get("limit", 25)), em.page_size_cap)
        fault = em._fault("meta", start // max(1, size) + 1) if len(parts) == 3 else None

        def error(code: int, message: str, headers: dict | None = None, status: int = 400):
            body = {
                "error": {"message": message, "type": "OAuthException", "code": code, "fbtrace_id": "emu"}
            }
            self._send(status, body, headers)

        if q.get("access_token") != em.creds.meta_token or fault == "token_expired":
            return error(190, "Error validating access token: Session has expired")
        if len(parts) == 2:  # the ad account
            facts = em.meta_accounts.get(account, {"timezone_name": "America/Los_Angeles", "currency": "USD"})
            return self._send(200, {"id": f"act_{account}", **facts})
        pct = 100 if fault == "throttle" else 0
        throttle = {"x-fb-ads-insights-throttle": json.dumps({"app_id_util_pct": pct, "acc_id_util_pct": 0})}
        if fault == "rate_limit":
            hot = {"x-fb-ads-insights-throttle": json.dumps({"app_id_util_pct": 100, "acc_id_util_pct": 100})}
            return error(17, "User request limit reached", hot)
        if fault == "server_error":
            return error(2, "Service temporarily unavailable", status=500)
        if fault == "error":
            return error(100, "Invalid parameter")
        day = json.loads(q["time_range"])["since"]
        rows = em.day_rows("meta", account, day)
        chunk = em.page(rows, start, size, fault)
        end = start + size
        cursors = {
            "before": base64.b64encode(str(start).encode()).decode(),
            "after": base64.b64encode(str(end).encode()).decode(),
        }
        paging: dict = {"cursors": cursors}
        if end < len(rows):  # like Meta, the next link repeats the access token
            paging["next"] = f"{em.url}{path}?{urlencode({**q, 'after': cursors['after']})}"
        self._send(200, {"data": chunk, "paging": paging}, throttle)

    # ------------------------------------------------------------------ Xiaohongshu 聚光
    def _xhs(self, body: dict) -> None:
        em, c = self.emulator, self.emulator.creds
        self._log("xiaohongshu", body)
        page, size = int(body.get("page_num", 1)), int(body.get("page_size", 20))
        fault = em._fault("xiaohongshu", page)

        def error(code: int, msg: str, status: int = 200):
            self._send(status, {"code": code, "msg": msg, "success": False, "data": None})

        if fault == "token_expired":
            em.xhs_expired = True
        if self.headers.get("Access-Token") != c.xhs_access:
            return error(10002, "access token invalid")
        if em.xhs_expired:
            return error(10001, "access token expired")
        if fault == "rate_limit":
            return error(10003, "请求频率超限")
        if fault == "server_error":
            return error(50000, "系统繁忙", 500)
        if fault == "error":
            return error(40001, "参数错误: advertiser_id")
        if size > XHS_MAX_PAGE_SIZE:
            return error(40001, f"page_size must be at most {XHS_MAX_PAGE_SIZE}")
        rows = em.day_rows("xiaohongshu", str(body.get("advertiser_id")), body["start_date"])
        size = min(size, em.page_size_cap)
        chunk = em.page(rows, (page - 1) * size, size, fault)
        ok = fault != "unsuccessful"
        data = {"data_list": chunk, "total_count": len(rows)}
        self._send(200, {"code": 0, "msg": "成功" if ok else "", "success": ok, "data": data})

    def _xhs_refresh(self, body: dict) -> None:
        em, c = self.emulator, self.emulator.creds
        self._log("xiaohongshu", {k: v for k, v in body.items() if k == "app_id"})
        if body.get("app_id") != c.xhs_app_id or body.get("secret") != c.xhs_secret:
            return self._send(200, {"code": 40001, "msg": "app_id or secret invalid", "success": False})
        if body.get("refresh_token") != c.xhs_refresh:  # an old refresh token stops working once rotated
            return self._send(200, {"code": 10004, "msg": "refresh token invalid", "success": False})
        em.xhs_refreshes += 1
        c.xhs_access = f"{em._xhs_first[0]}-r{em.xhs_refreshes}"
        c.xhs_refresh = f"{em._xhs_first[1]}-r{em.xhs_refreshes}"
        em.xhs_expired = False
        data = {
            "access_token": c.xhs_access,
            "refresh_token": c.xhs_refresh,
            "access_token_expires_in": 86400,
            "refresh_token_expires_in": 2592000,
        }
        self._send(200, {"code": 0, "msg": "成功", "success": True, "data": data})

    # ------------------------------------------------------------------ Google Ads
    def _google_token(self) -> None:
        em, c = self.emulator, self.emulator.creds
        n = int(self.headers.get("Content-Length") or 0)
        form = {k: v[0] for k, v in parse_qs(self.rfile.read(n).decode()).items()}
        self._log("google_ads", {"grant_type": form.get("grant_type")})  # never the credentials
        ok = (
            form.get("grant_type") == "refresh_token"
            and form.get("client_id") == c.google_client_id
            and form.get("client_secret") == c.google_client_secret
            and form.get("refresh_token") == c.google_refresh
        )
        if not ok:
            return self._send(400, {"error": "invalid_grant", "error_description": "Bad Request"})
        em.google_mints += 1
        em.google_token = f"{c.google_access_prefix}-{em.google_mints}"  # the earlier one stops working
        body = {
            "access_token": em.google_token,
            "expires_in": 3599,
            "scope": "https://www.googleapis.com/auth/adwords",
            "token_type": "Bearer",
        }
        self._send(200, body)

    def _google_search(self, path: str, body: dict) -> None:
        em, c = self.emulator, self.emulator.creds
        self._log("google_ads", body)
        customer = path.split("/")[3]
        token = body.get("pageToken")
        start = int(base64.b64decode(token).decode()) if token else 0
        size = em.page_size_cap  # Google's page size is fixed (10,000); the cap stands for it
        fault = em._fault("google_ads", start // max(1, size) + 1)

        def error(
            http: int, status: str, message: str, code: dict | None = None, details: dict | None = None
        ):
            failure = {"errorCode": code, "message": message, **({"details": details} if details else {})}
            doc = {
                "code": http,
                "message": message,
                "status": status,
                "details": [
                    {
                        "@type": f"type.googleapis.com/google.ads.googleads.{GOOGLE_VERSION}.errors.GoogleAdsFailure",
                        "errors": [failure] if code else [],
                        "requestId": "emulator",
                    }
                ],
            }
            self._send(http, {"error": doc})

        if fault == "token_expired":
            em.google_token = None  # expired: a new one must be minted
        if self.headers.get("Authorization") != f"Bearer {em.google_token}" or em.google_token is None:
            return error(
                401,
                "UNAUTHENTICATED",
                "Request is missing required authentication credential.",
                {"authenticationError": "OAUTH_TOKEN_EXPIRED"},
            )
        if (
            self.headers.get("developer-token") != c.google_developer_token
            or self.headers.get("login-customer-id") != c.google_login_customer_id
        ):
            return error(
                403,
                "PERMISSION_DENIED",
                "The developer token is not valid.",
                {"authorizationError": "DEVELOPER_TOKEN_NOT_APPROVED"},
            )
        if fault == "rate_limit":
            details = {
                "quotaErrorDetails": {
                    "rateScope": "ACCOUNT",
                    "rateName": "Requests per account",
                    "retryDelay": f"{em.retry_after}s",
                }
            }
            return error(
                429,
                "RESOURCE_EXHAUSTED",
                "Too many requests in a short amount of time.",
                {"quotaError": "RESOURCE_TEMPORARILY_EXHAUSTED"},
                details,
            )
        if fault == "quota":
            details = {
                "quotaErrorDetails": {
                    "rateScope": "DEVELOPER",
                    "rateName": "Number of operations for basic access",
                    "retryDelay": "86400s",
                }
            }
            return error(
                429, "RESOURCE_EXHAUSTED", "Too many requests.", {"quotaError": "RESOURCE_EXHAUSTED"}, details
            )
        if fault == "server_error":
            return error(500, "INTERNAL", "Internal error encountered.", {"internalError": "INTERNAL_ERROR"})
        if fault == "error":
            return error(
                400,
                "INVALID_ARGUMENT",
                "Request contains an invalid argument.",
                {"queryError": "UNRECOGNIZED_FIELD"},
            )
        day = body["query"].split("BETWEEN '")[1][:10]
        rows = em.day_rows("google_ads", customer, day)
        chunk = em.page(rows, start, size, fault)
        out: dict = {"fieldMask": "emulated"}
        if chunk:  # like the REST API, a page without rows has no `results` key
            out["results"] = chunk
        if body.get("returnTotalResultsCount"):
            out["totalResultsCount"] = str(len(rows))  # int64: a JSON string
        if start + size < len(rows):
            out["nextPageToken"] = base64.b64encode(str(start + size).encode()).decode()
        self._send(200, out)

    # ------------------------------------------------------------------ WeChat datacube
    def _wechat_token(self, q: dict) -> None:
        em, c = self.emulator, self.emulator.creds
        self.emulator.requests.append(("wechat", self.command, urlsplit(self.path).path, None))  # no secret
        if q.get("grant_type") != "client_credential" or q.get("appid") != c.wechat_app_id:
            return self._send(200, {"errcode": 40013, "errmsg": "invalid appid"})
        if q.get("secret") != c.wechat_secret:
            return self._send(200, {"errcode": 40125, "errmsg": "invalid appsecret"})
        em.wechat_mints += 1
        em.wechat_token = (
            f"{c.wechat_access_prefix}-{em.wechat_mints}"  # the app's previous token stops working
        )
        self._send(200, {"access_token": em.wechat_token, "expires_in": 7200})

    def _wechat_summary(self, q: dict, body: dict) -> None:
        em = self.emulator
        self.emulator.requests.append(("wechat", self.command, urlsplit(self.path).path, body))
        fault = em._fault("wechat", 1)  # no paging: the page is the day

        def error(code: int, message: str):
            self._send(200, {"errcode": code, "errmsg": f"{message} rid: emulator"})

        if fault == "token_expired":
            em.wechat_token = None
            return error(42001, "access_token expired")
        if em.wechat_token is None or q.get("access_token") != em.wechat_token:
            return error(40001, "invalid credential, access_token is invalid or not latest")
        if fault == "quota":
            return error(45009, "reach max api daily quota limit")
        if fault == "rate_limit":
            return error(45011, "api minute-quota reach limit, must slower, retry next minute")
        if fault == "server_error":
            return error(-1, "system error")
        if fault == "error":
            return error(40097, "invalid args")
        if body.get("begin_date") != body.get("end_date"):
            return error(61501, "date range error")
        self._send(200, {"list": em.day_rows("wechat", em.creds.wechat_app_id, body["begin_date"])})
