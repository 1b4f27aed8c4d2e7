from assets.ingest.raw_assets import build_raw_assets

__all__ = ["build_raw_assets"]
