"""Development tools: what tests and `make run-pull` start around the pipeline (never imported by it)."""
