# The two commands of the README: `make run` and `make test`. Everything else is a step of theirs.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
DEV := DEBUG=1
HOST ?= 127.0.0.1:8000

.PHONY: run test install install-test system-deps lint migrate demo worker clean loadtest

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(VENV)/bin/python
	$(PY) -m pip install --quiet .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(VENV)/bin/python
	$(PY) -m pip install --quiet ".[test]"
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

# Debian packages: Chromium for the browser tests, poppler to look at PDFs, HarfBuzz subsetting for WeasyPrint.
system-deps:
	@.ci/system-deps

migrate: install
	$(DEV) $(PY) manage.py migrate --noinput

demo: migrate
	$(DEV) $(PY) manage.py import_cog --bundled
	$(DEV) $(PY) manage.py demo

# Web server and task worker together; Ctrl-C stops both.
run: demo
	@echo "Mairie : http://$(HOST)/ (identifiants ci-dessus)"
	@trap 'kill 0' INT TERM EXIT; \
	$(DEV) $(PY) manage.py db_worker & \
	$(DEV) $(PY) manage.py runserver $(HOST)

lint: install-test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(DEV) $(PY) manage.py makemigrations --check --dry-run

test: install-test system-deps lint
	$(VENV)/bin/pytest $(PYTEST_ARGS)

# Load test on a throwaway PostgreSQL database (not part of `make test`):
# make loadtest LOADTEST_ARGS="--duration 60 --server postgres://postgres@127.0.0.1:5432"
loadtest: install
	$(PY) tests/load/run.py $(LOADTEST_ARGS)

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles .pytest_cache
