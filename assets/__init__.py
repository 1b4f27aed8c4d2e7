"""Dagster assets and checks for growthmart, split by pipeline stage."""
