# growthmart — one entry point for setup, the demo pipeline, tests and the UI.
# Needs only python3 and make; everything else is installed into .venv from pinned constraints.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
MANIFEST := dbt_project/target/manifest.json
DBT_SOURCES := $(shell find dbt_project -path dbt_project/target -prune -o -path dbt_project/logs -prune -o -type f \( -name '*.sql' -o -name '*.yml' -o -name '*.csv' -o -name '*.md' \) -print)

export GROWTHMART_DATA_DIR ?= $(CURDIR)/data
export DAGSTER_HOME ?= $(GROWTHMART_DATA_DIR)/dagster_home
export DBT_SEND_ANONYMOUS_USAGE_STATS := False
export DO_NOT_TRACK := 1

DEMO_ARGS ?=

# A DuckDB 1.x client in its own environment (never in .venv, which holds DuckDB 2.x): the test that the published
# file opens in the DuckDB 1.x that BI drivers bundle (tests/test_pipeline_integration.py) runs it in a subprocess.
DUCKDB1_VERSION := 1.4.5
DUCKDB1_VENV := .venv-duckdb1
DUCKDB1_STAMP := $(DUCKDB1_VENV)/.installed-$(DUCKDB1_VERSION)
export GROWTHMART_DUCKDB1_PYTHON ?= $(CURDIR)/$(DUCKDB1_VENV)/bin/python

# Apache Superset in its own environment (never in .venv: it pins an older SQLAlchemy, pandas, numpy), for the
# dashboard kept in tools/superset/ (README "Dashboard (Superset)"); every package pinned in its constraints file.
SUPERSET_VERSION := 6.1.0
BI_VENV := .venv-bi
BI_STAMP := $(BI_VENV)/.installed-$(SUPERSET_VERSION)

.PHONY: install duckdb1-env bi manifest dagster-home run run-pull report test lint unit ui docs clean help eval-sentiment

help:
	@echo "make run   — set up, generate the demo data, run the whole pipeline through Dagster, print the summary"
	@echo "make run-pull — the same demo pulled by the connectors from emulated platforms and a throwaway PostgreSQL"
	@echo "make report DATE=YYYY-MM-DD — rebuild that day's, week's and month's HTML reports from the publication"
	@echo "make test  — set up, run the linters (ruff, SQLFluff) and the test suite"
	@echo "make ui [PORT=3000] — Dagster's UI (dagster dev) on that port"
	@echo "make docs  — dbt's docs, one static HTML file: data/published/dbt_docs/index.html (opens offline)"
	@echo "make eval-sentiment — the sentiment scorer's accuracy on the hand-labelled evaluation set (docs/sentiment.md)"
	@echo "make bi    — Apache Superset in .venv-bi, for the dashboard in tools/superset/ (README: Dashboard (Superset))"
	@echo "make new-source NAME=<platform> [KIND=ad_platform] — scaffold a CSV ad platform (README: Adding a source)"

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

$(DUCKDB1_STAMP):
	test -x $(DUCKDB1_VENV)/bin/python || $(PYTHON) -m venv $(DUCKDB1_VENV)
	$(DUCKDB1_VENV)/bin/python -m pip install --quiet duckdb==$(DUCKDB1_VERSION)
	touch $@

duckdb1-env: $(DUCKDB1_STAMP)

# rich, cachetools and psycopg2-binary are named: Superset imports the first two without declaring them, and talks to
# PostgreSQL through psycopg2; the constraints pin them and flask-caching (tools/superset/constraints.txt says why).
$(BI_STAMP): tools/superset/constraints.txt
	test -x $(BI_VENV)/bin/python || $(PYTHON) -m venv $(BI_VENV)
	$(BI_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(BI_VENV)/bin/python -m pip install --quiet -c tools/superset/constraints.txt \
		apache-superset==$(SUPERSET_VERSION) psycopg2-binary rich cachetools
	touch $@

bi: $(BI_STAMP)

# The dbt manifest is prepared once here (dbt parse, with the runs' profile); Dagster loads it, and runs start from
# its parse state, so no run parses the project again (orchestration/dbt_manifest.py).
$(MANIFEST): $(STAMP) $(DBT_SOURCES) growthmart/contracts.py
	$(BIN)/python -m orchestration.dbt_manifest
	touch $(MANIFEST)

manifest: $(MANIFEST)

# Dagster's instance (runs, schedules' state) with the project's run-queue and pool limits.
$(DAGSTER_HOME)/dagster.yaml: orchestration/dagster.yaml
	mkdir -p $(DAGSTER_HOME)
	cp orchestration/dagster.yaml $@

dagster-home: $(DAGSTER_HOME)/dagster.yaml

run: $(MANIFEST) dagster-home
	$(BIN)/python -m orchestration.cli run --demo $(DEMO_ARGS)

# The same demo pulled where it lives (tools/run_pull.py): the emulated ad platforms on 127.0.0.1 and a throwaway
# PostgreSQL (Debian's `postgresql`) holding the app's users and orders; the pipeline's connectors pull them. Its
# data directory is $(GROWTHMART_DATA_DIR)/pull, replaced on each run. Same DEMO_ARGS as `make run`.
run-pull: $(MANIFEST)
	$(BIN)/python -m tools.run_pull --data-dir $(GROWTHMART_DATA_DIR)/pull $(DEMO_ARGS)

# HTML reports from the current publication, without running the pipeline: DATE=YYYY-MM-DD builds the day's page,
# its week's and month's and the index (PERIOD=daily|weekly|monthly narrows it); no DATE rebuilds every page.
report: $(STAMP)
	$(BIN)/python -m growthmart.report $(if $(DATE),--date $(DATE)) $(if $(PERIOD),--period $(PERIOD))

lint: $(MANIFEST)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/sqlfluff lint dbt_project/models dbt_project/macros dbt_project/tests

# The test modules run on every core (pytest-xdist), each module whole on one worker (its fixtures run once), the
# modules reading the session's demo run together, longest first (tests/conftest.py says why);
# PYTEST_WORKERS=0 runs them in this process, one after the other.
PYTEST_WORKERS ?= auto

unit: $(MANIFEST) dagster-home $(DUCKDB1_STAMP)
	$(BIN)/python -m pytest -q -n $(PYTEST_WORKERS) --dist loadfile --no-loadscope-reorder

test: lint unit

PORT ?= 3000

ui: $(MANIFEST) dagster-home
	$(BIN)/dagster dev -w workspace.yaml --port $(PORT)

# dbt's docs as one self-contained page (`dbt docs generate --static`: the manifest and catalog inlined, so it opens
# from file:// without a server) in the publication, linked from the reports' index. The catalog is read from the
# warehouse: run `make run` first.
DBT_DOCS_DIR := $(GROWTHMART_DATA_DIR)/published/dbt_docs

docs: $(MANIFEST)
	$(BIN)/python -m orchestration.dbt_docs --out $(DBT_DOCS_DIR)

# The sentiment scorer (GROWTHMART_SENTIMENT_SCORER, default snownlp_rules) on the hand-labelled evaluation set:
# accuracy, per-class recall and precision, confusion matrix, SnowNLP alone for comparison (docs/sentiment.md).
eval-sentiment: $(STAMP)
	$(BIN)/python -m growthmart.sentiment.evaluate

# The benchmark (docs/performance.md): EVENTS app events of demo data under data/bench/<EVENTS>/ (reused when
# already generated), the whole pipeline through Dagster timed per stage, the core-marts baselines, the nightly day.
EVENTS ?= 10000000

.PHONY: bench
bench: $(MANIFEST)
	$(BIN)/python -m bench --events $(EVENTS)

clean:
	rm -rf dbt_project/target dbt_project/logs .pytest_cache .ruff_cache

# Scaffold a new CSV ad platform declared once (growthmart/sources/scaffold.py; README "Adding a source").
KIND ?= ad_platform
.PHONY: new-source
new-source: $(STAMP)
	@test -n "$(NAME)" || { echo "usage: make new-source NAME=<platform> [KIND=ad_platform]"; exit 2; }
	$(BIN)/python -m growthmart.sources.scaffold --name $(NAME) --kind $(KIND)
