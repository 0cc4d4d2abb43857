# Two commands on a fresh machine: `make run` (demo on SQLite) and `make test`; `make help` lists the rest.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
# Development settings for every target, unless the environment already sets them. Production sets
# its own (README "Production"): the settings refuse to start there without a secret key.
export DJANGO_SECRET_KEY ?= insecure-local-development-key
export DJANGO_DEBUG ?= True
BACKUP_DIR ?= backups

.PHONY: help run test lint venv demo-city createdb shell manage backup restore clean

help:
	@echo "make run                  demo on SQLite (or DATABASE_URL) at http://127.0.0.1:8000"
	@echo "make test                 the whole test suite (PYTEST_ARGS=... to narrow it)"
	@echo "make demo-city            city-scale demo data into an empty database (creates a PostgreSQL one)"
	@echo "make shell                Django shell;  make manage ARGS='assign_role NAME ROLE'"
	@echo "make backup               database and media into $(BACKUP_DIR)/;  make restore FILE=$(BACKUP_DIR)/..."
	@echo "make lint                 ruff"

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip

# Serving needs only requirements.txt; the tests and lint add requirements-dev.txt.
$(VENV)/.runtime: requirements.txt | $(PY)
	$(VENV)/bin/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed: requirements.txt requirements-dev.txt | $(PY)
	$(VENV)/bin/pip install --quiet -r requirements-dev.txt
	touch $@ $(VENV)/.runtime

venv: $(VENV)/.installed

run: $(VENV)/.runtime createdb
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo --if-empty
	$(PY) manage.py runserver 127.0.0.1:8000

test: $(VENV)/.installed
	$(PY) -m pytest -rs $(PYTEST_ARGS)

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# A PostgreSQL DATABASE_URL names a database that need not exist yet (SQLite creates its file).
createdb: $(VENV)/.runtime
	$(PY) manage.py createdb

demo-city: $(VENV)/.runtime createdb
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo --scale city

shell: $(VENV)/.runtime
	$(PY) manage.py shell

manage: $(VENV)/.runtime
	$(PY) manage.py $(ARGS)

backup: $(VENV)/.runtime
	$(PY) manage.py backup --dir $(BACKUP_DIR)

restore: $(VENV)/.runtime
	@test -n "$(FILE)" || { echo "make restore FILE=$(BACKUP_DIR)/<backup folder>" >&2; exit 1; }
	$(PY) manage.py restore $(FILE)

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles
