"""Real stores for every test: each test that takes `store` runs on SQLite and on PostgreSQL.

Set DAILYPAPERS_TEST_ENGINES=sqlite (or postgresql) to run on one engine only.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from dailypapers.config import Config
from dailypapers.ingest.files import LineSource
from dailypapers.ingest.kaggle import read_kaggle
from dailypapers.services.imports import import_items
from dailypapers.storage import Store, open_store
from dailypapers.testing.stores import PostgresFactory, SQLiteFactory
from helpers.ingest import FEW_PAPERS

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
ENGINES = [e.strip() for e in os.environ.get("DAILYPAPERS_TEST_ENGINES", "sqlite,postgresql").split(",") if e]


@pytest.fixture(scope="session")
def shared() -> Path:
    if not SHARED.is_dir():
        pytest.skip(f"shared data not found at {SHARED}")
    return SHARED


@pytest.fixture(scope="session")
def sqlite_factory(tmp_path_factory: pytest.TempPathFactory) -> SQLiteFactory:
    return SQLiteFactory(tmp_path_factory.mktemp("sqlite-template"))


@pytest.fixture(scope="session")
def postgres_factory(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PostgresFactory]:
    factory = PostgresFactory(tmp_path_factory.mktemp("pgdata"))
    yield factory
    factory.close()


@pytest.fixture(params=ENGINES)
def config(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Config]:
    """Settings for a fresh, migrated store on each engine, with the data directory in tmp_path."""
    if request.param == "sqlite":
        yield request.getfixturevalue("sqlite_factory").config(tmp_path / "home")
        return
    factory: PostgresFactory = request.getfixturevalue("postgres_factory")
    cfg = factory.config(tmp_path / "home")
    yield cfg
    factory.drop(cfg)


@pytest.fixture
def postgres_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """A fresh, migrated PostgreSQL store, for tests of what only PostgreSQL has (its tsvector, its migrations)."""
    if "postgresql" not in ENGINES:
        pytest.skip("a PostgreSQL-only test")
    factory: PostgresFactory = request.getfixturevalue("postgres_factory")
    cfg = factory.config(tmp_path / "pg")
    store = open_store(cfg)
    yield store
    store.dispose()
    factory.drop(cfg)


@pytest.fixture
def store(config: Config) -> Iterator[Store]:
    store = open_store(config)
    yield store
    store.dispose()


@pytest.fixture
def cli_env(config: Config, monkeypatch: pytest.MonkeyPatch) -> Config:
    """Point the CLI (which reads the environment) at the test's store."""
    for name, value in config.values.items():
        monkeypatch.setenv(name, value)
    return config


@pytest.fixture
def few(store: Store, config: Config, shared: Path) -> Store:
    """A store with the first FEW_PAPERS papers of the Kaggle sample, set to embed with the torch backend.

    The reference backend loads in seconds; the ONNX export is exercised by bench/embed_throughput.py."""
    config.values["DAILYPAPERS_EMBEDDING_BACKEND"] = "torch"
    items = read_kaggle(LineSource(shared / "fixtures" / "kaggle-arxiv-metadata-snapshot.sample.jsonl"))
    import_items(store, itertools.islice(items, FEW_PAPERS))
    return store
