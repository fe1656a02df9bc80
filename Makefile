# The two commands: `make run` (the bot; the console when no platform credentials are set)
# and `make test` (lint, types, every test tier). Both create .venv and install what they need.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export MICROMENTOR_TEST_POSTGRES_URL ?= postgresql+asyncpg://postgres@127.0.0.1:5432/test

.PHONY: run test lint typecheck pytest demo bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,charts]'
	touch $(STAMP)

# `make run` for a try-out; production installs only the runtime (README: Run with systemd).
run: $(STAMP)
	$(BIN)/micromentor run

demo: $(STAMP)
	$(BIN)/micromentor demo

test: lint typecheck pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy bot adapters storage schedules

pytest: $(STAMP)
	$(BIN)/pytest -q

bench: $(STAMP)
	for f in benchmarks/*.py; do $(BIN)/python $$f || exit 1; done

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
