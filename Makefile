# The two Quickstart commands: `make run` and `make test`. Everything else here serves them.
PYTHON ?= python3
VENV ?= .venv
HOST ?= 127.0.0.1
PORT ?= 5000
# Links sent out (reset emails, calendar, invites) are built on this address, and only its host is served.
# To open it from a phone on the same network: make run HOST=0.0.0.0 SELFCARE_BASE_URL=http://192.168.1.20:5000
SELFCARE_BASE_URL ?= http://$(HOST):$(PORT)
FLASK := SELFCARE_BASE_URL=$(SELFCARE_BASE_URL) $(VENV)/bin/flask --app selfcare

.PHONY: run test bench system-deps clean

## Install the app, create the database with demo data, and serve it on http://$(HOST):$(PORT)
run: $(VENV)/.installed-app
	$(FLASK) init-db
	$(FLASK) demo
	$(FLASK) run --host $(HOST) --port $(PORT)

## Install what the tests need (Debian's Chromium and PostgreSQL included), check types (mypy selfcare) and run the
## whole suite: first all but the browser tests on every CPU (pytest-xdist; each worker has its own PostgreSQL server,
## SQLite files and Chromium), then the browser tests one at a time (README, Testing). Exit status 5 is "nothing selected" (PYTEST_ARGS picked one kind).
test: system-deps $(VENV)/.installed-test
	$(VENV)/bin/mypy selfcare
	$(VENV)/bin/pytest -n auto --dist worksteal -m "not browser" $(PYTEST_ARGS) || [ $$? -eq 5 ]
	$(VENV)/bin/pytest -m browser $(PYTEST_ARGS) || [ $$? -eq 5 ]

## Build a synthetic clinic (1,000 patients, 180 days), serve it with gunicorn and measure it (bench/run.py; BENCH_ARGS="--db both")
bench: system-deps $(VENV)/.installed-test bench/.node/node_modules/.bin/lighthouse
	$(VENV)/bin/python -m bench.run $(BENCH_ARGS)

bench/.node/node_modules/.bin/lighthouse:
	npm install --prefix bench/.node --no-audit --no-fund --loglevel=error lighthouse@12.8.2

system-deps:
	scripts/install-system-deps

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed-app: pyproject.toml | $(VENV)/bin/python
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(VENV)/bin/python
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $@ $(VENV)/.installed-app

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .hypothesis
