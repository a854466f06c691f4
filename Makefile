# `make run` starts the chat; `make check` lints, type-checks and runs the fast tests (under a minute);
# `make test` runs the whole suite on every core (a worker more than cores). Each creates .venv when it is missing.
PYTHON ?= $(shell for p in python3.13 python3.12 python3.11 python3; do command -v $$p >/dev/null && $$p -c 'import sys; sys.exit(not (3,11) <= sys.version_info[:2] < (3,14))' && echo $$p && break; done)
VENV := .venv
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)
PORT ?= 8000
HOST ?= 127.0.0.1

FAST := not e2e and not browser and not postgres and not render and not slow
# One test worker more than there are cores: the end-to-end and browser tests spend a quarter of their time waiting
# (for servers, Chromium, a job's next step), and a third worker uses it: 657 s against 742 s on two cores.
WORKERS := $(shell echo $$(( $$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo 1) + 1 )))

# Python keeps compiled modules (and pytest its rewritten test modules) in __pycache__, unless the environment says
# not to: then every pytest process compiles the suite again, 2.5 of its 7 s of CPU to collect.
unexport PYTHONDONTWRITEBYTECODE

.PHONY: run check test lint types

$(STAMP): pyproject.toml
	@test -n "$(PYTHON)" || { echo "Python 3.11 to 3.13 is required"; exit 1; }
	@test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install -q --upgrade pip
	$(VENV)/bin/python -m pip install -q -e '.[dev]'
	@rm -f $(VENV)/.installed-*; touch $@

run: $(STAMP)
	$(VENV)/bin/clapboard serve --host $(HOST) --port $(PORT)

check: lint types
	$(VENV)/bin/python -m pytest -q -n 2 -m "$(FAST)"

test: $(STAMP)
	$(VENV)/bin/python -m pytest -q -n $(WORKERS)

lint: $(STAMP)
	$(VENV)/bin/ruff check . && $(VENV)/bin/ruff format --check .

types: $(STAMP)
	$(VENV)/bin/mypy
