# The two quick-start commands. Each builds .venv on first use and installs what it needs.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint clean

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

## run: the main job — pull every source (mirror, cache or download) and print the data status.
run: $(STAMP)
	$(BIN)/mlsalary data pull
	$(BIN)/mlsalary data status

## test: the whole test suite, then ruff and mypy.
test: $(STAMP)
	$(BIN)/pytest -q
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/mypy

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
