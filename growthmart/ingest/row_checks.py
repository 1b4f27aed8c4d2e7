"""Every staged row typed once per batch, with why it must be quarantined; repeated primary keys marked."""

from __future__ import annotations

from growthmart.contracts import SourceContract
from growthmart.ingest.sql import cleaned, ident, literal, problem, typed


def type_batch(con, contract: SourceContract) -> None:
    """Type every staged row once for the whole batch, with why it is unacceptable ('' when it is fine).

    Each value is cleaned once (`__c<i>`), typed once (`__t<i>`), and the problems read both; the raw text
    of a bad row is packed only when it is quarantined (loader.py, `_write_partitions`).
    """
    cols = list(enumerate(contract.columns))
    clean = ", ".join(f"{cleaned(c)} as __c{i}" for i, c in cols)
    typed_cols = ", ".join(f"{typed(c, f'__c{i}')} as __t{i}" for i, c in cols)
    final = ", ".join(f"__t{i} as {ident(c.name)}" for i, c in cols)
    day = {contract.report_date_column: "_partition_date"}
    problems = ", ".join(problem(c, f"__c{i}", f"__t{i}", day.get(c.name)) for i, c in cols)
    nulls = ", ".join(f"null as {ident(c.name)}" for c in contract.columns)
    con.execute(
        f"""create or replace temp table _typed_all as
            with cleaned as (
                select {clean}, _source_file, _row_number, _partition_date from _stage_all
            ),
            typed as (select *, {typed_cols} from cleaned)
            select {final}, _source_file, _row_number, _partition_date,
                   concat_ws('; ', {problems}) as _reason, cast(null as varchar) as _raw_record
            from typed
            union all by name
            select {nulls}, _source_file, _row_number, _partition_date, reason as _reason,
                   raw_record as _raw_record
            from _rejects_all"""
    )


def mark_duplicate_keys(con, contract: SourceContract) -> None:
    """Later rows repeating a primary key within a partition are quarantined, naming the first one."""
    key = ", ".join(ident(k) for k in contract.primary_key)
    label = literal(f"duplicate key ({', '.join(contract.primary_key)}) of ")
    con.execute(
        f"""update _typed_all t set _reason = {label} || d.first_file || ' row ' || d.first_row
            from (
                select _source_file, _row_number,
                       first_value(_source_file) over w as first_file,
                       first_value(_row_number) over w as first_row,
                       row_number() over w as n
                from _typed_all where _reason = ''
                window w as (partition by _partition_date, {key} order by _source_file, _row_number)
            ) d
            where d.n > 1 and t._source_file = d._source_file and t._row_number = d._row_number"""
    )
