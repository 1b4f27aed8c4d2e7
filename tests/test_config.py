"""Configuration flows from environment variables into DuckDB's settings."""


def test_duckdb_is_tuned_from_configuration(monkeypatch, tmp_path):
    from assets.resources import WarehouseResource
    from growthmart.config import settings

    monkeypatch.setenv("GROWTHMART_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("GROWTHMART_DUCKDB_MEMORY_LIMIT", raising=False)
    monkeypatch.delenv("GROWTHMART_DUCKDB_TEMP_DIR", raising=False)
    monkeypatch.setenv("GROWTHMART_DUCKDB_THREADS", "1")
    cfg = settings()
    assert cfg.duckdb_threads == 1 and cfg.duckdb_temp_dir == tmp_path / "tmp"
    assert cfg.duckdb_memory_limit.endswith("GB") and int(cfg.duckdb_memory_limit[:-2]) >= 1
    resource = WarehouseResource(
        data_dir=str(tmp_path), threads=1, memory_limit="1GB", temp_dir=str(tmp_path / "t")
    )
    with resource.connect() as con:
        got = dict(
            con.execute(
                "select name, value from duckdb_settings() where name in ('threads', 'memory_limit', 'temp_directory')"
            ).fetchall()
        )
    assert got["threads"] == "1" and got["temp_directory"] == str(tmp_path / "t")
    assert got["memory_limit"].startswith(("953.6 MiB", "1.0 GiB", "1000.0 MiB"))


def test_duckdb_limits_are_set_when_the_database_opens_not_per_cursor(tmp_path):
    """Once DuckDB has spilled, setting temp_directory again fails, even to the same value (it broke dbt at 100M
    events, where dbt-duckdb re-applied its profile `settings` on every cursor). So the dbt profile passes the
    limits as config_options (applied once, at open) and the warehouse resource at connect."""
    from pathlib import Path

    import duckdb
    import pytest
    import yaml

    spill = tmp_path / "spill"
    con = duckdb.connect(
        str(tmp_path / "w.duckdb"),
        config={"temp_directory": str(spill), "memory_limit": "64MB", "threads": 1},
    )
    try:
        con.execute("set preserve_insertion_order = false")
        con.execute("create table t as select i, md5(i::varchar) as s from range(3000000) r(i) order by s")
        with pytest.raises(duckdb.NotImplementedException, match="temporary directory"):
            con.execute(f"set temp_directory = '{spill}'")
        con.cursor().execute("select count(*) from t").fetchall()  # a new cursor works: nothing is re-set
    finally:
        con.close()

    profile = yaml.safe_load(
        (Path(__file__).resolve().parents[1] / "dbt_project" / "profiles.yml").read_text()
    )
    dev = profile["growthmart"]["outputs"]["dev"]
    assert {"threads", "memory_limit", "temp_directory"} <= set(dev["config_options"])
    assert not {"threads", "memory_limit", "temp_directory"} & set(dev.get("settings", {}))
