"""Great Expectations' rendered pages made offline, for the Data Docs site (growthmart/quality/data_docs.py).

GX's pages load Bootstrap, jQuery, Font Awesome and Vega from CDNs; the package ships none of them. So every
remote script, stylesheet, image and link is removed from a page, its links are pointed at the site's own
index and static folder, and two files shipped with this package stand in for what was removed:
`static/bootstrap_stand_in.css` (the Bootstrap classes GX's pages use, and the index's styles; appended to GX's own
local stylesheet) and `static/failed_only_filter.js` (the "Failed only" filter, without jQuery).
"""

from __future__ import annotations

import functools
import re
from importlib.resources import files
from pathlib import Path

STATIC = files("growthmart.quality") / "static"  # package data (pyproject: tool.setuptools.package-data)
GX_IMAGES = ("logo-long.png", "favicon.ico")  # copied from GX's static folder into the site's

_REMOTE_TAG = re.compile(
    r"<script\b[^>]*\bsrc=\"https?://[^\"]*\"[^>]*>\s*</script>|<link\b[^>]*\bhref=\"https?://[^\"]*\"[^>]*/?>",
    re.I,
)
_INLINE_SCRIPT = re.compile(r"<script\b[^>]*>.*?</script>", re.I | re.S)
_REMOTE_URL_IN_CSS = re.compile(r"url\(\s*['\"]?https?://[^)]*\)", re.I)
_REMOTE_IMG = re.compile(r"(<img\b[^>]*\bsrc=)\"https?://[^\"]*\"", re.I)
_REMOTE_HREF = re.compile(r"\s(href)=\"https?://[^\"]*\"", re.I)
_LEFTOVER_URL = re.compile(r"https?://[^\s\"'<>)]+", re.I)
_UP_INDEX = re.compile(r"\"(?:\.\./)+index\.html\"")
_UP_STATIC = re.compile(r"\"(?:\.\./)+static/")
_UP_SUITE = re.compile(r"\"(?:\.\./)+expectations/[^\"]*\"")


def gx_static() -> Path:
    import great_expectations

    return Path(great_expectations.__file__).parent / "render" / "view" / "static"


def site_css() -> str:
    """The site's stylesheet: GX's own, without its remote fonts and images, then the stand-in for Bootstrap."""
    gx_css = (gx_static() / "styles" / "data_docs_default_styles.css").read_text(encoding="utf-8")
    local = (STATIC / "bootstrap_stand_in.css").read_text(encoding="utf-8")
    return _REMOTE_URL_IN_CSS.sub("none", gx_css) + "\n" + local


@functools.cache
def _filter_script() -> str:
    return "<script>\n" + (STATIC / "failed_only_filter.js").read_text(encoding="utf-8") + "</script>"


def offline(page: str) -> str:
    """GX's page without anything fetched from the network, pointing at the site's local stylesheet."""
    page = _REMOTE_TAG.sub("", page)
    page = _INLINE_SCRIPT.sub("", page)  # jQuery/Bootstrap calls that would fail without the libraries
    page = _REMOTE_URL_IN_CSS.sub("none", page)
    page = _REMOTE_IMG.sub(r'\1"../../static/images/logo-long.png"', page)
    page = _REMOTE_HREF.sub("", page)
    page = _UP_INDEX.sub('"../../index.html"', page)
    page = _UP_STATIC.sub('"../../static/', page)
    page = _UP_SUITE.sub('"../../index.html"', page)
    page = _LEFTOVER_URL.sub("", page)
    head = '<link rel="stylesheet" href="../../static/data_docs.css">\n' + _filter_script() + "\n</head>"
    return page.replace("</head>", head, 1)
