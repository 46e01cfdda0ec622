# Mon Compte Formation — the two commands a newcomer needs:
#   make run    set up everything and serve the portal (web server + worker)
#   make test   the whole quality gate, exactly what CI runs
SHELL := /bin/bash
.DEFAULT_GOAL := help

# Python 3.12 (Django 6.1 refuses 3.11): on PATH, or from pyenv.
PYTHON312 ?= $(shell scripts/find-python312)
export UV_PYTHON := $(PYTHON312)
export UV_PYTHON_DOWNLOADS := never
UV := $(shell scripts/ensure-uv)
MANAGE := $(UV) run --frozen python manage.py

.PHONY: help install run manage serve migrate demo test lint checks audit sbom test-sqlite test-postgres test-slow test-browser test-databases test-servers test-timing screenshots bench bench-load bench-faults bench-faults-feed bench-faults-worker bench-dast bench-api api-demo clean

help:
	@echo "make run    — installe, migre, charge la démo et sert le portail (web + travailleur)"
	@echo "make test   — la porte qualité complète (lint, migrations, SQLite, PostgreSQL, navigateur)"
	@echo "make screenshots — la galerie : chaque page, chaque état, à 1280 et 375 px (var/screenshots/)"
	@echo "make sbom   — la nomenclature logicielle CycloneDX des dépendances du produit (var/sbom.cdx.json)"

install:
	@test -n "$(PYTHON312)" || { echo "Python 3.12 introuvable (pyenv install 3.12 ou apt)"; exit 1; }
	@test -n "$(UV)" || { echo "uv introuvable et non installable (pip install uv)"; exit 1; }
	$(UV) sync --frozen --quiet

# `make run` uses DEBUG=1 unless told otherwise; every variable of the README is honoured.
# scripts/run-dev loads the demonstration data once the servers run (DEBUG only).
run: export DEBUG ?= 1
run: install migrate
	@scripts/run-dev

# A management command against the database of `make run` (same defaults, DEBUG=1):
#   make manage ARGS="import_declarations declarations.csv"
manage: export DEBUG ?= 1
manage:
	@$(MANAGE) $(ARGS)

migrate:
	$(MANAGE) migrate --noinput
	$(MANAGE) createcachetable
	$(MANAGE) collectstatic --noinput --verbosity 0

demo:
	@$(MANAGE) load_demo_data

# ---------------------------------------------------------------------------------------
# The stages overlap where the machine has room (docs/decisions/0014-gate-time.md): the
# servers of the slow tests (one core, mostly waiting) start beside the database suites;
# the timing measurements then run alone, then the browser.
test: install lint checks audit
	@$(MAKE) --no-print-directory -j2 --output-sync=target test-databases test-servers
	@$(MAKE) --no-print-directory test-timing test-browser
	@echo "Porte qualité : tout est vert."

lint:
	$(UV) run --frozen ruff check .
	$(UV) run --frozen ruff format --check .
	@# SC-01: bandit, every finding justified in place (pyproject.toml [tool.bandit]). Its
	@# warnings about inner nodes of a justified multi-line SQL string are noise: not shown.
	$(UV) run --frozen bandit -c pyproject.toml -r mcf -q 2>/dev/null || \
		{ $(UV) run --frozen bandit -c pyproject.toml -r mcf -q; exit 1; }

checks:
	DJANGO_SETTINGS_MODULE=tests.settings $(MANAGE) makemigrations --check --dry-run
	DEBUG=0 SECRET_KEY="$$(head -c 48 /dev/urandom | base64)" ALLOWED_HOSTS=moncompteformation.example \
	  SITE_URL=https://moncompteformation.example \
	  EMAIL_URL=smtp://127.0.0.1:25 NIR_HASH_KEY="$$(head -c 32 /dev/urandom | base64)" \
	  NIR_ENCRYPTION_KEYS="$$($(UV) run --frozen python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())')" \
	  $(MANAGE) check --deploy --fail-level WARNING

# SC-02: the product's dependencies (uv.lock without the dev group) against a vulnerability
# database; where the database cannot be reached, a banner says the audit was not made.
audit:
	@UV="$(UV)" scripts/audit-dependencies

# The product's software bill of materials (CycloneDX 1.6, JSON): var/sbom.cdx.json.
sbom: install
	@mkdir -p var
	$(UV) export --frozen --no-dev --no-hashes --format requirements-txt -q -o var/requirements-prod.txt
	$(UV) run --frozen cyclonedx-py requirements --output-reproducible --of JSON \
	  -o var/sbom.cdx.json var/requirements-prod.txt
	@echo "SBOM : var/sbom.cdx.json"

test-databases:
	@$(MAKE) --no-print-directory test-sqlite
	@$(MAKE) --no-print-directory test-postgres

# The whole-site sweeps (every route × role × field: VAL-01, HDR-01, French text, numbers,
# HEAD, query counts, mass assignment) test the views, not the database: they run once, on
# PostgreSQL, the database the tests trust. The tests that never open the database run once
# too, on SQLite (--database-tests-only: pytest-django refuses them every query, so both
# runs would give them the same result). The views' tests that open the database run on
# PostgreSQL only: the browser stage opens every page, in every state, on SQLite.
test-sqlite:
	DATABASE_URL= $(UV) run --frozen pytest -m "not browser and not slow and not sweep" \
	  --no-web-database-tests -n 2 -q

# A throwaway cluster without the durability a crash of the machine needs (fsync): the
# tests never crash the machine, and commit-heavy tests (flush, TRUNCATE) wait less.
test-postgres:
	DATABASE_URL= PG_SERVER_OPTIONS="-c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
	  scripts/with-postgres $(UV) run --frozen pytest -m "not browser and not slow" \
	  --database-tests-only -n 2 -q

# The AUTH-05/06 acceptance against `make run` under libfaketime (Debian package faketime)
# and `make run`'s restarts (tests/slow/); then the timing measurements (AUTH-04, AUTH-12),
# alone on the machine (no -n: no parallel load).
test-slow: test-servers test-timing

test-servers:
	DATABASE_URL= $(UV) run --frozen pytest -m slow -q tests/slow

test-timing:
	DATABASE_URL= $(UV) run --frozen pytest -m slow -q --ignore=tests/slow

test-browser: node_modules/axe-core/axe.min.js
	DATABASE_URL= $(UV) run --frozen pytest -m browser -n 2 -q

# The gallery of every page, state and width (CONTRIBUTING.md): var/screenshots/index.html.
# The same run as the layout checks of `make test-browser`, with a PNG of each state.
screenshots: install
	rm -rf var/screenshots
	MCF_SCREENSHOTS=var/screenshots DATABASE_URL= $(UV) run --frozen pytest -m browser -q \
	  tests/browser/test_every_page.py

node_modules/axe-core/axe.min.js: package.json package-lock.json
	npm ci --no-audit --no-fund --silent

bench:
	$(UV) run --frozen python bench/run_all.py

# Issue 15 §1: the load test, against production serving on a throwaway PostgreSQL cluster
# (needs nginx: apt-get install nginx-light). ARGS: see bench/load/run.py --help.
bench-load: install
	scripts/with-postgres $(UV) run --frozen --group load python bench/load/run.py $(ARGS)

# Issue 15 §2: fault drills (kill -9 of the web server, PostgreSQL stopped at once, backup
# and restore), each checking that nothing acknowledged was lost. ARGS="--drill web-kill"…
bench-faults: install
	scripts/with-postgres $(UV) run --frozen --group load python bench/faults/run.py $(ARGS)

# The yearly feed killed halfway then re-run: the same ledger as one clean import.
bench-faults-feed: install
	scripts/with-postgres $(UV) run --frozen python bench/faults/feed_kill.py $(ARGS)

# The task worker killed while it delivers mails and loads a feed upload; the mail server
# down for an hour (ARGS="--drill smtp-down --outage-minutes 60"): nothing lost, order kept.
bench-faults-worker: install
	scripts/with-postgres $(UV) run --frozen --group load python bench/faults/worker.py $(ARGS)

# Issue 15 §3 (SC-02): a dynamic scan (wapiti, fetched by uvx) of the production stack,
# signed in as a holder; findings in var/security/, triage in docs/reliability.md.
bench-dast: install
	scripts/with-postgres $(UV) run --frozen --group load python bench/security/dast.py $(ARGS)

# The open API (docs/api.md): its costs at 300 000 offers / 100 000 dossiers, and a
# financeur's system driving it end to end (token, dossiers, validation, signed webhooks).
bench-api: install
	DATABASE_URL= scripts/with-postgres $(UV) run --frozen python bench/api.py

api-demo: install
	$(UV) run --frozen python bench/api_client_demo.py

clean:
	rm -rf var .venv node_modules
