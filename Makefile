# Every target installs what it needs into .venv first, so each works on a fresh clone.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test test-fast lint bench docs clean

$(BIN)/python:
	$(PY) -m venv $(VENV)

demo: $(BIN)/python
	$(BIN)/pip install -q -e . && $(BIN)/womsim demo

test: $(BIN)/python
	$(BIN)/pip install -q -e ".[dev]" && $(BIN)/python -m pytest

test-fast: $(BIN)/python
	$(BIN)/python -m pytest -m "not slow"

lint:
	$(BIN)/ruff check womsim tests benchmarks

bench: $(BIN)/python
	$(BIN)/pip install -q -e ".[dev,bench]" && $(BIN)/python -m benchmarks.run

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .ruff_cache

docs: $(BIN)/python
	$(BIN)/pip install -q -e ".[dev]" && $(BIN)/python -m mkdocs build --strict
