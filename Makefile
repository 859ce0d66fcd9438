# Ikkan: the two commands of the README, and a few more for developers.
# Every target creates the virtual environment first if it is missing or older than pyproject.toml.

PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
HOST   ?= 127.0.0.1:8000
FAKE_CRM_PORT ?= 8765

.PHONY: demo test lint fmt messages bench clean

$(VENV)/.installed: pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Ikkan needs Python 3.11 or newer")'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $@

## Run the product with demo data on the embedded default (SQLite, Celery tasks inline).
## The fake HubSpot the demo's CRM workspace syncs from runs beside the server and stops with it.
demo: $(VENV)/.installed
	$(PY) manage.py migrate --noinput
	$(PY) manage.py fake_crm serve --provider hubspot --port $(FAKE_CRM_PORT) & \
	trap 'kill $$! 2>/dev/null' EXIT INT TERM; \
	$(PY) manage.py seed_demo --crm-url http://127.0.0.1:$(FAKE_CRM_PORT) && \
	$(PY) manage.py runserver $(HOST)

## Run the whole test suite (PostgreSQL and Redis when DATABASE_URL / REDIS_URL are set).
test: $(VENV)/.installed
	$(PY) -m pytest

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

fmt: $(VENV)/.installed
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

## Recompile the translation catalogues (pure Python, no gettext needed).
messages: $(VENV)/.installed
	$(PY) manage.py compile_catalogues

bench: $(VENV)/.installed
	$(PY) -m bench

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles .pytest_cache
