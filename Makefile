# Two commands on a fresh machine: `make run` (demo on SQLite) and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
# Development-only key: production must set DJANGO_SECRET_KEY (settings refuse to start without it).
export DJANGO_SECRET_KEY ?= insecure-local-development-key
export DJANGO_DEBUG ?= True

.PHONY: run test lint venv clean

$(VENV)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -r requirements-dev.txt
	touch $@

venv: $(VENV)/.installed

run: venv
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo --if-empty
	$(PY) manage.py runserver 127.0.0.1:8000

test: venv
	$(PY) -m pytest $(PYTEST_ARGS)

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles
