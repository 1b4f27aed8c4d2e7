"""Data-quality library: Great Expectations suites as code, the GX runner and warehouse probes.

Dagster checks in `assets/quality/` are thin wrappers over these modules.
"""
