"""API pages in a landing day (growthmart/connectors/landing.py): which files they are, whether the day's pull
finished, and how their records map onto the source's contract columns (the connector spec's `ApiLanding`).

A day landed by a connector holds `api-<account>-p<NNNN>.json` pages and a `_SUCCESS` marker written last. The
loader reads such a day only when the marker lists exactly the pages present, with their sha256: a pull that
stopped between pages (no marker) or pages changed after it (a sha256 that differs) fail the load naming the day,
rather than load a day with pages missing. Each record is read through the spec's JSON paths, from the record or
from the page's request context kept in the marker (the advertiser id Ocean Engine rows do not repeat, the Meta
account's time zone), so the raw table is the same whether a day arrived as a file export or as API pages.
"""

from __future__ import annotations

from pathlib import Path

from growthmart.connectors.landing import MARKER, PAGE_GLOB, is_page, read_marker
from growthmart.connectors.spec import ApiLanding
from growthmart.connectors.specs import SPECS_BY_SOURCE
from growthmart.contracts import SourceContract
from growthmart.ingest.sql import ident, literal


class IncompleteDay(Exception):
    def __init__(self, path: Path, message: str):
        self.path = path
        super().__init__(message)


def api_landing(contract: SourceContract) -> ApiLanding | None:
    spec = SPECS_BY_SOURCE.get(contract.name)
    return spec.landing if spec else None


def page_files(folder: Path, contract: SourceContract) -> set[Path]:
    return set(Path(folder).glob(PAGE_GLOB)) if api_landing(contract) else set()


def is_api_page(contract: SourceContract, path: Path) -> bool:
    return api_landing(contract) is not None and is_page(path)


def day_contexts(folder: Path, pages: list[Path], digests: dict[Path, str]) -> dict[str, dict]:
    """{page path: its request context}, once the marker says the day's pull finished with exactly these pages."""
    marker = read_marker(folder)
    if marker is None:
        raise IncompleteDay(
            folder / MARKER,
            f"incomplete API pull: {len(pages)} page(s) but no completion marker {MARKER} (the pull stopped "
            "between pages); the next pull of this day lands it again",
        )
    listed = marker.get("pages", {})
    present = {p.name: p for p in pages}
    if set(listed) != set(present):
        raise IncompleteDay(
            folder / MARKER,
            f"the marker lists pages {sorted(set(listed) - set(present))} that are missing, or misses pages "
            f"{sorted(set(present) - set(listed))}",
        )
    for name, path in present.items():
        if listed[name].get("sha256") != digests[path]:
            raise IncompleteDay(
                path, "page changed after its pull completed (sha256 differs from the marker)"
            )
    return {str(path): listed[name].get("context") or {} for name, path in present.items()}


def records_select(landing: ApiLanding, files_sql: str) -> str:
    """SQL: (_path, _row_number, rec) of every record of the pages read by `files_sql` (a read_text list)."""
    return f"""with doc as (select filename as _path, cast(content as json) as j from read_text({files_sql})),
               arr as (select _path, cast(json_extract(j, {literal(landing.records_path)}) as json[]) as a from doc)
               select _path, generate_subscripts(a, 1) as _row_number, unnest(a) as rec from arr"""


def _expr(contract: SourceContract, landing: ApiLanding, name: str, alias: str) -> str:
    root, path = landing.path(name)
    fn = "json_extract" if contract.column(name).type == "json" else "json_extract_string"
    return f"{fn}({alias}.{root}, {literal(path)})"


def column_selects(contract: SourceContract, landing: ApiLanding, alias: str = "r") -> list[str]:
    """`<value> as "<column>"` per contract column, read from the record or the page's context."""
    return [f"{_expr(contract, landing, c.name, alias)} as {ident(c.name)}" for c in contract.columns]


def presence_counts(contract: SourceContract, landing: ApiLanding, alias: str = "r") -> list[str]:
    """Per contract column: how many records have a value at its path (missing columns are warned about)."""
    out = []
    for c in contract.columns:
        root, path = landing.path(c.name)
        out.append(f"count(*) filter (where json_exists({alias}.{root}, {literal(path)}))")
    return out
