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
