"""`dailypapers db upgrade` as a database's owner who is not a superuser: what pgvector needs, in one line."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import ENGINES
from dailypapers.cli.main import app
from dailypapers.config import Config
from dailypapers.storage import open_store
from dailypapers.storage.migrate import current_revision, head_revision
from dailypapers.testing.stores import QUIET, PostgresFactory

pytestmark = pytest.mark.skipif("postgresql" not in ENGINES, reason="PostgreSQL only")
runner = CliRunner()


def upgrade_as_owner(url: str, home: Path) -> tuple[int, str, str | None]:
    env = {**QUIET, "DAILYPAPERS_HOME": str(home), "DATABASE_URL": url}
    result = runner.invoke(app, ["db", "upgrade"], env=env)
    store = open_store(Config.from_env({}, **env))
    try:
        return result.exit_code, result.output, current_revision(store)
    finally:
        store.dispose()


def test_an_owner_without_the_extension_is_told_a_superuser_must_create_it_and_nothing_is_migrated(
    postgres_factory: PostgresFactory, tmp_path: Path
) -> None:
    url = postgres_factory.empty_database_of("dp_owner", with_vector=False)
    code, output, revision = upgrade_as_owner(url, tmp_path)
    assert code == 2
    assert len(output.strip().splitlines()) == 1
    assert "must be created once by a superuser" in output and "CREATE EXTENSION vector" in output
    assert revision is None


def test_an_owner_migrates_alone_once_a_superuser_created_the_extension(
    postgres_factory: PostgresFactory, tmp_path: Path
) -> None:
    url = postgres_factory.empty_database_of("dp_owner", with_vector=True)
    code, output, revision = upgrade_as_owner(url, tmp_path)
    assert code == 0, output
    assert revision == head_revision()
