# Two commands on a fresh machine (Python >= 3.11, Node.js >= 20.19 with npm):
#   make serve   install, build the web client, migrate, seed the Pekanbaru 2018 programme, register the
#                web client's OAuth client, serve the API and the web client on 127.0.0.1:8000 (COUNCIL_PORT /
#                COUNCIL_HOST move it, and the token issuer with it unless COUNCIL_TOKEN_ISSUER is set); both
#                `council web setup` and `council serve` print the address to open
#   make test    install with the test extras, build the web client, make sure Debian's chromium is
#                there (installs it when root), run the test suite (browser tests included)
#   make test-fast  the test suite without the browser tests (-m "not e2e"): no web build, no chromium
#   make web     build the web client into web/dist (npm ci first when package-lock.json changed)
#   make wheel   build the web client, then the wheel into dist/ (it ships workflows/ and web/dist: setup.py)
#   make check   the static checks: ruff (lint and format), the layer contracts of pyproject.toml (import-linter),
#                the types (mypy), the web client's eslint and tsc (check-web)
#   make check-web  the web client's eslint and tsc (after its codegen)
#   make bench   the votes benchmark on PostgreSQL (database council_bench, created if missing and wiped;
#                COUNCIL_BENCH_DATABASE_URL to use another; ARGS="--members 300" for a shorter run)
VENV ?= .venv
PYTHON ?= python3
NPM ?= npm
STAMP := $(VENV)/.installed
WEB_MODULES := web/node_modules/.installed
# What the bundle is built from (not web/src/generated: the build writes it).
WEB_SOURCES = $(shell find web -path web/node_modules -prune -o -path web/dist -prune -o -path web/src/generated -prune \
                -o -type f ! -name "*.tsbuildinfo" -print 2>/dev/null) $(wildcard graphql/schema.graphql graphql/operations/*.graphql)

.PHONY: install serve test test-fast schema bench web wheel chromium check check-web

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

$(WEB_MODULES): web/package-lock.json web/package.json
	cd web && $(NPM) ci --no-audit --no-fund
	touch $(WEB_MODULES)

web/dist/index.html: $(WEB_MODULES) $(WEB_SOURCES)
	cd web && $(NPM) run build
	touch web/dist/index.html

web: web/dist/index.html

wheel: web
	$(PYTHON) -m pip wheel --no-deps --wheel-dir dist .

chromium:
	scripts/ensure-chromium

serve: $(STAMP) web
	$(VENV)/bin/council migrate
	$(VENV)/bin/council seed pekanbaru-2018
	$(VENV)/bin/council web setup --organization diskominfotik
	$(VENV)/bin/council serve

test: $(STAMP) web chromium
	$(VENV)/bin/pytest

test-fast: $(STAMP)
	$(VENV)/bin/pytest -m "not e2e"

check: $(STAMP) check-web
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy council

check-web: $(WEB_MODULES)
	cd web && $(NPM) run lint && $(NPM) run typecheck

schema: $(STAMP)
	$(VENV)/bin/council export-schema

bench: $(STAMP)
	COUNCIL_BENCH_DATABASE_URL=$${COUNCIL_BENCH_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/council_bench} \
	  $(VENV)/bin/python benchmarks/votes.py $(ARGS)
