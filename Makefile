# gigunion: two commands on a fresh machine — `make run` and `make test`.
SHELL := /bin/bash
.ONESHELL:
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := run

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
MANAGE := $(PY) manage.py
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test setup sysdeps deps assets messages translations db static lint typecheck test-sqlite test-postgres bench lock clean

## ---- the two commands ----------------------------------------------------------------

run: setup ## Set everything up and serve the demo at http://127.0.0.1:8000
	@$(MANAGE) seed_demo
	$(MANAGE) db_worker --interval 1 & worker=$$!
	trap 'kill $$worker 2>/dev/null || true' EXIT INT TERM
	echo "gigunion: back office http://$(HOST):$(PORT)/office/  ·  worker pages http://$(HOST):$(PORT)/m/  ·  API docs http://$(HOST):$(PORT)/api/v1/docs"
	$(MANAGE) runserver --noreload $(HOST):$(PORT)

test: sysdeps setup lint typecheck test-sqlite test-postgres ## Lint, type check and the whole suite on SQLite and PostgreSQL

## ---- set-up ------------------------------------------------------------------------------

setup: deps assets messages db static

sysdeps: ## Debian packages (installed when missing and run as root)
	bash scripts/install-system-packages.sh

deps: $(VENV)/.installed node_modules/.installed

$(VENV)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -c 'import sys; sys.exit("gigunion needs Python >= 3.11") if sys.version_info < (3, 11) else None'
	[ -x $(PY) ] || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements.txt -r requirements-dev.txt
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

assets: node_modules/.installed ## Copy front-end libraries from npm into static files
	bash scripts/copy-vendor-assets.sh

messages: $(VENV)/.installed ## Compile translations
	$(MANAGE) compilemessages --ignore=.venv --ignore=node_modules -v0

static: assets $(VENV)/.installed ## Collect static files (served by WhiteNoise)
	$(MANAGE) collectstatic --no-input -v0

translations: $(VENV)/.installed ## Extract new strings into gigunion/locale for translating
	$(MANAGE) makemessages -l zh_Hans --no-location --no-wrap -i ".venv/*" -i "node_modules/*" -i "var/*" -i "tests/*" -i "bench/*" -i "scripts/*"

db: $(VENV)/.installed ## Migrate and load the regions (both safe to repeat)
	$(MANAGE) migrate --no-input -v0
	$(MANAGE) load_regions

## ---- checks ------------------------------------------------------------------------------

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-cache
	DJANGO_SETTINGS_MODULE=gigunion.settings $(MANAGE) makemigrations --check --dry-run -v0
	$(PY) scripts/check_translations.py

typecheck: $(VENV)/.installed
	$(VENV)/bin/mypy gigunion tests bench

test-sqlite: $(VENV)/.installed
	$(VENV)/bin/pytest -p no:cacheprovider

test-postgres: $(VENV)/.installed
	bash scripts/with-postgres.sh $(VENV)/bin/pytest -p no:cacheprovider

bench: setup ## Benchmarks on SQLite, then the roster import's and the stations' on PostgreSQL (and PostGIS); writes bench/results.json
	bash scripts/install-bench-packages.sh
	$(PY) bench/run.py
	bash scripts/with-postgres.sh $(PY) bench/run.py --only roster,stations

lock: $(VENV)/.installed ## Re-pin Python dependencies after editing requirements*.in
	$(VENV)/bin/pip-compile -q --generate-hashes --strip-extras --allow-unsafe -o requirements.txt requirements.in
	$(VENV)/bin/pip-compile -q --generate-hashes --strip-extras --allow-unsafe -o requirements-dev.txt requirements-dev.in

clean:
	rm -rf $(VENV) node_modules gigunion/static/vendor
