# gkaudit — the two commands of the README are `make run` and `make test`; both do all the setup.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: setup run test lint bench clean

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml scripts/setup-system.sh
	bash scripts/setup-system.sh
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q -U pip
	$(BIN)/pip install -q -e ".[dev]"
	touch $@

run: setup
	bash scripts/run-sample.sh

test: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest -p no:cacheprovider

bench: setup
	$(BIN)/python scripts/bench.py

clean:
	rm -rf $(VENV) data
	find reports_out -mindepth 1 ! -name .gitkeep -delete
