"""Run-time settings, read from environment variables (each named once, here).

Nothing is read at import time: call `settings()` where a value is needed.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

DATA_DIR_VAR = "GROWTHMART_DATA_DIR"  # feeds the Dagster resources and the dbt profile alike
# Which engine runs the pipeline (issue 15, docs/spark.md): duckdb (the default) or spark. Read here only; the
# Dagster warehouse resource carries it to every asset.
ENGINE_VAR = "GROWTHMART_ENGINE"
ENGINES = ("duckdb", "spark")
TIMEZONE_VAR = "GROWTHMART_TIMEZONE"
START_DATE_VAR = "GROWTHMART_START_DATE"  # first daily partition
DUCKDB_THREADS_VAR = "GROWTHMART_DUCKDB_THREADS"  # default: every core
DUCKDB_MEMORY_LIMIT_VAR = "GROWTHMART_DUCKDB_MEMORY_LIMIT"  # default: half the machine's RAM
DUCKDB_TEMP_DIR_VAR = "GROWTHMART_DUCKDB_TEMP_DIR"  # default: <data>/tmp, where DuckDB spills
# Set for the pipeline's dbt only (dbt_profile_env): the warehouse and spill folder relative to the data directory.
DBT_WAREHOUSE_VAR = "GROWTHMART_DBT_WAREHOUSE"
DBT_TEMP_DIR_VAR = "GROWTHMART_DBT_TEMP_DIR"
REPORT_LANG_VAR = "GROWTHMART_REPORT_LANG"  # zh | en: labels of the HTML reports
SENTIMENT_SCORER_VAR = "GROWTHMART_SENTIMENT_SCORER"  # growthmart/sentiment/scorers.py SCORERS
# Alerts (growthmart/alerts): apprise URLs of the channels (secrets: never logged, never in run metadata), and
# where people open the HTML reports (the alerts' links; default: the local published/reports/ path).
ALERT_URLS_VAR = "GROWTHMART_ALERT_URLS"
REPORT_BASE_URL_VAR = "GROWTHMART_REPORT_BASE_URL"
# The PostgreSQL publication (growthmart/publish_pg.py) for BI on other hosts: a libpq DSN (a secret: never logged,
# never in run metadata); unset, only the DuckDB publication is written.
PG_DSN_VAR = "GROWTHMART_PG_DSN"
DEFAULT_TIMEZONE = "Asia/Shanghai"
DEFAULT_START_DATE = "2026-01-01"

# Who may read what (issue 10). The warehouse, its WAL, DuckDB's spill files, the landing files and the GE
# validations hold user-level raw rows: owner only. A run works under PRIVATE_UMASK, so whatever it creates
# (a WAL dbt opens included) is owner-only; the publication (data/published/) is for BI readers in the owner's
# group and is made group-readable explicitly; nobody else reads anything.
PRIVATE_UMASK = 0o077
PRIVATE_FILE_MODE = 0o600
PRIVATE_DIR_MODE = 0o700
SHARED_FILE_MODE = 0o640
SHARED_DIR_MODE = 0o750


def _half_of_ram() -> str:
    """Half the physical memory, as DuckDB spells sizes: a run spills to disk before the box runs out."""
    try:
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return "4GB"
    return f"{max(1, total // 2 // 2**30)}GB"


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    timezone: str
    start_date: str
    duckdb_threads: int
    duckdb_memory_limit: str
    duckdb_temp_dir: Path
    report_lang: str = "zh"
    engine: str = "duckdb"

    @property
    def landing_dir(self) -> Path:
        return self.data_dir / "landing"

    @property
    def warehouse_path(self) -> Path:
        return self.data_dir / "warehouse.duckdb"

    @property
    def published_dir(self) -> Path:
        return published_dir(self.data_dir)

    @property
    def published_db_path(self) -> Path:
        return self.published_dir / "growthmart.duckdb"

    @property
    def published_parquet_dir(self) -> Path:
        return self.published_dir / "parquet"

    def dbt_profile_env(self) -> dict[str, str]:
        return dbt_profile_env(
            self.data_dir, self.duckdb_threads, self.duckdb_memory_limit, self.duckdb_temp_dir
        )


def dbt_profile_env(
    data_dir: Path | str, threads: int, memory_limit: str, temp_dir: Path | str
) -> dict[str, str]:
    """The variables dbt_project/profiles.yml reads when the pipeline runs dbt: the warehouse and DuckDB's limits.

    The pipeline runs dbt *in the data directory* (the guard's working directory, growthmart/child_guard.py), so
    the warehouse is named relative to it, `warehouse.duckdb`, and so is the spill folder when it lies inside it.
    dbt keeps its partial-parse state only while the rendered profile is unchanged, and an absolute path would
    differ between data directories: every run in another folder (a test's, a benchmark's, a restored copy)
    would parse the whole project again (~12 s). Set the same way when the manifest is prepared at setup.
    A hand-run dbt, without these variables, finds the warehouse through GROWTHMART_DATA_DIR (profiles.yml).
    """
    data, temp = Path(data_dir).resolve(), Path(temp_dir).resolve()
    return {
        DBT_WAREHOUSE_VAR: "warehouse.duckdb",
        DUCKDB_THREADS_VAR: str(int(threads)),
        DUCKDB_MEMORY_LIMIT_VAR: str(memory_limit),
        DBT_TEMP_DIR_VAR: str(temp.relative_to(data)) if temp.is_relative_to(data) else str(temp),
    }


def settings() -> Settings:
    data_dir = Path(os.environ.get(DATA_DIR_VAR, "data")).expanduser().resolve()
    return Settings(
        data_dir=data_dir,
        timezone=os.environ.get(TIMEZONE_VAR, DEFAULT_TIMEZONE),
        start_date=os.environ.get(START_DATE_VAR, DEFAULT_START_DATE),
        duckdb_threads=int(os.environ.get(DUCKDB_THREADS_VAR) or os.cpu_count() or 2),
        duckdb_memory_limit=os.environ.get(DUCKDB_MEMORY_LIMIT_VAR) or _half_of_ram(),
        duckdb_temp_dir=Path(os.environ.get(DUCKDB_TEMP_DIR_VAR) or data_dir / "tmp").expanduser().resolve(),
        report_lang=_report_lang(os.environ.get(REPORT_LANG_VAR) or "zh"),
        engine=_engine(os.environ.get(ENGINE_VAR) or "duckdb"),
    )


def _engine(value: str) -> str:
    engine = value.strip().lower()
    if engine not in ENGINES:
        raise ValueError(f"{ENGINE_VAR} must be one of {', '.join(ENGINES)}, not {value!r}")
    return engine


def _report_lang(value: str) -> str:
    lang = value.strip().lower()
    if lang not in ("zh", "en"):
        raise ValueError(f"{REPORT_LANG_VAR} must be zh or en, not {value!r}")
    return lang


SPARK_DIR = "spark"  # under the data directory: the Spark warehouse (Parquet tables) and its metastore
SPARK_MASTER_VAR = "GROWTHMART_SPARK_MASTER"  # default local[2]; a cluster's master URL otherwise
SPARK_DRIVER_MEMORY_VAR = (
    "GROWTHMART_SPARK_DRIVER_MEMORY"  # default 2g: local mode runs everything in the driver
)
SPARK_SHUFFLE_PARTITIONS_VAR = "GROWTHMART_SPARK_SHUFFLE_PARTITIONS"  # default 4
# The Spark settings handed to dbt: dbt_project/profiles.yml's `spark` output reads its server_side_parameters from
# this variable (JSON), which spark_dbt_env sets from spark_settings: the settings are stated once, here.
SPARK_CONF_VAR = "GROWTHMART_SPARK_CONF"


def spark_settings(data_dir: Path | str) -> dict[str, str]:
    """The Spark configuration of a data directory, in one place for every Spark session of the pipeline (the
    ingest's, the checks' and the publication's, growthmart/spark.py) and dbt-spark's (`server_side_parameters` of
    its `session` profile, through spark_dbt_env): where the tables live and which metastore knows them.

    - tables: Parquet under `<data>/spark/warehouse` (`raw` is `<data>/spark/warehouse/raw.db`), partitioned by
      day, a day replaced by dropping and rewriting its partition;
    - catalog: a Hive metastore in embedded Derby at `<data>/spark/metastore_db` (one process at a time: the
      pipeline stops its own Spark before dbt starts one); on a cluster, point `spark.sql.warehouse.dir` at the
      lake and `spark.hadoop.hive.metastore.uris` at the shared metastore instead;
    - the session time zone is UTC: raw timestamps are naive UTC (`timestamp_ntz`), as in DuckDB;
    - Derby cannot evaluate the metastore's partition filter on a date partition column (a nightly run's
      `_partition_date >= date` failed with INTERNAL_ERROR_HIVE_METASTORE_PARTITION_FILTER): Spark then lists the
      table's partitions and filters them itself (a shared Hive metastore on a cluster filters server-side).

    The paths are absolute, yet cost dbt no re-parse per data directory: dbt-spark's profile hash (what dbt
    compares to keep its parse state) covers host, port, cluster, endpoint, schema and organization only.
    """
    spark = Path(data_dir).resolve() / SPARK_DIR
    return {
        "spark.master": os.environ.get(SPARK_MASTER_VAR) or "local[2]",
        "spark.driver.memory": os.environ.get(SPARK_DRIVER_MEMORY_VAR) or "2g",
        "spark.sql.catalogImplementation": "hive",
        "spark.sql.warehouse.dir": str(spark / "warehouse"),
        "spark.hadoop.javax.jdo.option.ConnectionURL": f"jdbc:derby:;databaseName={spark / 'metastore_db'};create=true",
        "spark.driver.extraJavaOptions": f"-Dderby.system.home={spark}",
        "spark.sql.session.timeZone": "UTC",
        "spark.sql.sources.default": "parquet",
        "spark.sql.sources.partitionOverwriteMode": "dynamic",
        "spark.sql.hive.metastorePartitionPruningFallbackOnException": "true",
        "spark.sql.shuffle.partitions": os.environ.get(SPARK_SHUFFLE_PARTITIONS_VAR) or "4",
        "spark.ui.enabled": "false",
        # no progress bars on the console: drawn into dbt's output, one broke a JSON event line dagster-dbt reads,
        # and the dbt test it reported went missing (its asset check never yielded)
        "spark.ui.showConsoleProgress": "false",
    }


def spark_dbt_env(data_dir: Path | str) -> dict[str, str]:
    """What the dbt profile's `spark` output reads for `data_dir`: set for the pipeline's dbt (assets/transform)
    and for a hand-run dbt on Spark (`python -m growthmart.spark env --data-dir <data>` prints it)."""
    return {SPARK_CONF_VAR: json.dumps(spark_settings(data_dir), sort_keys=True)}


def published_dir(data_dir: Path | str) -> Path:
    return Path(data_dir) / "published"


def private_paths(data_dir: Path | str) -> list[Path]:
    """What holds user-level raw rows under the data directory: the warehouse and its WAL, the landing files,
    DuckDB's default spill directory, the GE validation store (unexpected values) and the default Dagster home
    (its event log keeps the errors of the runs, which quote the rejected value, row and column), and the run
    logs (the same errors, growthmart/runlog.py)."""
    from growthmart.runlog import LOGS_DIR

    data = Path(data_dir)
    return [
        data / "warehouse.duckdb",
        data / "warehouse.duckdb.wal",
        data / "landing",
        data / "tmp",
        data / "gx",
        data / "dagster_home",
        data / LOGS_DIR,
        data / SPARK_DIR,
    ]


@contextmanager
def run_file_modes(data_dir: Path | str) -> Iterator[None]:
    """For the length of a run: owner-only modes for whatever the process (and dbt, which inherits the umask)
    creates — the warehouse's WAL included — and for the existing private paths; afterwards what the run wrote
    under published/ (tables, HTML reports, run records, Data Docs) made readable by the BI readers' group, and
    the process's umask back."""
    before = os.umask(PRIVATE_UMASK)
    try:
        make_private(data_dir)
        yield
    finally:
        try:
            share_with_readers(published_dir(data_dir))
        finally:
            os.umask(before)


def make_private(data_dir: Path | str) -> None:
    """Owner-only modes on the existing private paths (a directory's mode covers what is under it)."""
    for path in private_paths(data_dir):
        _chmod(path, PRIVATE_DIR_MODE if path.is_dir() else PRIVATE_FILE_MODE)


def share_with_readers(path: Path) -> None:
    """`path` and everything under it readable by the owner's group (BI readers), never by others. `path`
    itself may be a symbolic link (published/ on another filesystem); links under it are left alone (their
    mode means nothing; what `parquet` points at is under `.parquet_versions`)."""
    if not path.exists():
        return
    path = path.resolve()
    _chmod(path, SHARED_DIR_MODE if path.is_dir() else SHARED_FILE_MODE)
    if path.is_dir():
        for root, dirs, files in os.walk(path):
            for name in dirs:
                _chmod(Path(root) / name, SHARED_DIR_MODE)
            for name in files:
                _chmod(Path(root) / name, SHARED_FILE_MODE)


def _chmod(path: Path, mode: int) -> None:
    try:
        if not path.is_symlink():
            path.chmod(mode)
    except FileNotFoundError:  # removed meanwhile (a WAL at a checkpoint)
        pass
