"""Writing demo files into the landing layout `<landing>/<source>/<YYYY-MM-DD>/demo_*`, idempotently."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from pathlib import Path

DEMO_PREFIX = "demo_"


def clear_demo_files(landing_dir: Path, source: str, dates: Iterable[str]) -> int:
    """Remove the demo files (and only those) a previous run wrote for these days; returns how many."""
    removed = 0
    for date in dates:
        folder = landing_dir / source / date
        if not folder.is_dir():
            continue
        for f in sorted(folder.glob(f"{DEMO_PREFIX}*")):
            if f.is_file():
                f.unlink()
                removed += 1
    return removed


def render(header: list[str], fmt: str, payload) -> tuple[bytes, int]:
    """File bytes and record count. UI exports (csv_ui*) use CRLF line ends; csv_ui_bom adds a UTF-8 BOM."""
    if fmt.startswith("csv"):
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\r\n" if fmt.startswith("csv_ui") else "\n")
        writer.writerow(header)
        writer.writerows(["" if v is None else v for v in row] for row in payload)
        bom = "\ufeff" if fmt == "csv_ui_bom" else ""
        return (bom + buf.getvalue()).encode("utf-8"), len(payload)
    if fmt == "json":
        data = payload[
            "data"
        ]  # Tencent: {"list": [...], ...}; Xiaohongshu: {"data_list": [...]}; Meta: [...]
        records = (data["list"] if "list" in data else data["data_list"]) if isinstance(data, dict) else data
        text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
        return text.encode("utf-8"), len(records)
    if fmt == "json_results":  # Google Ads googleAds:search: {"results": [...], "fieldMask": ...}
        text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
        return text.encode("utf-8"), len(payload["results"])
    if fmt == "json_list":  # WeChat datacube: {"list": [...]}
        text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
        return text.encode("utf-8"), len(payload["list"])
    if fmt == "jsonl":
        return "".join(line + "\n" for line in payload).encode("utf-8"), len(payload)
    raise ValueError(f"unknown format {fmt!r}")


def write_file(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
