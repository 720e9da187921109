"""Schema migrations (Alembic, ordered, one transaction each) and the check that refuses an outdated schema."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config as AlembicConfig
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from dailypapers.storage.db import Store

_SCRIPTS = Path(__file__).parent / "migrations"


class SchemaOutdated(RuntimeError):
    """The store's schema is behind this version of dailypapers."""


def _alembic_config(store: Store) -> AlembicConfig:
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(_SCRIPTS))
    return cfg


def head_revision() -> str | None:
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(_SCRIPTS))
    return ScriptDirectory.from_config(cfg).get_current_head()


def current_revision(store: Store) -> str | None:
    with store.engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(store: Store, revision: str = "head") -> tuple[str | None, str | None]:
    """Apply pending migrations; returns (revision before, revision after)."""
    before = current_revision(store)
    cfg = _alembic_config(store)
    with store.engine.connect() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)
        conn.commit()
    return before, current_revision(store)


def check_schema(store: Store) -> None:
    """Raise SchemaOutdated with the command that fixes it, unless the schema is at the newest revision."""
    current, head = current_revision(store), head_revision()
    if current != head:
        where = "an empty store" if current is None else f"schema revision {current}"
        raise SchemaOutdated(f"{where} needs migrating to {head}: run `dailypapers db upgrade` (or `dailypapers init`)")
