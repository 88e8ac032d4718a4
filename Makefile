# Two commands do everything on a fresh machine:
#   make run   - set up, build, migrate, load demo data and serve on http://127.0.0.1:8000
#   make test  - set up, lint, check and run the whole suite (browser journeys included)

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test install frontend chromium lint check pytest test-services serve clean

$(VENV)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

portal/static/dist/portal.css: node_modules/.installed frontend/build.mjs $(wildcard frontend/scss/*.scss)
	npm run --silent build

install: $(VENV)/.installed

frontend: portal/static/dist/portal.css

# Debian's Chromium drives the browser journeys; browser downloads do not work here.
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "Installing Debian's chromium for the browser tests"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) >/dev/null; }
	@command -v chromium >/dev/null 2>&1 || { echo "chromium is missing and could not be installed"; exit 1; }

# What a council would see: the portal's own error pages, compressed static files cached
# for a year, and emailed links and calendar files that point at this address.
RUN_ENV := DEBUG=false SITE_URL=http://$(HOST):$(PORT)

run: install frontend
	$(RUN_ENV) $(PY) manage.py migrate --noinput
	$(RUN_ENV) $(PY) manage.py collectstatic --noinput -v0
	$(RUN_ENV) $(PY) manage.py seed_demo
	@# The work on a clock (concern escalation, duty cover, reminders) runs beside the server.
	$(RUN_ENV) $(PY) manage.py run_schedule & schedule=$$!; \
	trap 'kill $$schedule 2>/dev/null' EXIT INT TERM; \
	$(RUN_ENV) $(VENV)/bin/daphne -b $(HOST) -p $(PORT) portal.asgi:application

# The same checks run by pre-commit (.pre-commit-config.yaml) on each commit.
lint: install node_modules/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/djlint --lint .
	node_modules/.bin/eslint .
	$(VENV)/bin/mypy

check: install
	$(PY) manage.py check
	$(PY) manage.py makemigrations --check --dry-run

# Two runs: the tests that keep to one transaction in parallel (one process a core, each
# with its own database), then those that empty the database as they end (browser
# journeys, live servers, races) one at a time: they must not share a database with the
# first kind, and on two cores they took as long in parallel. Exit status 5 is "no tests
# collected" (PYTEST_ARGS chose only one kind).
PYTEST_WORKERS ?= 2
EMPTYING ?= transactional
PYTEST_RUN = $(VENV)/bin/pytest -n $(PYTEST_WORKERS) --dist loadfile -m "not transactional" \
	$(PYTEST_ARGS) || [ $$? -eq 5 ] || exit 1; \
	$(VENV)/bin/pytest -m "$(EMPTYING)" $(PYTEST_ARGS) || [ $$? -eq 5 ] || exit 1

pytest: install frontend chromium
	@$(PYTEST_RUN)

test: lint check pytest

# The suite against PostgreSQL and Redis on this machine (each run gets its own database;
# parallel workers use REDIS_URL's database and the next). The browser journeys that do not
# need Redis ran in `make test` against the same code and are left out here: on two cores
# they were most of its time.
test-services: EMPTYING = transactional and (services or not browser)
test-services: install frontend chromium
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/portal} \
	REDIS_URL=$${REDIS_URL:-redis://127.0.0.1:6379/1} \
	PORTAL_REQUIRE_SERVICES=1 sh -c '$(PYTEST_RUN)'

clean:
	rm -rf $(VENV) node_modules portal/static/dist staticfiles db.sqlite3*
