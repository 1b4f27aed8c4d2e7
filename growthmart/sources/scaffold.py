"""`make new-source NAME=<name> [KIND=ad_platform]`: scaffold a new CSV ad platform, declared once.

Writes the declaration (a `SourceContract` with its `AdPlatform`, inserted into growthmart/contracts.py), the
staging model and its YAML, a landing fixture (a sample export) and the platform's paid channel in the channels
seeds, then regenerates the files generated from the declarations (growthmart/sources/generated.py: what dbt
reads of them and docs/sources.md). Everything else
that lists platforms derives from the declaration. The templates assume a Chinese UI export in yuan; README
"Adding a source" says what to fill in for a real platform (at most three hand-written files: the contract,
the staging SQL and the fixture).
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CONTRACTS_PY = Path("growthmart/contracts.py")
INSERT_MARKER = "    # make new-source inserts new ad platforms above this line\n"
KINDS = ("ad_platform",)
NAME_PATTERN = re.compile(r"[a-z][a-z0-9_]*")
FIXTURE_DAY = "2026-06-04"

CONTRACT = """    SourceContract(
        name="{source}",
        report_date_column="日期",
        family="ads",
        format="csv",
        file_glob="*.csv",
        description="{name} daily ad report exported from the UI at ad grain (TODO: the platform and its export).",
        timezone_note="日期 is the Beijing (UTC+8) calendar day.",
        units_note="Money in yuan (元).",
        primary_key=("日期", "广告ID"),
        ad_platform=AdPlatform(
            key="{name}",
            staging_model="{model}",
            impressions="展示数",
            clicks="点击数",
            spend_sql='"消耗(元)"',  # yuan
        ),
        columns=(
            C("日期", "date", True, "report day"),
            C("账户ID", "string", True, "advertiser account id"),
            C("计划ID", "string", True, "campaign id"),
            C("计划名称", "string", False, "campaign name"),
            C("广告ID", "string", True, "ad id: the ad grain"),
            C("广告名称", "string", False, "ad name"),
            C("展示数", "int", True, "impressions"),
            C("点击数", "int", True, "clicks"),
            C("消耗(元)", "decimal", True, "spend in yuan"),
            C("转化数", "int", False, "platform-attributed conversions"),
        ),
    ),
"""

STAGING_SQL = """-- Incremental: the ad days (re-)landed in the partition window replace their stored rows.

{{{{ config(
    enabled=ad_platform_enabled('{name}'),
    **incremental_by_key(['report_date', 'ad_id'], 'report_date')
) }}}}

with

{source} as {{{{ not_materialized() }}}} (

    select * from {{{{ source('raw', '{source}') }}}}
    where {{{{ incremental_window_filter('_partition_date') }}}}

),

ranked as (

    {{{{ latest_versions('{source}', [adapter.quote('日期'), adapter.quote('广告ID')]) }}}}

),

final as (

    -- The shared ad column contract (int_ad_performance_unioned): every platform maps onto these columns.
    select
        {{{{ adapter.quote('广告ID') }}}} as ad_id,
        cast(null as {{{{ dbt.type_string() }}}}) as ad_group_id,
        {{{{ adapter.quote('计划ID') }}}} as platform_campaign_id,
        {{{{ adapter.quote('账户ID') }}}} as account_id,
        {{{{ adapter.quote('广告名称') }}}} as ad_name,
        cast(null as {{{{ dbt.type_string() }}}}) as ad_group_name,
        {{{{ adapter.quote('计划名称') }}}} as platform_campaign_name,
        'Asia/Shanghai' as account_timezone,
        'CNY' as currency,
        {{{{ adapter.quote('展示数') }}}} as impressions,
        {{{{ adapter.quote('点击数') }}}} as clicks,
        cast({{{{ adapter.quote('消耗(元)') }}}} as decimal(18, 4)) as spend_original,
        cast({{{{ adapter.quote('消耗(元)') }}}} as decimal(18, 4)) as spend_cny,
        coalesce({{{{ adapter.quote('转化数') }}}}, 0) as platform_conversions,
        cast(0 as decimal(18, 4)) as platform_conversion_value_cny,
        {{{{ adapter.quote('日期') }}}} as report_date,
        _partition_date as partition_date,
        _loaded_at as loaded_at
    from ranked
    where version_rank = 1

)

select
    *,
    {{{{ built_at() }}}} as dbt_built_at
from final
"""

STAGING_YML = """version: 2

models:
  - name: {model}
    description: >
      {name} daily ad report on the shared ad vocabulary (scaffolded by make new-source); newest landed version
      of each (report_date, ad_id). Money in yuan (CNY).
    data_tests:
      - unique_combination_of_columns:
          arguments:
            combination_of_columns: [ad_id, report_date]
      - not_null_columns:
          arguments:
            columns: [ad_id, platform_campaign_id, spend_cny, report_date]
    columns:
      - name: ad_id
      - name: platform_campaign_id
      - name: clicks
        description: Clicks, never more than impressions (the raw GE suite's rule, from the declaration).
      - name: spend_cny
        description: Spend in CNY.
      - name: report_date
        description: The Beijing calendar day.
"""

FIXTURE_CSV = """日期,账户ID,计划ID,计划名称,广告ID,广告名称,展示数,点击数,消耗(元),转化数
{day},acc_1,cmp_1,拉新,ad_1,素材A,12000,240,356.78,6
{day},acc_1,cmp_1,拉新,ad_2,素材B,8000,120,201.50,2
"""


def paths(name: str) -> dict[str, Path]:
    source, model = f"{name}_ad_stats", f"stg_{name}__ad_stats"
    return {
        "staging_sql": Path(f"dbt_project/models/staging/{name}/{model}.sql"),
        "staging_yml": Path(f"dbt_project/models/staging/{name}/_{name}__models.yml"),
        "fixture": Path(f"tests/fixtures/landing/{source}/{FIXTURE_DAY}/{name}_{FIXTURE_DAY}.csv"),
        "channels": Path("dbt_project/seeds/channels.csv"),
        "channel_map": Path("dbt_project/seeds/channel_map.csv"),
        "contracts": CONTRACTS_PY,
    }


def _append_line(path: Path, line: str) -> None:
    text = path.read_text(encoding="utf-8")
    path.write_text(text + ("" if text.endswith("\n") else "\n") + line + "\n", encoding="utf-8")


def scaffold(name: str, kind: str = "ad_platform", root: Path = ROOT) -> list[Path]:
    """Writes a new ad platform's declaration, staging model, YAML, fixture and channel; returns the files
    written or changed (relative to `root`), the regenerated ones included."""
    if kind not in KINDS:
        known = ", ".join(KINDS)
        raise SystemExit(
            f"make new-source: KIND={kind} is not scaffolded (known: {known}); see README 'Adding a source'"
        )
    if not NAME_PATTERN.fullmatch(name):
        raise SystemExit(
            f"make new-source: NAME={name!r} must be lower-case letters, digits and _, e.g. kuaishou"
        )
    source, model = f"{name}_ad_stats", f"stg_{name}__ad_stats"
    out = paths(name)
    contracts = (root / CONTRACTS_PY).read_text(encoding="utf-8")
    if f'name="{source}"' in contracts or f'key="{name}"' in contracts:
        raise SystemExit(
            f"make new-source: {source} (ad platform {name!r}) is already declared in {CONTRACTS_PY}"
        )
    if contracts.count(INSERT_MARKER) != 1:
        raise SystemExit(f"make new-source: {CONTRACTS_PY} lost its insertion line {INSERT_MARKER.strip()!r}")
    taken = [
        p
        for key, p in out.items()
        if key not in ("channels", "channel_map", "contracts")
        if (root / p).exists()
    ]
    if taken:
        raise SystemExit(f"make new-source: {', '.join(map(str, taken))} already exist")
    fields = {"name": name, "source": source, "model": model, "day": FIXTURE_DAY}
    contract = CONTRACT.format(**fields)
    (root / CONTRACTS_PY).write_text(
        contracts.replace(INSERT_MARKER, contract + INSERT_MARKER), encoding="utf-8"
    )
    for key, template in (
        ("staging_sql", STAGING_SQL),
        ("staging_yml", STAGING_YML),
        ("fixture", FIXTURE_CSV),
    ):
        (root / out[key]).parent.mkdir(parents=True, exist_ok=True)
        (root / out[key]).write_text(template.format(**fields), encoding="utf-8")
    # The platform's paid channel and its UTM (utm_source=<name>, utm_medium=cpc), so its spend and visits
    # have a channel (CAC by channel) rather than `unmapped`.
    _append_line(root / out["channels"], f"{name}_ads,paid,{name},,{name},{name},")
    _append_line(root / out["channel_map"], f"{name},cpc,{name}_ads")
    generated = [p.relative_to(root.resolve()) for p in _regenerate(root)]
    return [*out.values(), *generated]


def _regenerate(root: Path) -> list[Path]:
    """generated.write() in a fresh interpreter at `root`: this one has imported the contracts before the edit."""
    code = "from growthmart.sources import generated; print(*generated.write(), sep='\\n')"
    proc = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise SystemExit(f"make new-source: the new declaration does not load:\n{proc.stderr}")
    return [Path(line).resolve() for line in proc.stdout.splitlines() if line]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="make new-source", description=__doc__.splitlines()[0])
    parser.add_argument("--name", required=True, help="platform key, e.g. kuaishou")
    parser.add_argument("--kind", default="ad_platform", choices=KINDS)
    args = parser.parse_args(argv)
    written = scaffold(args.name, args.kind)
    print(f"scaffolded ad platform {args.name!r}:")
    for path in written:
        print(f"  {path}")
    print(
        "next: fill in its real columns in growthmart/contracts.py, map them in the staging SQL, replace the fixture "
        "with a real export, then `make manifest` (README 'Adding a source')"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
