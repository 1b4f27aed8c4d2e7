"""Landing files for the loader tests: the day they land on, the Ocean Engine export's header, and `land`."""

from __future__ import annotations

from pathlib import Path

from growthmart.contracts import get_contract

DAY = "2026-06-18"
OCEAN = get_contract("ocean_engine_ad_stats")
HEADER = "日期,账户ID,项目ID,项目名称,广告ID,广告名称,展示数,点击数,点击率(%),消耗(元),转化数,转化金额(元)"


def land(landing: Path, source: str, name: str, content: str | bytes, day: str = DAY) -> Path:
    """Write `content` (UTF-8 text or bytes as they are) to landing/<source>/<day>/<name>."""
    folder = landing / source / day
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return path
