# ourlondon: the two commands are `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
WORKERS ?= 2
# Django is synchronous: a few threads per worker keep both cores busy without
# piling requests onto the interpreter lock.
THREADS ?= 4
BACKPRESSURE ?= 32
PG_URL ?= postgres://postgres@127.0.0.1:5432/ourlondon
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: run test test-sqlite test-postgres test-dates test-one-date lint setup serve bench clean

$(STAMP): requirements.lock
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet --require-hashes --no-deps -r requirements.lock
	@touch $(STAMP)

var/secret_key:
	@mkdir -p var
	@umask 077 && $(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(50))' > $@

## run: install, migrate, load reference and demo data if empty, serve on :8000
run: $(STAMP) var/secret_key setup serve

setup: $(STAMP) var/secret_key
	$(PY) manage.py bootstrap

# The job queue's consumer (huey: periodic harvests, daily jobs) runs beside the
# web server and stops with it.
serve:
	@echo "ourlondon is serving on http://$(HOST):$(PORT)/ (Ctrl+C to stop)"
	@$(PY) manage.py run_huey --workers 1 >> var/huey.log 2>&1 & consumer=$$!; \
	trap 'kill $$consumer 2>/dev/null' EXIT INT TERM; \
	$(VENV)/bin/granian --interface wsgi --host $(HOST) --port $(PORT) \
		--workers $(WORKERS) --blocking-threads $(THREADS) --backpressure $(BACKPRESSURE) \
		--log-level warning ourlondon.wsgi:application

## test: lint, type-check, the whole suite on SQLite and on PostgreSQL (on the
## real date), then once more on SQLite at a date chosen from the commit hash
test: lint test-sqlite test-postgres test-one-date

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy .
	SECRET_KEY=check DATABASE_URL=sqlite://:memory: $(PY) manage.py makemigrations --check --dry-run

test-sqlite: $(STAMP)
	DATABASE_URL= $(VENV)/bin/pytest -q -p no:cacheprovider

# pytest-django creates (and drops) the throwaway database test_ourlondon. The
# browser and process tests make their own SQLite site, so they run once, above.
test-postgres: $(STAMP)
	DATABASE_URL=$(PG_URL) $(VENV)/bin/pytest -q -p no:cacheprovider -m "not browser and not served"

# The suite with the clock set to each date in scripts/test-dates (not part of
# `make test`'s time: about 3 minutes a date, two at a time).
test-dates: $(STAMP)
	scripts/test-dates

# So a new date bug is caught on an ordinary day.
test-one-date: $(STAMP)
	scripts/test-dates --one

bench: $(STAMP) var/secret_key
	$(PY) bench/load_demo_scale.py

clean:
	rm -rf $(VENV) var/static
