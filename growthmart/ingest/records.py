"""JSON, JSON Lines and API-page landing files: records staged through their columns' JSON paths.

API pages: a connector's pages (growthmart/ingest/api_pages.py): records at the spec's records path, each
contract column read at its JSON path in the record or in the page's request context (`_api_ctx`, from the
day's marker).
"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb

from growthmart.contracts import SourceContract
from growthmart.ingest.api_pages import (
    IncompleteDay,
    api_landing,
    column_selects,
    day_contexts,
    is_api_page,
    presence_counts,
    records_select,
)
from growthmart.ingest.errors import LoadError
from growthmart.ingest.sql import ident, literal
from growthmart.ingest.staging import (
    FILE_COLUMN,
    FileByFile,
    create_rejects,
    file_list,
    file_literal,
    record_columns,
    require_columns,
    require_known_files,
)


def _json_path(key: str) -> str:
    return '$."' + key.replace('"', '\\"') + '"'


# Nested JSON records (Google Ads' REST rows): a column declaring `json_path` is read at that path, and the
# columns seen in a file are then the contract columns present (nested objects are not columns themselves).
def _column_path(c) -> str:
    return c.json_path or _json_path(c.name)


def _extract(rec: str, c) -> str:
    if c.json_path is None:  # the flat sources keep their original expression
        return f"{rec} {'->' if c.type == 'json' else '->>'} {literal(c.name)}"
    return f"{'json_extract' if c.type == 'json' else 'json_extract_string'}({rec}, {literal(c.json_path)})"


def _nested_roots(contract: SourceContract) -> set[str]:
    """Top-level record keys that hold nested columns ('customer' of '$.customer.id')."""
    return {c.json_path[2:].split(".")[0].split("[")[0] for c in contract.columns if c.json_path}


def _seen_names(contract: SourceContract, keys: list[str], have: set[str]) -> list[str]:
    roots = _nested_roots(contract)
    if not roots:
        return keys
    nested = {c.name for c in contract.columns if c.json_path}
    return sorted({k for k in keys if k not in roots} | (have & nested))


def _stage_json_records(con, contract: SourceContract, path: Path) -> None:
    """Stage JSON records (`records_sql` yields _row_number, rec json) as text into `_stage`."""
    present = con.execute(
        "select "
        + ", ".join(
            f"count(*) filter (where json_exists(rec, {literal(_column_path(c))}))" for c in contract.columns
        )
        + " from _records"
    ).fetchone()
    have = {c.name for c, n in zip(contract.columns, present, strict=True) if n}
    total = con.execute("select count(*) from _records").fetchone()[0]
    keys = con.execute("select distinct unnest(json_keys(rec)) from _records order by 1").fetchall()
    record_columns(con, path, _seen_names(contract, [k for (k,) in keys], have))
    if total:
        require_columns(contract, path, have)
    extracts = [f"{_extract('rec', c)} as {ident(c.name)}" for c in contract.columns]
    con.execute(
        f"create or replace temp table _stage as select {', '.join(extracts)}, _row_number from _records"
    )


def stage_json(con, contract: SourceContract, path: Path) -> None:
    try:
        con.execute(
            f"""create or replace temp table _records as
                with doc as (select cast(content as json) as j from read_text({file_literal(path)})),
                arr as (select cast(json_extract(j, {literal(contract.records_path or "$")}) as json[]) as a
                        from doc)
                select generate_subscripts(a, 1) as _row_number, unnest(a) as rec from arr"""
        )
    except duckdb.Error as exc:
        raise LoadError(
            contract.name,
            path,
            f"unparseable file: expected JSON with records at {contract.records_path} ({exc})",
        ) from exc
    _stage_json_records(con, contract, path)
    create_rejects(con, [])


# JSON Lines are read line by line as text: JSON text cannot hold a raw \x1f, so each line is one value and
# bad lines are kept (quarantined with their line number).
JSONL_LINE_OPTIONS = (
    "columns = {'line': 'VARCHAR'}, header = false, delim = '\x1f', quote = '', escape = '', "
    "auto_detect = false, strict_mode = false"
)


JSON_OBJECT_LINE = (
    "coalesce((case when json_valid(line) then json_type(cast(line as json)) end) = 'OBJECT', false)"
)


def stage_jsonl(con, contract: SourceContract, path: Path) -> None:
    try:
        con.execute(
            f"""create or replace temp table _lines as
                select row_number() over () as _row_number, line
                from read_csv({file_literal(path)}, {JSONL_LINE_OPTIONS})"""
        )
    except duckdb.Error as exc:
        raise LoadError(contract.name, path, f"unparseable file: {exc}") from exc
    con.execute(
        f"""create or replace temp table _records as
            select _row_number, cast(line as json) as rec from _lines
            where line is not null and {JSON_OBJECT_LINE}"""
    )
    _stage_json_records(con, contract, path)
    con.execute(
        f"""create or replace temp table _rejects as
            select _row_number, 'malformed JSON line: not a JSON object' as reason, line as raw_record
            from _lines
            where line is not null and trim(line) <> '' and not {JSON_OBJECT_LINE}"""
    )


def _batch_records(con, contract: SourceContract) -> None:
    """`_records_all` (_path, _row_number, rec) → `_stage_all`, once every file with records has the required keys."""
    required = [c for c in contract.columns if c.required]
    if required:
        has_all = " and ".join(
            f"count(*) filter (where json_exists(rec, {literal(_column_path(c))})) > 0" for c in required
        )
        incomplete = con.execute(
            f"select count(*) from (select {has_all} as ok from _records_all group by _path) where not ok"
        ).fetchone()[0]
        if incomplete:
            raise FileByFile
    require_known_files(con, "_records_all", "_path")
    roots = _nested_roots(contract)
    con.execute(
        "insert into _columns_seen select distinct _path, k from "
        "(select _path, unnest(json_keys(rec)) as k from _records_all) where not list_contains(?::varchar[], k)",
        [sorted(roots)],
    )
    for c in contract.columns:
        if c.json_path:
            con.execute(
                "insert into _columns_seen select distinct _path, ? from _records_all "
                f"where json_exists(rec, {literal(c.json_path)})",
                [c.name],
            )
    extracts = ", ".join(f"{_extract('r.rec', c)} as {ident(c.name)}" for c in contract.columns)
    con.execute(
        f"""insert into _stage_all by name
            select {extracts}, r._row_number, f._source_file, f._partition_date
            from _records_all r join _files f on f._path = r._path"""
    )


def batch_json(con, contract: SourceContract, paths: list[Path]) -> None:
    records_path = literal(contract.records_path or "$")
    con.execute(
        f"""create or replace temp table _records_all as
            with doc as (
                select filename as _path, cast(content as json) as j from read_text({file_list(paths)})
            ),
            arr as (select _path, cast(json_extract(j, {records_path}) as json[]) as a from doc)
            select _path, generate_subscripts(a, 1) as _row_number, unnest(a) as rec from arr"""
    )
    _batch_records(con, contract)


def batch_jsonl(con, contract: SourceContract, paths: list[Path]) -> None:
    con.execute(
        f"""create or replace temp table _lines_all as
            select {FILE_COLUMN} as _path,
                   _ordinal - min(_ordinal) over (partition by {FILE_COLUMN}) + 1 as _row_number,
                   line, line is not null and {JSON_OBJECT_LINE} as _is_object
            from (select row_number() over () as _ordinal, *
                  from read_csv({file_list(paths)}, {JSONL_LINE_OPTIONS}, filename = {literal(FILE_COLUMN)}))"""
    )
    con.execute(
        "create or replace temp table _records_all as "
        "select _path, _row_number, cast(line as json) as rec from _lines_all where _is_object"
    )
    _batch_records(con, contract)
    con.execute(
        """insert into _rejects_all
           select f._source_file, l._row_number, f._partition_date, 'malformed JSON line: not a JSON object',
                  l.line
           from _lines_all l join _files f on f._path = l._path
           where l.line is not null and trim(l.line) <> '' and not l._is_object"""
    )


def _api_joined(table: str) -> str:
    return f"(select r.*, c.ctx from {table} r left join _api_ctx c on c._path = r._path) r"


def _api_present(con, contract: SourceContract, table: str) -> dict[str, tuple[int, set[str]]]:
    """{page path: (records, the contract columns some record has)}."""
    landing = api_landing(contract)
    counts = presence_counts(contract, landing)
    rows = con.execute(
        f"select r._path, count(*), {', '.join(counts)} from {_api_joined(table)} group by 1"
    ).fetchall()
    return {
        row[0]: (row[1], {c.name for c, n in zip(contract.columns, row[2:], strict=True) if n})
        for row in rows
    }


def stage_api(con, contract: SourceContract, path: Path) -> None:
    landing = api_landing(contract)
    try:
        con.execute(
            f"create or replace temp table _records as select {literal(str(path))} as _path, _row_number, rec "
            f"from ({records_select(landing, file_literal(path))})"
        )
    except duckdb.Error as exc:
        raise LoadError(
            contract.name,
            path,
            f"unparseable file: expected an API page with records at {landing.records_path} ({exc})",
        ) from exc
    total, have = _api_present(con, contract, "_records").get(str(path), (0, set()))
    if total:
        require_columns(contract, path, have)
        record_columns(con, path, sorted(have))
    con.execute(
        f"create or replace temp table _stage as select {', '.join(column_selects(contract, landing))}, "
        f"r._row_number from {_api_joined('_records')}"
    )
    create_rejects(con, [])


def batch_api(con, contract: SourceContract, paths: list[Path]) -> None:
    landing = api_landing(contract)
    con.execute(f"create or replace temp table _api_records as {records_select(landing, file_list(paths))}")
    require_known_files(con, "_api_records", "_path")
    required = {c.name for c in contract.columns if c.required}
    for path, (total, have) in _api_present(con, contract, "_api_records").items():
        if total and required - have:
            raise FileByFile  # the file-by-file path names the file and column
        record_columns(con, path, sorted(have))
    con.execute(
        f"""insert into _stage_all by name
            select {", ".join(column_selects(contract, landing))}, r._row_number, f._source_file, f._partition_date
            from {_api_joined("_api_records")} join _files f on f._path = r._path"""
    )


def page_contexts(contract: SourceContract, landing_dir: Path, files: dict, digests: dict) -> dict[str, dict]:
    """{page path: its request context} of a batch's API pages, once each day's pull is known to be complete."""
    contexts: dict[str, dict] = {}
    for day, day_files in files.items():
        pages = [p for p in day_files if is_api_page(contract, p)]
        if pages:
            try:
                contexts |= day_contexts(landing_dir / contract.name / day, pages, digests)
            except IncompleteDay as exc:
                raise LoadError(contract.name, exc.path, str(exc)) from None
    return contexts


def api_contexts(con, contexts: dict[str, dict]) -> None:
    """`_api_ctx` (_path, ctx): each API page's request context (`page_contexts`)."""
    con.execute(
        "create or replace temp table _api_ctx as "
        "select unnest(?::varchar[]) as _path, cast(unnest(?::varchar[]) as json) as ctx",
        [list(contexts), [json.dumps(c) for c in contexts.values()]],
    )
