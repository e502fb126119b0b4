# Two commands on a fresh machine: `make run` (set up, build the warehouse) and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 3000
STAMP := $(VENV)/.installed
export DAGSTER_HOME ?= $(CURDIR)/.dagster_home

.PHONY: setup run test ui lint evaluate clean

$(STAMP): pyproject.toml
	$(PYTHON) -m pip install --quiet --disable-pip-version-check uv
	$(PYTHON) -m uv venv --quiet --allow-existing --python $(PYTHON) $(VENV)
	$(PYTHON) -m uv pip install --quiet --python $(PY) -e ".[dev]"
	touch $(STAMP)

setup: $(STAMP)

run: setup
	$(PY) -m pipeline build

test: setup
	$(PY) -m pytest

ui: setup
	cd $(CURDIR) && VIRTUAL_ENV=$(CURDIR)/$(VENV) PATH=$(CURDIR)/$(VENV)/bin:$$PATH dg dev --host 127.0.0.1 --port $(PORT)

lint: setup
	$(VENV)/bin/ruff check pipeline schemas tests benchmarks
	$(VENV)/bin/ruff format --check pipeline schemas tests benchmarks

evaluate: setup
	$(PY) -m pipeline evaluate

clean:
	rm -rf $(VENV) warehouse/parquet warehouse/*.duckdb
