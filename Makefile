# The two set-up commands of README.md: `make run` (the site on the demo data) and `make test` (everything CI runs).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
export DAILYPAPERS_HOME ?= ./data

.PHONY: install install-test run demo test lint bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

install: $(BIN)/python
	$(BIN)/pip install --quiet "torch==2.13.0"
	$(BIN)/pip install --quiet -e .

install-test: install
	$(BIN)/pip install --quiet -e ".[test]"
	./scripts/install-system-deps

demo: install
	$(BIN)/dailypapers demo

run: demo
	$(BIN)/dailypapers index
	$(BIN)/dailypapers serve --host 127.0.0.1 --port 8000

lint: install-test
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy

test: lint
	$(BIN)/pytest -n 2 --dist loadgroup

bench: install-test
	$(BIN)/python -m bench.import_speed

clean:
	rm -rf $(VENV) data build dist .pytest_cache .mypy_cache .ruff_cache
