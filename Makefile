# Two commands on a fresh machine: `make run` (set up, build the warehouse) and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 3000
STAMP := $(VENV)/.installed
export DAGSTER_HOME ?= $(CURDIR)/.dagster_home

.PHONY: setup browser run test ui lint evaluate release clean

SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

# The virtual environment comes first and uv is installed inside it, so nothing is installed
# system-wide: this works with Debian's and Ubuntu's own python3 (PEP 668), pyenv and the official images.
$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null || { \
	  echo "setup needs Python >= 3.11; '$(PYTHON)' is older or missing: run make PYTHON=python3.12 (or another)" >&2; exit 1; }
	@$(PY) -m pip --version >/dev/null 2>&1 || { rm -rf $(VENV) && $(PYTHON) -m venv $(VENV); } || { \
	  rm -rf $(VENV); echo "'$(PYTHON) -m venv' failed: on Debian or Ubuntu install python3-venv (sudo apt install python3-venv)" >&2; exit 1; }
	$(PY) -m pip install --quiet --disable-pip-version-check uv
	$(PY) -m uv pip install --quiet --python $(PY) -e ".[dev]"
	touch $(STAMP)

setup: $(STAMP)

run: setup
	$(PY) -m pipeline build

# Headless Chromium for the browser test of the Dagster UI (Debian's package).
browser:
	@command -v chromium >/dev/null 2>&1 || { $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium; }

test: setup browser
	$(PY) -m pytest

# `dg dev` runs in its own session; SIGTERM (make forwards it) or Ctrl-C stops the whole session -
# web server, daemon, code servers - and whatever has not stopped after 5 s is killed.
ui: setup
	@cd $(CURDIR) && export VIRTUAL_ENV=$(CURDIR)/$(VENV) PATH=$(CURDIR)/$(VENV)/bin:$$PATH; \
	setsid dg dev --host 127.0.0.1 --port $(PORT) & pid=$$!; \
	trap 'kill -TERM -$$pid 2>/dev/null; for i in 1 2 3 4 5; do kill -0 -$$pid 2>/dev/null || exit 0; sleep 1; done; \
	      kill -KILL -$$pid 2>/dev/null; exit 0' TERM INT; \
	wait $$pid

lint: setup
	$(VENV)/bin/ruff check pipeline schemas tests benchmarks
	$(VENV)/bin/ruff format --check pipeline schemas tests benchmarks

evaluate: setup
	$(PY) -m pipeline evaluate

release: run
	$(PY) -m pipeline release

clean:
	rm -rf $(VENV) warehouse/parquet warehouse/*.duckdb
