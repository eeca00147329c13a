# Two commands on a fresh machine (Python >= 3.11):
#   make serve   install, migrate, seed the Pekanbaru 2018 programme, serve the API on :8000
#   make test    install with the test extras and run the test suite
#   make bench   the votes benchmark on PostgreSQL (database council_bench, created if missing and wiped;
#                COUNCIL_BENCH_DATABASE_URL to use another; ARGS="--members 300" for a shorter run)
VENV ?= .venv
PYTHON ?= python3
STAMP := $(VENV)/.installed

.PHONY: install serve test schema bench

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

serve: $(STAMP)
	$(VENV)/bin/council migrate
	$(VENV)/bin/council seed pekanbaru-2018
	$(VENV)/bin/council serve

test: $(STAMP)
	$(VENV)/bin/pytest

schema: $(STAMP)
	$(VENV)/bin/council export-schema

bench: $(STAMP)
	COUNCIL_BENCH_DATABASE_URL=$${COUNCIL_BENCH_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/council_bench} \
	  $(VENV)/bin/python benchmarks/votes.py $(ARGS)
