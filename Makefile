# Zixun (资讯). `make` lists the targets.
VENV ?= .venv
PY := $(VENV)/bin/python
PYTHON ?= python3
PORT ?= 8000
HOST ?= 127.0.0.1
PG_URL ?= postgres://postgres@127.0.0.1:5432/test
REDIS_TEST_URL ?= redis://127.0.0.1:6379/15
# Test processes (pytest-xdist): one per core. Each has its own database and Redis database
# (15, 14, … counted down from REDIS_TEST_URL's). JOBS=0 runs in one process. Not --dist
# worksteal: a stolen test can run after a transactional one that flushed the migrations' rows.
JOBS ?= auto
.DEFAULT_GOAL := help

.PHONY: help demo serve test test-sqlite test-postgres bench lint typecheck check audit messages clean

help:  ## List targets
	@awk 'BEGIN {FS = ":.*##"} /^[a-z-]+:.*##/ {printf "  %-14s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	touch $@

venv: $(VENV)/.installed  ## Create the virtual environment with the pinned dependencies

demo: $(VENV)/.installed  ## Migrate, load the demo content and serve it (PORT=8000, HOST=127.0.0.1)
	$(VENV)/bin/zixun demo --port $(PORT) --host $(HOST)

serve: $(VENV)/.installed  ## Serve an already loaded site with granian
	$(VENV)/bin/zixun serve --port $(PORT) --host $(HOST)

test: test-sqlite test-postgres  ## The whole suite on SQLite, then on PostgreSQL + Redis; T=path narrows it

test-sqlite: $(VENV)/.installed  ## The suite on SQLite (the embedded default), with the browser tests
	$(PY) -m pytest -n $(JOBS) --maxschedchunk 2 --durations=15 $(T)

test-postgres: $(VENV)/.installed  ## The suite on PostgreSQL + Redis (production settings)
	DATABASE_URL=$(PG_URL) REDIS_URL=$(REDIS_TEST_URL) $(PY) -m pytest -n $(JOBS) --maxschedchunk 2 --durations=15 -m "not browser" $(T)

bench: $(VENV)/.installed  ## Every figure beside its goal in one run (bench/results.json); ONLY=part,… runs some
	$(PY) -m bench $(if $(ONLY),--only $(ONLY)) $(ARGS)

lint: $(VENV)/.installed  ## Ruff check and format check, the app layers (import-linter), missing migrations
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-cache
	ZIXUN_VAR_DIR=$$(mktemp -d) $(PY) manage.py makemigrations --check --dry-run

typecheck: $(VENV)/.installed  ## mypy (strict)
	$(VENV)/bin/mypy zixun config

check: lint typecheck test  ## Lint, types and tests

audit: $(VENV)/.installed  ## Known vulnerabilities in the pinned packages (pip-audit); fails when it cannot check
	$(PYTHON) -m venv var/audit-venv
	var/audit-venv/bin/pip install -q pip-audit==2.10.1
	# --strict: a package that cannot be looked up fails the run instead of being skipped.
	var/audit-venv/bin/pip-audit --strict --progress-spinner off \
		--path $$($(PY) -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')

messages: $(VENV)/.installed  ## Update and compile the English translations
	cd zixun && ../$(PY) ../manage.py makemessages -l en --no-obsolete && ../$(PY) ../manage.py compilemessages -l en

clean:  ## Remove the virtual environment and local data (var/)
	rm -rf $(VENV) var
