"""Fresh, migrated stores for tests and benchmarks, fast: each is cloned from a template migrated once."""

from __future__ import annotations

import itertools
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from sqlalchemy import text

from dailypapers.config import Config
from dailypapers.storage import Store, make_engine
from dailypapers.storage.migrate import upgrade

_counter = itertools.count()


# No background fetch-queue thread in test apps: tests run the queue's steps themselves (or turn it on). No
# thumbnails from arxiv.org either: thumbnail tests point DAILYPAPERS_ARXIV_PDF_URL at a loopback server. No page
# cache: most tests change data through services and read the page at once (tests/test_page_cache.py turns it on;
# DAILYPAPERS_TEST_PAGE_CACHE_SECONDS runs any test module with it on).
QUIET = {
    "DAILYPAPERS_FETCH_WORKER": "0",
    "DAILYPAPERS_ARXIV_PDF_URL": "",
    "DAILYPAPERS_PAGE_CACHE_SECONDS": os.environ.get("DAILYPAPERS_TEST_PAGE_CACHE_SECONDS", "0"),
}


class SQLiteFactory:
    """Copies a migrated template SQLite file into each new store's data directory."""

    def __init__(self, workdir: Path):
        self.template = workdir / "template.db"
        store = Store(make_engine(f"sqlite:///{self.template}"))
        upgrade(store)
        store.engine.dispose()

    def config(self, home: Path, **overrides: Any) -> Config:
        home.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(self.template, home / "dailypapers.db")
        return Config.from_env({}, DAILYPAPERS_HOME=str(home), DATABASE_URL="", **{**QUIET, **overrides})


class PostgresFactory:
    """Runs PostgreSQL 16 (with pgvector) from the pgserver package; one database per store, from a template."""

    TEMPLATE = "dailypapers_template"

    def __init__(self, workdir: Path):
        import pgserver

        self.server = pgserver.get_server(workdir, cleanup_mode="stop")
        self.base_uri = self.server.get_uri()
        self._admin = make_engine(self._url("postgres"), isolation_level="AUTOCOMMIT")
        with self._admin.connect() as conn:
            conn.execute(text(f"DROP DATABASE IF EXISTS {self.TEMPLATE}"))
            conn.execute(text(f"CREATE DATABASE {self.TEMPLATE}"))
        template = Store(make_engine(self._url(self.TEMPLATE)))
        upgrade(template)
        template.engine.dispose()
        self.databases: list[str] = []

    def _url(self, database: str) -> str:
        # pgserver hands out postgresql://postgres:@/postgres?host=/socket/dir
        prefix, _, query = self.base_uri.partition("?")
        root = prefix.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://")
        return f"{root}/{database}?{query}"

    def config(self, home: Path, **overrides: Any) -> Config:
        name = f"dp_{os.getpid()}_{next(_counter)}"
        with self._admin.connect() as conn:
            conn.execute(text(f"CREATE DATABASE {name} TEMPLATE {self.TEMPLATE}"))
        self.databases.append(name)
        home.mkdir(parents=True, exist_ok=True)
        return Config.from_env({}, DAILYPAPERS_HOME=str(home), DATABASE_URL=self._url(name), **{**QUIET, **overrides})

    def empty_database_of(self, role: str, *, with_vector: bool) -> str:
        """URL of a new, empty database owned by `role` (a login role, not a superuser, created if missing) and
        connecting as it, as an operator sets one up; `with_vector` has the superuser create pgvector in it first."""
        name = f"dp_{os.getpid()}_{next(_counter)}"
        with self._admin.connect() as conn:
            if not conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role}).first():
                conn.execute(text(f"CREATE ROLE {role} LOGIN NOSUPERUSER"))
            conn.execute(text(f"CREATE DATABASE {name} OWNER {role} TEMPLATE template0"))
        self.databases.append(name)
        if with_vector:
            admin = make_engine(self._url(name), isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                conn.execute(text("CREATE EXTENSION vector"))
            admin.dispose()
        return self._url(name).replace("postgres:@", f"{role}:@", 1)

    def set_read_only(self, config: Config, read_only: bool = True) -> None:
        """Make the store's database refuse writes (as a read-only replica or an operator would): new sessions get
        `default_transaction_read_only`; the caller disposes its engine so its next connections are new."""
        from sqlalchemy.engine import make_url

        name = make_url(config.database_url).database
        value = "on" if read_only else "off"
        with self._admin.connect() as conn:
            conn.execute(text(f"ALTER DATABASE {name} SET default_transaction_read_only = {value}"))

    def drop(self, config: Config) -> None:
        name = config.database_url.rsplit("/", 1)[1].split("?")[0]
        with self._admin.connect() as conn:
            conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))

    def close(self) -> None:
        self._admin.dispose()


def scratch_dir(prefix: str) -> Path:
    return Path(tempfile.mkdtemp(prefix=prefix))


def make_sqlite_read_only(store: Store) -> None:
    """From now on every connection of `store` is read-only (`PRAGMA query_only`): writes fail as on a read-only
    mount, with SQLITE_READONLY, while reads still work. (Tests run as root, where a chmod would not stop SQLite.)"""
    _on_every_sqlite_connection(store, "PRAGMA query_only = ON")


def fill_sqlite(store: Store) -> None:
    """From now on the database file cannot grow (`PRAGMA max_page_count` at its current size, free pages
    vacuumed away): the next write that needs a new page fails with SQLITE_FULL, "database or disk is full"."""
    raw = store.engine.raw_connection()  # autocommit (storage/db.py), as VACUUM needs
    try:
        raw.driver_connection.execute("VACUUM")  # type: ignore[union-attr]
    finally:
        raw.close()
    _on_every_sqlite_connection(store, "PRAGMA max_page_count = 1")  # clamped to the current page count


def _on_every_sqlite_connection(store: Store, pragma: str) -> None:
    from sqlalchemy import event

    @event.listens_for(store.engine, "connect")
    def _limit(dbapi_conn: Any, _record: Any) -> None:
        cursor = dbapi_conn.cursor()
        cursor.execute(pragma)
        cursor.close()

    store.engine.dispose()  # pooled connections were opened before: replace them
