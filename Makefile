# Bonded Ledger. `make run` and `make test` set everything up on a fresh machine.
PYTHON ?= python3
PORT ?= 8000
# where the demo's server may push warnings besides public addresses: receivers on this machine
DEMO_WEBHOOK_ALLOW ?= 127.0.0.0/8,::1,localhost
VENV ?= .venv
# the suite on both cores; each test file stays on one worker (its module fixtures once)
TEST_WORKERS ?= 2
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: install run test lint browser cluster-packages cluster cluster-stop catalogues unit bench clean

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
	$(BIN)/ruff check ledger commands projections api cluster tests bench
	$(BIN)/ruff format --check --quiet ledger commands projections api cluster tests bench
	$(BIN)/mypy

# The browser tests drive Debian's chromium (Playwright never downloads one): installed here
# with apt-get, as root (or through sudo), only when `chromium` is not on PATH and
# BONDED_CHROMIUM names no other.
browser:  ## Debian's chromium for the browser tests (tests/browser), installed when missing
	@if [ -z "$$BONDED_CHROMIUM" ] && ! command -v chromium >/dev/null 2>&1; then \
	  echo "chromium is missing: installing Debian's chromium with apt-get"; \
	  if [ "$$(id -u)" = 0 ]; then as_root=; else as_root=sudo; fi; \
	  $$as_root apt-get update && \
	  $$as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y chromium; \
	fi

# The cluster's engines for the failover tests (tests/e2e/test_failover.py) and `make cluster`:
# Debian's patroni, etcd-server and haproxy, installed with apt-get as root (or through sudo)
# when missing; without either the failover tests skip, saying so (under CI=true they fail).
cluster-packages:  ## Debian's patroni, etcd-server and haproxy, installed when missing
	@if ! command -v patroni >/dev/null 2>&1 || ! command -v etcd >/dev/null 2>&1 || \
	    ! { command -v haproxy >/dev/null 2>&1 || [ -x /usr/sbin/haproxy ]; }; then \
	  echo "the cluster's packages are missing: installing Debian's patroni, etcd-server and haproxy"; \
	  if [ "$$(id -u)" = 0 ]; then as_root=; elif command -v sudo >/dev/null 2>&1; then as_root="sudo -n"; \
	  else echo "not root and no sudo: the failover tests will skip"; exit 0; fi; \
	  $$as_root apt-get update -q && \
	  $$as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q patroni etcd-server haproxy; \
	fi

cluster: install cluster-packages  ## start the PostgreSQL cluster (Patroni, etcd, HAProxy) on loopback ports 55400+
	$(BIN)/python -m cluster start

cluster-stop: install  ## stop the cluster `make cluster` started
	$(BIN)/python -m cluster stop

test: lint browser cluster-packages  ## the whole suite; PostgreSQL, browser and failover tests run when they can (always under CI=true)
	$(BIN)/pytest -n $(TEST_WORKERS) --dist loadfile -m "not alone"
	$(BIN)/pytest -m alone

# The pages' Vietnamese: messages extracted from api/web and the templates, merged into
# api/locale/vi/LC_MESSAGES/messages.po (translate what is new there), then compiled to the
# .mo the server reads. Both files are committed; tests/unit/test_catalogues.py fails when a
# message has no translation or the .mo is older than the .po.
catalogues: install  ## extract, update and compile the pages' Vietnamese catalogue
	$(BIN)/pybabel extract -F api/babel.cfg -o api/locale/messages.pot --no-location --sort-output --omit-header .
	$(BIN)/pybabel update -i api/locale/messages.pot -d api/locale -l vi --no-fuzzy-matching --ignore-obsolete
	$(BIN)/pybabel compile --statistics -d api/locale -l vi

unit: install
	$(BIN)/pytest tests/unit -q

bench: install
	$(BIN)/python bench/bench_write.py

clean:
	rm -rf $(VENV) bonded.db bonded.db-wal bonded.db-shm .pytest_cache .mypy_cache .ruff_cache
