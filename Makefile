# Two commands on a fresh machine (Python >= 3.11):
#   make serve   install, migrate, seed the Pekanbaru 2018 programme, serve the API on :8000
#   make test    install with the test extras and run the test suite
#   make bench   the votes benchmark on PostgreSQL (COUNCIL_BENCH_DATABASE_URL; ARGS=--members 1000)
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
	$(VENV)/bin/python benchmarks/votes.py $(ARGS)
