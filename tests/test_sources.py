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
