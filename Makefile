# Bonded Ledger. `make run` and `make test` set everything up on a fresh machine.
PYTHON ?= python3
PORT ?= 8000
# where the demo's server may push warnings besides public addresses: receivers on this machine
DEMO_WEBHOOK_ALLOW ?= 127.0.0.0/8,::1,localhost
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: install run test lint unit bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

run: install  ## load the demo into ./bonded.db, print a token per role, serve the API on :8000
	$(BIN)/bonded demo
	BONDED_WEBHOOK_ALLOW="$(DEMO_WEBHOOK_ALLOW)" $(BIN)/bonded serve --port $(PORT)

lint: install
	$(BIN)/ruff check ledger commands projections api tests bench
	$(BIN)/ruff format --check --quiet ledger commands projections api tests bench
	$(BIN)/mypy

test: lint  ## the whole suite; PostgreSQL tests run when a server answers (always under CI=true)
	$(BIN)/pytest

unit: install
	$(BIN)/pytest tests/unit -q

bench: install
	$(BIN)/python bench/bench_write.py

clean:
	rm -rf $(VENV) bonded.db bonded.db-wal bonded.db-shm .pytest_cache .mypy_cache .ruff_cache
