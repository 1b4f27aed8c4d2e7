"""Superset's configuration for the growthmart dashboard (SUPERSET_CONFIG_PATH points here; tools/superset/manage.py
sets it). Read by Superset in its own environment (.venv-bi), so it imports nothing from growthmart.

Secrets come only from the environment, never from this file: SUPERSET_SECRET_KEY (signs sessions and encrypts the
stored database passwords). Superset's own metadata (users, charts, the dashboard) is a sqlite file in
GROWTHMART_SUPERSET_HOME, which manage.py sets to <GROWTHMART_DATA_DIR>/superset.
"""

import os
from pathlib import Path

_home = Path(os.environ["GROWTHMART_SUPERSET_HOME"])
_home.mkdir(parents=True, exist_ok=True)

SECRET_KEY = os.environ["SUPERSET_SECRET_KEY"]
SQLALCHEMY_DATABASE_URI = f"sqlite:///{_home / 'superset.db'}"
DATA_DIR = str(_home)

# One process on 127.0.0.1 for the team or a test: no Celery, no Redis; query results cached in the metadata DB.
CACHE_CONFIG = {"CACHE_TYPE": "SupersetMetastoreCache", "CACHE_DEFAULT_TIMEOUT": 300}
DATA_CACHE_CONFIG = CACHE_CONFIG
# Every chart of the dashboard is drawn when it opens (no lazy loading below the fold): the screenshot and a
# reader scrolling a printout see all of it.
FEATURE_FLAGS = {"DASHBOARD_VIRTUALIZATION": False}
# Served over plain HTTP on the loopback address (manage.py serve; TLS belongs to a proxy in front). The page may
# load nothing from outside: Superset's default policy allows a telemetry pixel, map tiles and web fonts, which
# this dashboard does not use and which a reader's browser would otherwise fetch from the internet.
TALISMAN_ENABLED = True
TALISMAN_CONFIG = {
    "content_security_policy": {
        "base-uri": ["'self'"],
        "default-src": ["'self'"],
        "img-src": ["'self'", "blob:", "data:"],
        "worker-src": ["'self'", "blob:"],
        "connect-src": ["'self'"],
        "object-src": "'none'",
        "style-src": ["'self'", "'unsafe-inline'"],
        "font-src": ["'self'", "data:"],
        "script-src": ["'self'", "'strict-dynamic'"],
    },
    "content_security_policy_nonce_in": ["script-src"],
    "force_https": False,
    "session_cookie_secure": False,
}
SESSION_COOKIE_SECURE = False
BABEL_DEFAULT_LOCALE = "zh"
LANGUAGES = {"zh": {"flag": "cn", "name": "简体中文"}, "en": {"flag": "us", "name": "English"}}
SQLLAB_TIMEOUT = 60
SUPERSET_WEBSERVER_TIMEOUT = 60
