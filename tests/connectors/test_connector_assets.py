"""A connector is a Dagster asset only when its variables are set: `landing/<source>`, daily partitions shared with
the raw assets, upstream of `raw/<source>`, in its own concurrency pool; without them the graph is file-based."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import yaml
from connector_helpers import SOURCES

from growthmart.connectors.specs import SPECS_BY_SOURCE

ROOT = Path(__file__).resolve().parents[2]


def graph(monkeypatch, env: dict[str, str]):
    from orchestration.definitions import build_definitions

    for spec in SPECS_BY_SOURCE.values():
        for name in spec.env.required:
            monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return build_definitions().get_repository_def().asset_graph


def test_without_connector_variables_no_source_is_pulled(monkeypatch, dbt_manifest):
    keys = graph(monkeypatch, {}).get_all_asset_keys()
    assert not [k for k in keys if k.path[0] == "landing"]


def test_a_configured_connector_is_a_partitioned_asset_upstream_of_its_raw_table(
    monkeypatch, dbt_manifest, emulator
):
    env = {k: v for k, v in emulator.env().items() if not k.startswith("GROWTHMART_BAIDU_")}
    g = graph(monkeypatch, env)
    landing = {k.path[1] for k in g.get_all_asset_keys() if k.path[0] == "landing"}
    assert landing == set(SOURCES) - {"baidu_keyword_stats"}  # Baidu's variables are not set
    for source in landing:
        node, raw = g.get(dg.AssetKey(["landing", source])), g.get(dg.AssetKey(["raw", source]))
        assert dg.AssetKey(["landing", source]) in raw.parent_keys
        assert node.partitions_def == raw.partitions_def
        assert node.pools == {f"connector_{source}"}
    assert not g.get(dg.AssetKey(["raw", "baidu_keyword_stats"])).parent_keys


def test_each_connector_pool_allows_one_pull_at_a_time():
    config = yaml.safe_load((ROOT / "orchestration" / "dagster.yaml").read_text())
    assert config["concurrency"]["pools"]["default_limit"] == 1
