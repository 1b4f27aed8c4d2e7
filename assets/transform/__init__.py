from assets.transform.dbt_assets import DBT_PROJECT_DIR, build_dbt_assets, dbt_keys_in_groups

__all__ = ["DBT_PROJECT_DIR", "build_dbt_assets", "dbt_keys_in_groups"]
