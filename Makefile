# The README's two commands: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: run test services browser lint typecheck unit integration bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/mangaassist dev

services:
	bash deploy/local/ensure-services.sh

browser:
	bash deploy/local/ensure-browser.sh

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP)
	$(BIN)/pytest tests/unit

integration: $(STAMP) services browser
	$(BIN)/pytest tests/integration

test: $(STAMP) services browser lint typecheck
	$(BIN)/pytest

bench: $(STAMP)
	$(BIN)/mangaassist bench

clean:
	rm -rf $(VENV) var .mypy_cache .ruff_cache .pytest_cache
