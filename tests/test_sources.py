"""Sources are declared once (growthmart/contracts.py): every list of ad platforms derives from the declarations."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from growthmart.contracts import (
    AD_PLATFORM_KEYS,
    AD_PLATFORMS_BY_SOURCE,
    AdPlatform,
    C,
    SourceContract,
    get_contract,
)
from growthmart.quality.settings import QualitySettings
from growthmart.quality.suites import ACCEPTED_VALUES, raw_expectations
from growthmart.sources import generated, scaffold

ROOT = Path(__file__).resolve().parents[1]
# Where platform names were once written by hand; none may name a platform again (they derive).
DERIVED_PLACES = [
    "dbt_project/dbt_project.yml",
    "dbt_project/models/intermediate/ads/_ads__models.yml",
    "dbt_project/models/intermediate/ads/int_ad_performance_unioned.sql",
    "dbt_project/models/reports/core/_core__models.yml",
    "dbt_project/models/reports/marketing/_marketing__models.yml",
    "dbt_project/models/reports/users/_users__models.yml",
    "dbt_project/models/staging/reference/_reference__models.yml",
    "dbt_project/models/staging/reference/_reference__experiments.yml",
    "dbt_project/seeds/_seeds.yml",
    "dbt_project/tests/assert_ad_spend_reconciles_to_raw.sql",
    "growthmart/quality/suites.py",
    "growthmart/contracts.py",
    "docs/metrics.md",
    "README.md",
]


def test_the_generated_files_match_the_declarations():
    stale = generated.stale()
    assert not stale, (
        f"out of date with growthmart/contracts.py, run `make manifest`: {sorted(map(str, stale))}"
    )


def test_every_declared_ad_platform_has_its_staging_model_and_no_other_staging_model_reads_an_ad_report():
    models = {p.stem: p for p in (ROOT / "dbt_project/models/staging").rglob("stg_*.sql")}
    for source, platform in AD_PLATFORMS_BY_SOURCE.items():
        sql = models[platform.staging_model].read_text(encoding="utf-8")
        assert f"source('raw', '{source}')" in sql
        assert f"enabled=ad_platform_enabled('{platform.key}')" in sql
    switched = {m for m, p in models.items() if "ad_platform_enabled(" in p.read_text(encoding="utf-8")}
    assert switched == {p.staging_model for p in AD_PLATFORMS_BY_SOURCE.values()}


@pytest.mark.parametrize("path", DERIVED_PLACES)
def test_no_hand_written_list_of_platforms_is_left(path):
    text = (ROOT / path).read_text(encoding="utf-8")
    key = "|".join(AD_PLATFORM_KEYS)
    listed = re.findall(rf"\b(?:{key})\b['\"]?\s*[,|]\s*['\"]?\b(?:{key})\b", text)  # "a, b" or 'a' | 'b'
    assert not listed, f"{path} lists ad platforms by hand ({listed}): derive them from the declarations"


def test_the_quality_suites_and_the_spend_check_follow_the_declarations():
    assert ACCEPTED_VALUES[("campaigns", "platform")] == AD_PLATFORM_KEYS
    assert ACCEPTED_VALUES[("experiments", "platform")] == AD_PLATFORM_KEYS
    settings = QualitySettings()

    for source, platform in AD_PLATFORMS_BY_SOURCE.items():
        pairs = [
            (e.kwargs["column_A"], e.kwargs["column_B"])
            for e in raw_expectations(get_contract(source), settings)
            if "column_A" in e.kwargs
        ]
        assert (platform.impressions, platform.clicks) in pairs


def test_a_declaration_naming_an_unknown_column_is_refused_with_the_reason():
    with pytest.raises(ValueError, match=r"unknown: \['clicks'\]"):
        SourceContract(
            name="x_ad_stats",
            family="ads",
            format="csv",
            description="",
            columns=(C("day", "date", True), C("impressions", "int")),
            primary_key=("day",),
            report_date_column="day",
            ad_platform=AdPlatform("x", "stg_x__ad_stats", "impressions", "clicks", "spend"),
        )


def test_new_source_refuses_a_declared_platform_and_a_bad_name(tmp_path):
    (tmp_path / "growthmart").mkdir()
    shutil.copy2(ROOT / scaffold.CONTRACTS_PY, tmp_path / scaffold.CONTRACTS_PY)
    with pytest.raises(SystemExit, match="already declared"):
        scaffold.scaffold("meta", root=tmp_path)
    with pytest.raises(SystemExit, match="lower-case"):
        scaffold.scaffold("Kuai-shou", root=tmp_path)
    assert (tmp_path / scaffold.CONTRACTS_PY).read_bytes() == (ROOT / scaffold.CONTRACTS_PY).read_bytes()


def test_the_brand_and_competitor_suites_enforce_the_value_rules_their_contracts_declare():
    """Accepted platforms, stores and brand types come from the one declaration of each list; counts >= 0, price > 0
    and rank >= 1 from the contracts' columns; list price >= price and last seen >= first seen as column pairs."""
    from growthmart.contracts import APP_STORES, BRAND_TYPES, SHOP_PLATFORMS, SOCIAL_PLATFORMS

    def rules(source: str) -> dict:
        out: dict = {}
        for e in raw_expectations(get_contract(source), QualitySettings()):
            out.setdefault(e.kind, []).append(e.kwargs)
        return out

    mentions = rules("brand_mentions")
    in_set = {e["column"]: tuple(e["value_set"]) for e in mentions["ExpectColumnValuesToBeInSet"]}
    assert in_set == {"platform": SOCIAL_PLATFORMS, "brand_type": BRAND_TYPES}
    between = {e["column"]: e for e in mentions["ExpectColumnValuesToBeBetween"]}
    assert set(between) == {"author_followers", "likes", "comments", "reposts"}
    assert all(e["min_value"] == 0 and "max_value" not in e for e in between.values())
    assert {"column": "matched_keywords"} in mentions["ExpectColumnValuesToBeJsonParseable"]
    assert {"column_list": ["mention_id", "_partition_date"]} in mentions["ExpectCompoundColumnsToBeUnique"]

    prices = rules("competitor_prices")
    assert {"column": "price", "min_value": 0, "strict_min": True} in prices["ExpectColumnValuesToBeBetween"]
    assert [e["value_set"] for e in prices["ExpectColumnValuesToBeInSet"]] == [list(SHOP_PLATFORMS)]
    assert [(e["column_A"], e["column_B"]) for e in prices["ExpectColumnPairValuesAToBeGreaterThanB"]] == [
        ("list_price", "price")
    ]
    creatives = rules("competitor_creatives")
    assert [(e["column_A"], e["column_B"]) for e in creatives["ExpectColumnPairValuesAToBeGreaterThanB"]] == [
        ("last_seen", "first_seen")
    ]
    ranks = rules("app_store_ranks")
    assert {"column": "rank", "min_value": 1} in ranks["ExpectColumnValuesToBeBetween"]
    assert {e["column"]: tuple(e["value_set"]) for e in ranks["ExpectColumnValuesToBeInSet"]} == {
        "store": APP_STORES,
        "brand_type": BRAND_TYPES,
    }
    for source in ("brand_mentions", "competitor_creatives"):  # every platform list is the one declaration
        assert " | ".join(SOCIAL_PLATFORMS) in get_contract(source).column("platform").description
