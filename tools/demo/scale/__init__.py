"""The demo source at benchmark size: `generate_scaled(landing_dir, events, days=365, seed=42)` streams about
`events` app events (users ≈ events / 50) day by day into Parquet landing files; see generator.py."""

from tools.demo.scale.generator import PARQUET_SOURCES, generate_scaled

__all__ = ["PARQUET_SOURCES", "generate_scaled"]
