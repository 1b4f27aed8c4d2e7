"""The API connectors, one spec module per platform; a new platform adds its module here."""

from __future__ import annotations

from growthmart.connectors.spec import ConnectorSpec
from growthmart.connectors.specs import (
    baidu,
    google_ads,
    meta,
    ocean_engine,
    tencent_ads,
    wechat,
    xiaohongshu,
)

SPECS: tuple[ConnectorSpec, ...] = (
    ocean_engine.SPEC,
    tencent_ads.SPEC,
    baidu.SPEC,
    meta.SPEC,
    xiaohongshu.SPEC,
    google_ads.SPEC,
    wechat.SPEC,
)
SPECS_BY_SOURCE: dict[str, ConnectorSpec] = {s.source: s for s in SPECS}
