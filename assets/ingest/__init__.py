from assets.ingest.landing_assets import LANDING_GROUP, build_landing_assets, enabled_specs
from assets.ingest.raw_assets import build_raw_assets

__all__ = ["LANDING_GROUP", "build_landing_assets", "build_raw_assets", "enabled_specs"]
