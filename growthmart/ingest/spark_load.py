"""The loader on Spark (issue 15): a batch's landing files read by Spark into the same staged text tables as
DuckDB's (contract columns as text, `_source_file`, `_row_number`, `_partition_date`; rejected lines apart),
then judged by the shared loader (loader.py) and written to Parquet tables partitioned by day.

Reading, per format (the rules are csv_reader.py's and records.py's; only the reading differs):
- CSV: each file's header is checked in Python (`_csv_header`, as on DuckDB); Spark reads the files whole and
  splits them into physical lines, so a record's row number is its line. A file with one record per line
  (`_csv_layout`) whose every line has the header's number of fields is parsed by Spark (`from_csv`); any
  other file — an open quote, a blank line, a line with too many or too few fields, not UTF-8 — is split by
  csv_reader's Python rule (`_split_csv`) on the driver: such files are small and rare. The reason a
  malformed line is quarantined for is then the Python rule's wording; DuckDB words the lines its own reader
  rejects in a one-record-per-line file itself ("TOO MANY COLUMNS" in both).
- JSON: the document's records at the contract's records path, numbered from 1; JSON Lines: one object per
  physical line, other non-blank lines rejected. Columns are read at their JSON paths (`get_json_object`).
- Parquet: each file's columns rendered as text (session time zone UTC), numbered by row index.
- API pages (connector pulls) are not read on Spark yet: such a day fails with NotImplementedError.

A file-level failure raises the LoadError the DuckDB loader raises (the first failing file of the batch).

Known differences from DuckDB, none met by the demo or the bad-file classes (tests/spark pins the rest):
- a malformed line of a one-record-per-line CSV is quarantined with the Python rule's reason, not DuckDB's
  reader's (same line, same row number);
- a value of a `json` column that is a JSON string reads without its quotes (`get_json_object`); JSON that is
  not standard (DuckDB takes NaN/Infinity, Spark a scalar followed by more text) is judged differently;
- a nested column (`json_path`) present with a null value counts as missing for the column warnings;
- a double in a Parquet file of very large or small magnitude keeps another spelling in a quarantined row's
  raw text (`_as_text`);
- a landing path with glob characters (`*?[{`) is not read literally (Spark expands them).

Writing: a day is replaced by dropping its partition of `raw.<source>` and of the bookkeeping tables (these
partitioned by source and day) and inserting the batch; the checks all run before the first write, so a
LoadError leaves every table as it was. Unlike DuckDB's one transaction, a crash between the drop and the
insert leaves the day empty until the next load (idempotent) rewrites it.
"""

from __future__ import annotations

from pathlib import Path

from growthmart.contracts import SourceContract
from growthmart.ingest.csv_reader import _csv_header, _csv_layout, _split_csv
from growthmart.ingest.dialect import SPARK
from growthmart.ingest.errors import LoadError
from growthmart.ingest.loader import Engine, bookkeeping_rows, loaded_rows_select, quarantine_select
from growthmart.ingest.records import _nested_roots, _seen_names
from growthmart.ingest.sql import BOOKKEEPING_TABLES, bookkeeping_ddl, raw_table_ddl, raw_table_upgrade_ddl
from growthmart.ingest.staging import require_columns

D = SPARK
TEXT = "string"


def ensure_raw_tables(con, contract: SourceContract) -> None:
    for ddl in bookkeeping_ddl(D):
        con.execute(ddl)
    con.execute(raw_table_ddl(contract, D))
    have = set(con.spark.table(f"raw.{D.ident(contract.name)}").columns)
    for ddl in raw_table_upgrade_ddl(contract, have, D):
        con.execute(ddl)


# ------------------------------------------------------------------------------------------------ staging
def _with_paths(spark, df, paths: list[Path]):
    """`df` (read from `paths`) with `_path`: each row's file as the loader names it.

    Spark names a file by an escaped URI, `file:/...` in `_metadata.file_path` and `file:///...` in
    `inputFiles()` (which lists them without running a job): they are matched on the URI's path.
    """
    from urllib.parse import unquote, urlparse

    from pyspark.sql import functions as F

    ours = {str(Path(p).absolute()): str(p) for p in paths}
    pairs = [(urlparse(uri).path, ours.get(unquote(urlparse(uri).path))) for uri in df.inputFiles()]
    missing = [uri for uri, p in pairs if p is None]
    if missing or len(pairs) != len(ours):
        raise RuntimeError(f"Spark read files the batch does not name, or not all of them: {missing}")
    files = spark.createDataFrame(pairs, "_uri string, _path string")
    uri = F.regexp_replace(F.col("_metadata.file_path"), "^file:/*", "/")
    return df.withColumn("_uri", uri).join(F.broadcast(files), "_uri").drop("_uri")


def _lines(spark, paths: list[Path]):
    """(_path, _line, line) of every physical line of `paths` (1-based; a final newline ends the last line)."""
    from pyspark.sql import functions as F

    text = _with_paths(spark, spark.read.text([str(p) for p in paths], wholetext=True), paths)
    parts = F.split("value", "\n", -1)
    exploded = text.select("_path", F.size(parts).alias("_n"), F.posexplode(parts).alias("_pos", "line"))
    return exploded.where(~((F.col("_pos") == F.col("_n") - 1) & (F.col("line") == ""))).select(
        "_path", (F.col("_pos") + 1).alias("_line"), F.regexp_replace("line", "\r$", "").alias("line")
    )


class _Batch:
    """What the stagers gather: staged and rejected DataFrames, the columns each file has, file errors."""

    def __init__(self, spark, contract: SourceContract, entries):
        self.spark, self.contract = spark, contract
        self.where = {str(p): (rel, day) for p, rel, day in entries}
        self.order = [str(p) for p, _, _ in entries]
        self.staged, self.rejects, self.seen, self.errors = [], [], [], {}

    def files_df(self):
        rows = [(p, rel, day) for p, (rel, day) in self.where.items()]
        return self.spark.createDataFrame(rows, "_path string, _source_file string, _day string").selectExpr(
            "_path", "_source_file", "cast(_day as date) as _partition_date"
        )

    def add_staged(self, df, present: set[str]) -> None:
        """`df`: _path, _row_number and the contract columns in `present` (text)."""
        cols = [
            f"{D.ident(c.name)}" if c.name in present else f"cast(null as {TEXT}) as {D.ident(c.name)}"
            for c in self.contract.columns
        ]
        self.staged.append(
            df.join(self.files_df(), "_path").selectExpr(
                *cols, "cast(_row_number as bigint) as _row_number", "_source_file", "_partition_date"
            )
        )

    def add_rejects(self, df) -> None:
        """`df`: _path, _row_number, reason, raw_record."""
        self.rejects.append(
            df.join(self.files_df(), "_path").selectExpr(
                "_source_file",
                "cast(_row_number as bigint) as _row_number",
                "_partition_date",
                "reason",
                "raw_record",
            )
        )

    def add_seen(self, path: str, names) -> None:
        self.seen += [(path, n) for n in names]


def _csv(batch: _Batch, paths: list[Path]) -> None:
    from pyspark.sql import functions as F

    contract, spark = batch.contract, batch.spark
    by_header: dict[tuple[str, ...], list[Path]] = {}
    split: list[tuple[Path, list[str]]] = []
    for path in paths:
        try:
            header = _csv_header(contract, path)
        except LoadError as exc:
            batch.errors[str(path)] = exc
            continue
        batch.add_seen(str(path), header)
        layout = _csv_layout(path)
        try:
            path.read_bytes().decode("utf-8")
        except UnicodeDecodeError:
            layout.simple = False
        if layout.simple:
            by_header.setdefault(tuple(header), []).append(path)
        else:
            split.append((path, header))
    for header, group in by_header.items():
        width = len(header)
        lines = _lines(spark, group).where("_line > 1 and line <> ''")
        # fields outside quotes: a line with balanced quotes minus its quoted stretches
        fields = F.size(F.split(F.regexp_replace("line", '"[^"]*"', ""), ",", -1))
        lines = lines.withColumn("_fields", fields).cache()
        odd = {r[0] for r in lines.where(F.col("_fields") != width).select("_path").distinct().collect()}
        split += [(p, list(header)) for p in group if str(p) in odd]
        schema = ", ".join(f"c{i} string" for i in range(width))
        parsed = lines.where(~F.col("_path").isin(list(odd))).select(
            "_path",
            F.col("_line").alias("_row_number"),
            F.from_csv("line", schema, {"sep": ",", "quote": '"', "escape": '"', "mode": "PERMISSIVE"}).alias(
                "r"
            ),
        )
        present = set(header) & set(contract.column_names)
        batch.add_staged(
            parsed.select(
                "_path", "_row_number", *(F.col(f"r.c{header.index(n)}").alias(n) for n in present)
            ),
            present,
        )
    for path, header in split:
        records, rejects = _split_csv(path, len(header))
        present = [h for h in header if h in contract.column_names]
        idx = [header.index(h) for h in present]
        schema = ", ".join(["_path string", "_row_number bigint", *(f"{D.ident(h)} string" for h in present)])
        rows = [(str(path), line, *(fields[i] for i in idx)) for line, fields in records]
        batch.add_staged(spark.createDataFrame(rows, schema), set(present))
        if rejects:
            batch.add_rejects(
                spark.createDataFrame(
                    [(str(path), *r) for r in rejects],
                    "_path string, _row_number bigint, reason string, raw_record string",
                )
            )


def _flat_path(name: str) -> str:
    return "$['" + name + "']"


def _records(batch: _Batch, records, paths: list[Path]) -> None:
    """`records` (_path, _row_number, rec): the columns each file has, required ones checked, then staged."""
    from pyspark.sql import functions as F

    contract = batch.contract
    records = records.cache()
    roots = _nested_roots(contract)
    keys = F.json_object_keys("rec")
    has = {
        c.name: (
            F.get_json_object("rec", c.json_path).isNotNull()
            if c.json_path
            else F.array_contains(keys, c.name)
        )
        for c in contract.columns
    }
    per_file = records.groupBy("_path").agg(
        F.count("*").alias("n"),
        F.array_sort(F.array_distinct(F.flatten(F.collect_list(F.coalesce(keys, F.array()))))).alias("keys"),
        *(F.max(F.when(v, 1).otherwise(0)).alias(f"h{i}") for i, v in enumerate(has.values())),
    )
    for row in per_file.collect():
        have = {c.name for i, c in enumerate(contract.columns) if row[f"h{i}"]}
        path = Path(row["_path"])
        batch.add_seen(
            row["_path"],
            _seen_names(contract, [k for k in row["keys"] if k not in roots] if roots else row["keys"], have),
        )
        if row["n"]:
            try:
                require_columns(contract, path, have)
            except LoadError as exc:
                batch.errors.setdefault(row["_path"], exc)
    extracts = [
        F.get_json_object("rec", c.json_path or _flat_path(c.name)).alias(c.name) for c in contract.columns
    ]
    batch.add_staged(records.select("_path", "_row_number", *extracts), set(contract.column_names))


def _json(batch: _Batch, paths: list[Path]) -> None:
    from pyspark.sql import functions as F

    contract, spark = batch.contract, batch.spark
    docs = (
        _with_paths(spark, spark.read.text([str(p) for p in paths], wholetext=True), paths)
        .select("_path", "value", F.get_json_object("value", contract.records_path or "$").alias("_at"))
        .cache()
    )
    checks = docs.select(
        "_path",
        F.expr("try_parse_json(value) is not null").alias("valid"),
        F.expr("_at is null or _at like '[%'").alias("array_or_none"),
    ).collect()
    for path, valid, array in checks:
        if not (valid and array):
            why = "not valid JSON" if not valid else "not an array of records there"
            batch.errors[path] = LoadError(
                contract.name,
                path,
                f"unparseable file: expected JSON with records at {contract.records_path} ({why})",
            )
    bad = list(batch.errors)
    records = docs.where(~F.col("_path").isin(bad)).select(
        "_path", F.posexplode(F.from_json("_at", "array<string>")).alias("_pos", "rec")
    )
    _records(batch, records.select("_path", (F.col("_pos") + 1).alias("_row_number"), "rec"), paths)


def _jsonl(batch: _Batch, paths: list[Path]) -> None:
    from pyspark.sql import functions as F

    lines = (
        _lines(batch.spark, paths)
        .where("line <> ''")
        .withColumn(
            "_is_object", F.expr("try_parse_json(line) is not null and json_object_keys(line) is not null")
        )
    )
    lines = lines.cache()
    _records(
        batch,
        lines.where("_is_object").select(
            "_path", F.col("_line").alias("_row_number"), F.col("line").alias("rec")
        ),
        paths,
    )
    batch.add_rejects(
        lines.where("not _is_object and trim(line) <> ''").select(
            "_path",
            F.col("_line").alias("_row_number"),
            F.lit("malformed JSON line: not a JSON object").alias("reason"),
            F.col("line").alias("raw_record"),
        )
    )


def _parquet(batch: _Batch, paths: list[Path]) -> None:
    from pyspark.sql import functions as F

    contract, spark = batch.contract, batch.spark
    for path in paths:
        try:
            df = spark.read.parquet(str(path))
            have = set(df.columns)
        except Exception as exc:  # noqa: BLE001 - Spark's analysis errors have no common base in pyspark
            batch.errors[str(path)] = LoadError(
                contract.name, path, f"unparseable file: not a Parquet file ({exc})"
            )
            continue
        batch.add_seen(str(path), sorted(have))
        try:
            require_columns(contract, path, have)
        except LoadError as exc:
            batch.errors[str(path)] = exc
            continue
        present = have & set(contract.column_names)
        batch.add_staged(
            df.select(
                F.lit(str(path)).alias("_path"),
                (F.col("_metadata.row_index") + 1).alias("_row_number"),
                *(_as_text(df, n).alias(n) for n in present),
            ),
            present,
        )


def _as_text(df, name: str):
    """A Parquet column as text, as DuckDB renders it: an instant (a UTC-adjusted timestamp) with its offset
    '+00' (the session is UTC). Doubles of very large or small magnitude are spelled differently ('1.0E20' for
    DuckDB's '1e+20'): the same value once typed, only a quarantined row's raw text shows it."""
    from pyspark.sql import functions as F
    from pyspark.sql.types import TimestampType

    col = F.col(f"`{name}`")
    if isinstance(df.schema[name].dataType, TimestampType):
        return F.concat(col.cast("string"), F.lit("+00"))
    return col.cast("string")


def stage_batch(con, contract: SourceContract, entries: list[tuple[Path, str, str]], contexts: dict) -> None:
    """`_stage_all`, `_rejects_all` and `_columns_seen` of a batch, as batch.stage_batch makes them on DuckDB."""
    from growthmart.ingest.api_pages import is_api_page

    if contexts or any(is_api_page(contract, p) for p, _, _ in entries):
        raise NotImplementedError(f"{contract.name}: API pages are not read on Spark yet")
    spark = con.spark
    _drop_scratch(con)
    batch = _Batch(spark, contract, entries)
    parquet = [p for p, _, _ in entries if p.suffix == ".parquet"]
    native = [p for p, _, _ in entries if p.suffix != ".parquet"]
    if parquet:
        _parquet(batch, parquet)
    if native:
        {"csv": _csv, "json": _json, "jsonl": _jsonl}[contract.format](batch, native)
    for path in batch.order:  # the first failing file, as DuckDB's file-by-file staging meets it
        if path in batch.errors:
            raise batch.errors[path]
    text_cols = ", ".join(f"{D.ident(c.name)} {TEXT}" for c in contract.columns)
    stage = spark.createDataFrame(
        [], f"{text_cols}, _row_number bigint, _source_file string, _partition_date date"
    )
    for df in batch.staged:
        stage = stage.unionByName(df)
    rejects = spark.createDataFrame(
        [], "_source_file string, _row_number bigint, _partition_date date, reason string, raw_record string"
    )
    for df in batch.rejects:
        rejects = rejects.unionByName(df)
    stage.createOrReplaceTempView("_stage_src")
    rejects.createOrReplaceTempView("_rejects_src")
    spark.createDataFrame(sorted(set(batch.seen)), "_path string, name string").createOrReplaceTempView(
        "_columns_seen"
    )
    for statement in [
        *D.scratch_table("_stage_all", "select * from _stage_src"),
        *D.scratch_table("_rejects_all", "select * from _rejects_src"),
    ]:
        con.execute(statement)


# ------------------------------------------------------------------------------------------------ writing
def _drop_days(con, table: str, days: list[str], source: str | None) -> None:
    if source is None:
        specs = [f"partition (_partition_date = {D.literal(d)})" for d in days]
    else:
        specs = [f"partition (source = {D.literal(source)}, partition_date = {D.literal(d)})" for d in days]
    con.execute(f"alter table {table} drop if exists {', '.join(specs)}")


_BIGINT = {"row_number", "rows_landed", "rows_loaded", "rows_quarantined"}


def _insert_rows(con, table: str, rows: list[tuple], run_id, now_column: str) -> None:
    """Rows of a bookkeeping table (every column but the time stamp and the run id, in declared order)."""
    if not rows:
        return
    cols = [c for c, _, _ in BOOKKEEPING_TABLES[table]]
    given = [c for c in cols if c not in (now_column, "run_id")]
    schema = ", ".join(f"{c} {'bigint' if c in _BIGINT else 'string'}" for c in given)
    con.spark.createDataFrame([tuple(r) for r in rows], schema).createOrReplaceTempView("_bookkeeping_rows")
    values = ", ".join("cast(partition_date as date)" if c == "partition_date" else c for c in given)
    con.execute(
        f"insert into raw.{table} ({', '.join(cols)}) select {values}, {D.now}, ? from _bookkeeping_rows",
        [run_id],
    )


def write_partitions(con, contract: SourceContract, days: list[str], run_id, results) -> None:
    table = f"raw.{D.ident(contract.name)}"
    _drop_days(con, table, days, None)
    for name in BOOKKEEPING_TABLES:
        _drop_days(con, f"raw.{name}", days, contract.name)
    # each insert is a Spark job: skipped when the batch has nothing for it
    if any(r.rows_loaded for r in results):
        cols, select = loaded_rows_select(contract, D)
        con.execute(f"insert into {table} ({cols}) {select}")
    if any(r.rows_quarantined for r in results):
        quarantine_cols = ", ".join(c for c, _, _ in BOOKKEEPING_TABLES["quarantine_rows"])
        con.execute(
            f"insert into raw.quarantine_rows ({quarantine_cols}) {quarantine_select(contract, D)}",
            [contract.name, run_id],
        )
    log, warnings = bookkeeping_rows(results)
    _insert_rows(con, "load_log", log, run_id, "loaded_at")
    _insert_rows(con, "load_warnings", warnings, run_id, "warned_at")


def _drop_scratch(con) -> None:
    """The previous batch's temp views, dependants first (a view of a replaced one could not be analysed any
    more); they stay cached until the next batch (the loader reads `_typed_all` after writing)."""
    for scratch in ("_typed_all", "_typed_rows", "_stage_all", "_rejects_all"):
        con.execute(f"drop view if exists {scratch}")


SPARK_ENGINE = Engine(ensure_raw_tables, stage_batch, write_partitions)
