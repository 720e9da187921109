"""Schema migrations (Alembic, ordered, one transaction each) and the check that refuses an outdated schema."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config as AlembicConfig
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from dailypapers.storage.db import Store

_INSUFFICIENT_PRIVILEGE = "42501"
_SCRIPTS = Path(__file__).parent / "migrations"


class MissingExtension(RuntimeError):
    """A PostgreSQL extension the schema needs is absent and this role cannot create it; says who must do what."""


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


def require_extensions(store: Store) -> None:
    """Create pgvector if it is missing, or raise MissingExtension saying exactly what it needs (before any migration
    runs, so a store that cannot have it is left as it was, not stopped half-way at 0001).

    CREATE EXTENSION vector needs a superuser (pgvector is not a trusted extension); once it exists, the database's
    owner migrates alone. SQLite needs nothing."""
    if store.is_sqlite:
        return
    with store.engine.connect() as conn:
        if conn.execute(text("SELECT 1 FROM pg_extension WHERE extname = 'vector'")).first():
            return
        database = store.engine.url.database
        create = f"sudo -u postgres psql -d {database} -c 'CREATE EXTENSION vector'"
        if not conn.execute(text("SELECT 1 FROM pg_available_extensions WHERE name = 'vector'")).first():
            major = int(conn.execute(text("SHOW server_version_num")).scalar_one()) // 10000
            raise MissingExtension(
                f"pgvector is not installed on the database server: install postgresql-{major}-pgvector "
                f"(from apt.postgresql.org, or build it from source), then run {create} (see README, PostgreSQL)"
            )
        try:
            conn.execute(text("CREATE EXTENSION vector"))
            conn.commit()
        except DBAPIError as exc:
            if getattr(exc.orig, "sqlstate", None) != _INSUFFICIENT_PRIVILEGE:
                raise
            raise MissingExtension(
                f"the vector extension must be created once by a superuser: {create} (then run this again)"
            ) from None


def upgrade(store: Store, revision: str = "head") -> tuple[str | None, str | None]:
    """Apply pending migrations; returns (revision before, revision after)."""
    require_extensions(store)
    before = current_revision(store)
    cfg = _alembic_config(store)
    with store.engine.connect() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)
        conn.commit()
    after = current_revision(store)
    if store.dialect == "postgresql" and after != before:
        _vacuum_papers(store)
    return before, after


def _vacuum_papers(store: Store) -> None:
    """VACUUM (ANALYZE) papers after a migration that may have rewritten it (0026 rebuilds its tsvector): a rewritten
    table has no page marked all-visible, so counting a word's papers (migration 0024) reads every row it counts,
    10x slower, until autovacuum comes by. Outside a transaction, as VACUUM requires; a second on 80k papers."""
    with store.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM (ANALYZE) papers"))


def check_schema(store: Store) -> None:
    """Raise SchemaOutdated with the command that fixes it, unless the schema is at the newest revision."""
    current, head = current_revision(store), head_revision()
    if current != head:
        where = "an empty store" if current is None else f"schema revision {current}"
        raise SchemaOutdated(f"{where} needs migrating to {head}: run `dailypapers db upgrade` (or `dailypapers init`)")
