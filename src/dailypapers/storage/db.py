"""Opening the store: engines for SQLite (WAL, serialised writers) and PostgreSQL, and transactions.

Writes on SQLite start with BEGIN IMMEDIATE, so two concurrent writers queue on the busy timeout instead of one
failing with "database is locked" when both try to upgrade a read lock; readers never wait (WAL).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from dailypapers.config import Config
from dailypapers.storage.fts5 import Fts5Index
from dailypapers.storage.fulltext import TextIndex
from dailypapers.storage.paper_writes import PaperWrites, paper_writes_for
from dailypapers.storage.tsvector import TsvectorIndex

_WRITE = "dailypapers_write"
_SQLITE_READONLY, _SQLITE_IOERR, _SQLITE_FULL = 8, 10, 13
_PG_READ_ONLY, _PG_DISK_FULL = "25006", "53100"


class StoreUnwritable(RuntimeError):
    """The store refused a write because it is full or read-only; the message says which (HTTP 503)."""


class Store:
    """The database behind the site. `read()` and `write()` hand out connections inside one transaction.

    `text_index` is the engine's full-text index (FTS5 or tsvector), chosen here once; search composes it with the
    vector index that search.backend chooses the same way; `paper_writes` is how imports write papers on it."""

    def __init__(self, engine: Engine, config: Config | None = None):
        self.engine = engine
        self.config = config
        self.text_index: TextIndex = Fts5Index() if engine.dialect.name == "sqlite" else TsvectorIndex()
        self.paper_writes: PaperWrites = paper_writes_for(engine.dialect.name)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @property
    def is_sqlite(self) -> bool:
        return self.dialect == "sqlite"

    @contextmanager
    def read(self) -> Iterator[Connection]:
        with self.engine.connect() as conn, conn.begin():
            yield conn

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """One write transaction: committed when the block ends, rolled back if it raises.

        A full disk or a read-only database raises StoreUnwritable (whichever engine), so callers can say so.
        """
        try:
            with self.engine.connect() as conn:
                conn = conn.execution_options(**{_WRITE: True})
                with conn.begin():
                    yield conn
        except DBAPIError as exc:
            reason = unwritable_reason(exc)
            if reason is None:
                raise
            raise StoreUnwritable(reason) from exc

    def dispose(self) -> None:
        self.engine.dispose()


def unwritable_reason(exc: BaseException) -> str | None:
    """Why a failed write failed, when the reason is a full disk or a read-only store (else None)."""
    orig = getattr(exc, "orig", None) or exc
    code = getattr(orig, "sqlite_errorcode", None)
    if isinstance(code, int):
        primary = code & 0xFF
        if primary == _SQLITE_FULL:
            return "the database or disk is full"
        if primary == _SQLITE_READONLY:
            return "the database is read-only"
        if primary == _SQLITE_IOERR:
            return f"the disk refused a write ({orig})"
    state = getattr(orig, "sqlstate", None)
    if state == _PG_READ_ONLY:
        return "the database is read-only"
    if state == _PG_DISK_FULL or (isinstance(state, str) and state.startswith("53")):
        return f"the database server is out of space or resources ({state})"
    return os_unwritable_reason(orig) if isinstance(orig, OSError) else None


def os_unwritable_reason(exc: OSError) -> str | None:
    """A file write that failed because the disk is full or mounted read-only."""
    import errno

    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return "the disk is full"
    if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        return "the data directory is read-only"
    return None


def open_store(config: Config, **engine_kwargs: Any) -> Store:
    return Store(make_engine(config.database_url, **engine_kwargs), config)


def pool_options(threads: int) -> dict[str, Any]:
    """Engine options for a server running `threads` handler threads, each holding at most one connection.

    The pool keeps one connection per thread plus a few for the fetch worker and the event loop, so a busy
    moment waits for nothing and never reaches QueuePool's limit.
    """
    return {"pool_size": max(1, threads), "max_overflow": 4, "pool_timeout": 30}


def make_engine(url: str, **kwargs: Any) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        else:  # an in-memory database has one connection per thread: no pool to size
            kwargs.pop("pool_size", None), kwargs.pop("max_overflow", None), kwargs.pop("pool_timeout", None)
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False}, **kwargs)
        _configure_sqlite(engine)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    return create_engine(url, **kwargs)


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Let us issue BEGIN ourselves (pysqlite's implicit transactions can't say IMMEDIATE).
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.execute("PRAGMA cache_size=-65536")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        immediate = conn.get_execution_options().get(_WRITE, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")
