# Every target installs what it needs into .venv first, so each works on a fresh clone.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
DEV := $(VENV)/.dev-installed

.PHONY: demo test test-fast lint bench docs clean

$(BIN)/python:
	$(PY) -m venv $(VENV)

# the dev extras (pytest, ruff, mkdocs...), reinstalled when pyproject.toml changes
$(DEV): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e ".[dev]" && touch $@

demo: | $(BIN)/python
	$(BIN)/python -m pip install -q -e . && $(BIN)/womsim demo

test: $(DEV)
	$(BIN)/python -m pytest

test-fast: $(DEV)
	$(BIN)/python -m pytest -m "not slow"

lint: $(DEV)
	$(BIN)/ruff check .

bench: $(DEV)
	$(BIN)/python -m pip install -q -e ".[dev,bench]" && $(BIN)/python -m benchmarks.run

docs: $(DEV)
	$(BIN)/python -m mkdocs build --strict

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .ruff_cache
