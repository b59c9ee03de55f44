# gkaudit — the two commands of the README are `make run` and `make test`; both do all the setup.
#   make run     set up, then `gkaudit demo`: the whole pipeline (crawl → audit → outputs) against demo
#                portals served on 127.0.0.1 from the project's own sample; outputs in reports_out/
#   make test    set up, then ruff and the whole test suite (what .ci/run calls)
#   make sample  set up, then ingest the sample without crawling, audit it and print the ledger
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: setup run sample test lint bench clean

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml scripts/setup-system.sh
	bash scripts/setup-system.sh
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q -U pip
	$(BIN)/pip install -q -e ".[dev]"
	touch $@

run: setup
	$(BIN)/gkaudit demo

sample: setup
	bash scripts/run-sample.sh

test: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest -p no:cacheprovider

# make bench BENCH="--quick"  or  BENCH="--compare main . --only throughput --docs 500"
bench: setup
	$(BIN)/python scripts/bench.py $(BENCH)

clean:
	rm -rf $(VENV) data
	find reports_out -mindepth 1 ! -name .gitkeep -delete
