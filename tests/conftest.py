import os
import shutil
from pathlib import Path

import duckdb
import pytest

from pipeline.cli import build
from pipeline.evaluate import load_warehouse
from pipeline.publish import DUCKDB_NAME, PARQUET_DIR

ROOT = Path(__file__).resolve().parent.parent
RAW = ROOT / "raw"
GOLD = ROOT / "tests" / "fixtures" / "seeds" / "gold"
DEV_RAW = ROOT / "tests" / "fixtures" / "dev" / "raw"
DEV_GOLD = ROOT / "tests" / "fixtures" / "dev" / "gold"
REAL = ROOT / "tests" / "fixtures" / "real"


@pytest.fixture(scope="session", autouse=True)
def test_dagster_instance(tmp_path_factory):
    """Tests write their runs into a throw-away instance, never the project's own .dagster_home."""
    home = tmp_path_factory.mktemp("dagster_home")
    shutil.copy(ROOT / ".dagster_home" / "dagster.yaml", home / "dagster.yaml")
    saved = os.environ.get("DAGSTER_HOME")
    os.environ["DAGSTER_HOME"] = str(home)
    yield
    if saved is None:
        os.environ.pop("DAGSTER_HOME", None)
    else:
        os.environ["DAGSTER_HOME"] = saved


@pytest.fixture(scope="session")
def seed_warehouse(tmp_path_factory) -> Path:
    """The five seed articles built into a fresh warehouse, once per test session."""
    warehouse = tmp_path_factory.mktemp("seed-warehouse")
    build(RAW, warehouse, quiet=True)
    return warehouse


@pytest.fixture(scope="session")
def seed_tables(seed_warehouse):
    return load_warehouse(seed_warehouse / PARQUET_DIR)


@pytest.fixture(scope="session")
def dev_tables(tmp_path_factory):
    warehouse = tmp_path_factory.mktemp("dev-warehouse")
    build(DEV_RAW, warehouse, quiet=True)
    return load_warehouse(warehouse / PARQUET_DIR)


@pytest.fixture(scope="session")
def real_tables(tmp_path_factory):
    """The real articles built with the committed models (in-sample: they were fitted on these)."""
    warehouse = tmp_path_factory.mktemp("real-warehouse")
    build(REAL / "raw", warehouse, quiet=True)
    return load_warehouse(warehouse / PARQUET_DIR)


@pytest.fixture(scope="session")
def real_cross_validation():
    """`python -m pipeline evaluate --cv 5` on the real articles: each fold scored by models fitted without it."""
    from pipeline.train.corpus import load_training_set
    from pipeline.train.cv import cross_validate

    return cross_validate(load_training_set(REAL), 5)


@pytest.fixture()
def seed_db(seed_warehouse):
    con = duckdb.connect(str(seed_warehouse / DUCKDB_NAME), read_only=True)
    yield con
    con.close()
