"""Dagster wiring for growthmart: resources, jobs, schedules and sensors around the assets/ package."""
