# madoguchi — `make demo` runs the demo, `make test` runs every test. See README.md.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
UV := $(VENV)/bin/uv
UV_VERSION := 0.13.9
export UV_PROJECT_ENVIRONMENT := $(abspath $(VENV))
export UV_PYTHON_DOWNLOADS := never
export PYTHONDONTWRITEBYTECODE := 1
HOST ?= 127.0.0.1
PORT ?= 8000
# PostgreSQL for the second test run; reachable on a developer machine and in CI.
TEST_POSTGRES_URL ?= postgres://postgres@127.0.0.1:5432/madoguchi
PYTEST_ARGS ?=
# CI starts from new test databases: a run cut short on the same machine can leave rows behind.
TEST_DB_ARGS ?= $(if $(filter true,$(CI)),--create-db,)
# Processes for the tests without a browser: one per CPU (at least 2).
TEST_WORKERS ?= $(shell n=$$(nproc 2>/dev/null || echo 2); [ $$n -lt 2 ] && n=2; echo $$n)

.PHONY: help setup install assets messages demo serve worker test test-sqlite test-postgres e2e lint typecheck bench bench-reconciliation bench-procedures bench-facilities bench-portal clean

help:
	@echo "make demo   set up and run the demo on http://$(HOST):$(PORT)/ (SQLite, no other service)"
	@echo "make test   set up and run the whole test suite (SQLite, then PostgreSQL), ruff and mypy"
	@echo "make bench  run the benchmarks under bench/"

$(UV):
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"

$(VENV)/.synced: $(UV) pyproject.toml uv.lock
	$(UV) sync --frozen --python $(PY)
	@touch $@

install: $(VENV)/.synced

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

assets: node_modules/.installed
	node scripts/build-assets.mjs

messages: install
	$(PY) scripts/compile_messages.py

setup: install assets messages

migrate: setup
	$(PY) manage.py migrate --noinput

demo: migrate
	$(PY) manage.py demo_ca
	$(PY) manage.py load_demo
	@trap 'kill $$WORKER 2>/dev/null' EXIT INT TERM; \
	$(PY) manage.py db_worker --interval 1 > var/worker.log 2>&1 & WORKER=$$!; \
	echo "Task worker started (log: var/worker.log)."; \
	$(PY) manage.py print_demo_logins --base-url http://$(HOST):$(PORT); \
	DEBUG=0 $(PY) manage.py runserver $(HOST):$(PORT) --noreload

test: setup
	$(MAKE) --no-print-directory lint typecheck
	$(MAKE) --no-print-directory test-sqlite
	@if $(PY) scripts/db_reachable.py "$(TEST_POSTGRES_URL)"; then \
		$(MAKE) --no-print-directory test-postgres; \
	elif [ "$$CI" = "true" ]; then \
		echo "PostgreSQL is not reachable at $(TEST_POSTGRES_URL), and CI needs it." >&2; exit 1; \
	else \
		echo "PostgreSQL is not reachable at $(TEST_POSTGRES_URL): the PostgreSQL run is skipped."; \
	fi

# The tests without a browser run in TEST_WORKERS processes (pytest-xdist, one database
# each); the browser tests one at a time, each with its own Chromium and live server.
test-sqlite: setup
	DATABASE_URL= $(PY) -m pytest -m "not e2e" -n $(TEST_WORKERS) $(TEST_DB_ARGS) $(PYTEST_ARGS)
	DATABASE_URL= $(PY) -m pytest -m e2e $(TEST_DB_ARGS) $(PYTEST_ARGS)

# The browser tests run once, in the SQLite run: what they check (pages, forms, keyboard,
# accessibility) does not depend on the database, and the database's own behaviour
# (locks, constraints, races) is what the rest of the suite checks on PostgreSQL.
test-postgres: setup
	DATABASE_URL="$(TEST_POSTGRES_URL)" $(PY) -m pytest -m "not e2e" -n $(TEST_WORKERS) $(TEST_DB_ARGS) $(PYTEST_ARGS)

e2e: setup
	$(PY) -m pytest e2e $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check src e2e bench scripts
	$(VENV)/bin/ruff format --check src e2e bench scripts

typecheck: install
	$(VENV)/bin/mypy

bench: migrate
	$(PY) bench/run.py

# Reconciliation of 1,000,000 notices on SQLite and PostgreSQL (BENCH_ARGS="--count 100000" for a quick run).
bench-reconciliation: migrate
	$(PY) bench/reconciliation.py $(BENCH_ARGS)

# 50 residents applying at once on PostgreSQL, against the bare view (BENCH_ARGS="--rounds 1" for a quick run).
bench-procedures: migrate
	$(PY) bench/procedures.py $(BENCH_ARGS)

# Facilities: a lottery of 100,000 entries for 10,000 slots, and availability search over a year for 50
# facilities, each against a baseline (BENCH_ARGS="--entries 20000 --slots 2000 --facilities 10 --days 90" for a quick run).
bench-facilities: migrate
	$(PY) bench/facilities.py $(BENCH_ARGS)

# The website: top page and a deep page, uncached and from the page cache, against the bare view
# (BENCH_ARGS="--quick" for a quick run).
bench-portal: migrate
	$(PY) bench/portal.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) node_modules var src/madoguchi/static/vendor
