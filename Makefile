# MASH: `make run` starts the demo, `make test` runs every test. Both install what they need.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
STAMP_PY := $(VENV)/.installed-base
STAMP_DEV := $(VENV)/.installed-dev
STAMP_NODE := node_modules/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
CHROMIUM ?= /usr/bin/chromium
PG_URL ?= postgres://postgres@127.0.0.1:5432/test

export DJANGO_SETTINGS_MODULE := config.settings

.PHONY: run test test-postgres lint typecheck install install-dev assets chromium migrate demo clean worker

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

$(STAMP_PY): requirements/base.txt | $(VENV)/bin/python
	$(PIP) install --quiet -r requirements/base.txt
	touch $@

$(STAMP_DEV): requirements/dev.txt $(STAMP_PY)
	$(PIP) install --quiet -r requirements/base.txt -r requirements/dev.txt
	touch $@

# GOV.UK Frontend, htmx and axe-core come from the npm registry at pinned versions and are
# served by the app itself (never from a CDN).
$(STAMP_NODE): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

install: $(STAMP_PY) $(STAMP_NODE)
install-dev: $(STAMP_DEV) $(STAMP_NODE)
assets: $(STAMP_NODE)

# Debian's Chromium drives the browser tests; Playwright never downloads a browser of its own.
chromium:
	@if [ ! -x "$(CHROMIUM)" ]; then \
		echo "Installing Debian's chromium for the browser tests"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium fonts-liberation >/dev/null; \
	fi

migrate: install
	MASH_DEMO=1 $(PY) manage.py migrate --no-input

demo: migrate
	MASH_DEMO=1 $(PY) manage.py load_demo

# The background worker (chasing overdue requests, and other scheduled work) runs beside the
# web server and stops with it.
run: demo
	@echo "MASH demo: http://$(HOST):$(PORT)/  (the background worker runs alongside)"
	MASH_DEMO=1 $(PY) manage.py schedule_tasks
	MASH_DEMO=1 $(PY) manage.py db_worker & WORKER=$$!; \
	trap 'kill $$WORKER 2>/dev/null' EXIT INT TERM; \
	MASH_DEMO=1 MASH_DEBUG=1 $(PY) manage.py runserver $(HOST):$(PORT)

worker: migrate
	MASH_DEMO=1 $(PY) manage.py schedule_tasks
	MASH_DEMO=1 $(PY) manage.py db_worker

# The suite (about 2,100 tests, the firewall crawl as 15 users, the browser journeys) runs on two
# workers: serially it takes over 20 minutes on a 2-core machine. JOBS=0 runs it in one process.
JOBS ?= 2

test: install-dev chromium
	$(PY) -m pytest -q -n $(JOBS)
	$(VENV)/bin/ruff check mash config conftest.py tests
	$(PY) -m mypy

test-postgres: install-dev chromium
	DATABASE_URL=$(PG_URL) $(PY) -m pytest -q -n $(JOBS)

lint: install-dev
	$(VENV)/bin/ruff check mash config conftest.py tests
	$(VENV)/bin/ruff format --check mash config conftest.py tests

typecheck: install-dev
	$(PY) -m mypy

clean:
	rm -rf $(VENV) node_modules var

# Person-matching benchmarks (bench/README.md): MASH against Splink and recordlinkage on seeded synthetic
# caseloads, interactive search on SQLite and PostgreSQL, FEBRL 1-4. Not part of `make test`: 1M people
# takes hours on a 2-core machine. BENCH_SIZES=10k make bench-matching for a quick run; BENCH_ARGS passes
# more options (e.g. BENCH_ARGS="--only dedupe").
BENCH_SIZES ?= 10k,100k,1M
BENCH_ARGS ?=
STAMP_BENCH := $(VENV)/.installed-bench

$(STAMP_BENCH): requirements/bench.txt $(STAMP_DEV)
	$(PIP) install --quiet -r requirements/base.txt -r requirements/dev.txt -r requirements/bench.txt
	touch $@

.PHONY: bench-matching
bench-matching: install-dev $(STAMP_BENCH)
	$(PY) -m bench.matching.run --sizes $(BENCH_SIZES) $(BENCH_ARGS)
