# The commands the README shows are the ones CI runs (.ci/run calls `make test`).
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 8000
# `make run` is the embedded mode: SQLite file and eager Celery, whatever the shell exports.
LOCAL := env -u DATABASE_URL -u CELERY_BROKER_URL DJANGO_DEBUG=1

.PHONY: install documents-deps run setup-demo test lint format migrations-check bench bench-smoke backup restore clean

$(STAMP): pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -c requirements.lock -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# Debian packages for the periodic reports' PDFs (LibreOffice headless, Liberation Serif, poppler
# for the tests); the Dockerfile and .ci/run install the same. Run as root.
documents-deps:
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends libreoffice-writer-nogui fonts-liberation2 poppler-utils

# Idempotent: running it twice changes nothing. The seed commands live in devtools/ (DEBUG only).
setup-demo: install
	$(LOCAL) $(BIN)/python manage.py migrate --noinput
	$(LOCAL) $(BIN)/python manage.py load_divisions
	$(LOCAL) $(BIN)/python manage.py load_catalogue
	$(LOCAL) $(BIN)/python manage.py seed_accounts
	$(LOCAL) $(BIN)/python manage.py seed_teams
	$(LOCAL) $(BIN)/python manage.py seed_demo
	$(LOCAL) $(BIN)/python manage.py setup_periodic_tasks

run: setup-demo
	$(LOCAL) $(BIN)/python manage.py runserver $(HOST):$(PORT)

# pytest reads its settings module (camau_cds.settings.test) from pyproject.toml. Two worker
# processes (pytest-xdist), each with its own test database; tests that share an outside
# resource run on one of them (tests/conftest.py). TEST_WORKERS=0 runs in one process.
TEST_WORKERS ?= 2
test: install
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadgroup $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

migrations-check: install
	DJANGO_TESTING=1 $(BIN)/python manage.py makemigrations --check --dry-run

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles

# Backups: `make backup` writes backups/cds-<time>.{dump,sqlite3}; `make restore FILE=...`.
backup: install
	$(BIN)/python scripts/backup.py backup

restore: install
	@test -n "$(FILE)" || (echo "usage: make restore FILE=backups/cds-....dump" && exit 2)
	$(BIN)/python scripts/backup.py restore "$(FILE)"

# Benchmark (devtools/bench/, command run_benchmark) on a separate PostgreSQL database whose name
# contains "bench" (docs/PERFORMANCE.md).
bench: install
	@case "$(DATABASE_URL)" in postgres*bench*) ;; *) echo "make bench needs DATABASE_URL=postgres://postgres@127.0.0.1:5432/cds_bench (create it with psql first)"; exit 2;; esac
	DJANGO_DEBUG=1 $(BIN)/python manage.py run_benchmark --scales 1,10,national

bench-smoke: install
	@case "$(DATABASE_URL)" in postgres*bench*) ;; *) echo "make bench-smoke needs DATABASE_URL=postgres://.../cds_bench"; exit 2;; esac
	DJANGO_DEBUG=1 $(BIN)/python manage.py run_benchmark --smoke
