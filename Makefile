# Micromoments: `make run` (quick-start) and `make test` (the whole suite on PostgreSQL and Redis).
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
PY := $(VENV)/bin/python
# uv from PATH, else a private copy installed with pip into .tools/ (a fresh machine has only Python).
UV := $(shell command -v uv 2>/dev/null || echo .tools/bin/uv)
PYTHON ?= python3

TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/test
TEST_REDIS_URL ?= redis://127.0.0.1:6379/15
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/bench
BENCH_REDIS_URL ?= redis://127.0.0.1:6379/12

.PHONY: help install run test fuzz bench lint browser wrk demo clean

help:
	@echo "make run    - set up and run the quick-start on http://127.0.0.1:8000 (SQLite, embedded worker)"
	@echo "make test   - set up and run the whole suite on PostgreSQL and Redis"
	@echo "make fuzz   - the API fuzzer with 20x the examples of make test (FUZZ_EXAMPLES=N to choose)"
	@echo "make bench  - run the benchmarks and print their figures"
	@echo "make lint   - ruff (lint and format) and mypy"

.tools/bin/uv:
	$(PYTHON) -m venv .tools
	.tools/bin/pip install --quiet --disable-pip-version-check uv

$(VENV)/.installed: pyproject.toml uv.lock | $(if $(findstring .tools,$(UV)),.tools/bin/uv)
	$(UV) sync --frozen --python $(PYTHON)
	@touch $@

install: $(VENV)/.installed

# Debian's Chromium for the admin tests (Playwright's own browser download does not work here).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "Installing Debian's chromium for the browser tests"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; }

# Debian's wrk, the load generator of benchmarks/api_throughput.py.
wrk:
	@command -v wrk >/dev/null 2>&1 || { \
	  echo "Installing Debian's wrk for the API throughput benchmark"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq wrk >/dev/null; } \
	  || echo "Could not install wrk: benchmarks/api_throughput.py will skip itself"

run: install
	@mkdir -p var
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	$(PY) -m backend.devserver

test: install browser
	DATABASE_URL=$${DATABASE_URL:-$(TEST_DATABASE_URL)} REDIS_URL=$${REDIS_URL:-$(TEST_REDIS_URL)} \
	  $(VENV)/bin/pytest $(PYTEST_ARGS)

# The schema-driven fuzzer alone, longer than in `make test` (still derandomised: same examples each run).
fuzz: install
	DATABASE_URL=$${DATABASE_URL:-$(TEST_DATABASE_URL)} REDIS_URL=$${REDIS_URL:-$(TEST_REDIS_URL)} \
	  FUZZ_EXAMPLES=$${FUZZ_EXAMPLES:-400} $(VENV)/bin/pytest tests/fuzz $(PYTEST_ARGS)

bench: install wrk
	DATABASE_URL=$${DATABASE_URL:-$(BENCH_DATABASE_URL)} REDIS_URL=$${REDIS_URL:-$(BENCH_REDIS_URL)} \
	  $(PY) -m benchmarks

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy backend cms learning nudges

clean:
	rm -rf var/ .pytest_cache .ruff_cache
