"""Every staged row typed once per batch, with why it must be quarantined; repeated primary keys marked.

Each statement is written once for every engine (dialect.py spells the differences).
"""

from __future__ import annotations

from growthmart.contracts import SourceContract
from growthmart.ingest.dialect import dialect_of
from growthmart.ingest.sql import cleaned, problem, typed


def _run(con, statements: list[str]) -> None:
    for statement in statements:
        con.execute(statement)


def type_batch(con, contract: SourceContract) -> None:
    """Type every staged row once for the whole batch, with why it is unacceptable ('' when it is fine).

    Each value is cleaned once (`__c<i>`), typed once (`__t<i>`), and the problems read both; the raw text
    of a bad row is packed only when it is quarantined (loader.py, `_write_partitions`).
    """
    d = dialect_of(con)
    cols = list(enumerate(contract.columns))
    clean = ", ".join(f"{cleaned(c, d)} as __c{i}" for i, c in cols)
    typed_cols = ", ".join(f"{typed(c, f'__c{i}', d)} as __t{i}" for i, c in cols)
    final = ", ".join(f"__t{i} as {d.ident(c.name)}" for i, c in cols)
    day = {contract.report_date_column: "_partition_date"}
    problems = ", ".join(problem(c, f"__c{i}", f"__t{i}", day.get(c.name), d) for i, c in cols)
    nulls = ", ".join(f"cast(null as {d.types[c.type]}) as {d.ident(c.name)}" for c in contract.columns)
    _run(
        con,
        d.scratch_table(
            "_typed_rows",
            f"""with cleaned as (
                select {clean}, _source_file, _row_number, _partition_date from _stage_all
            ),
            typed as (select *, {typed_cols} from cleaned)
            select {final}, _source_file, _row_number, _partition_date,
                   concat_ws('; ', {problems}) as _reason, cast(null as {d.text}) as _raw_record
            from typed
            union all
            select {nulls}, _source_file, _row_number, _partition_date, reason as _reason,
                   raw_record as _raw_record
            from _rejects_all""",
            reused=False,  # read once, by mark_duplicate_keys
        ),
    )


def mark_duplicate_keys(con, contract: SourceContract) -> None:
    """Later rows repeating a primary key within a partition are quarantined, naming the first one.

    `_typed_rows` (type_batch) becomes `_typed_all`: a good row whose key an earlier good row of its partition
    has (by file, then row) gets the reason.
    """
    d = dialect_of(con)
    key = ", ".join(d.ident(k) for k in contract.primary_key)
    label = d.literal(f"duplicate key ({', '.join(contract.primary_key)}) of ")
    columns = ", ".join(d.ident(c.name) for c in contract.columns)
    _run(
        con,
        d.scratch_table(
            "_typed_all",
            f"""select {columns}, _source_file, _row_number, _partition_date,
                   case when _reason = '' and row_number() over w > 1
                        then {label} || first_value(_source_file) over w || ' row '
                             || cast(first_value(_row_number) over w as {d.text})
                        else _reason end as _reason,
                   _raw_record
            from _typed_rows
            window w as (partition by _partition_date, {key}, _reason = '' order by _source_file, _row_number)""",
        ),
    )
