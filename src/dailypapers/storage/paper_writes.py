"""How an import writes a batch of papers, one implementation per engine, chosen once as `Store.paper_writes`.

SQLite takes SQLAlchemy's executemany well (in-process, no round trips). On PostgreSQL the same executemany costs a
statement per row and most of an import's client time, so `CopyPaperWrites` streams the rows with COPY (papers,
versions, categories: three statements a batch) and reads the stored hashes with one array parameter instead of
2,000 bound ones. Both write inside the caller's transaction, so a batch is stored whole or not at all.
"""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import Any

import psycopg
from sqlalchemy import Connection, text
from sqlalchemy.exc import IntegrityError

from dailypapers.storage import papers as paper_store
from dailypapers.storage.schema import UTCDateTime, papers

# The stored columns a COPY fills (a generated column such as search_vector is left to the server).
_COLUMNS = [c.name for c in papers.columns]
_JSON = {"authors", "categories"}
_TIMES = {c.name for c in papers.columns if isinstance(c.type, UTCDateTime)}
_UTC = UTCDateTime()


class PaperWrites(ABC):
    """Reading the stored hashes of a batch and inserting its new papers (with versions and categories)."""

    concurrent_batches = 1  # how many import batches are best written at once, each in its own transaction

    @abstractmethod
    def content_hashes_by_ids(self, conn: Connection, ids: Sequence[str]) -> dict[str, str]:
        """Stored content hash of each of these papers that is stored."""

    @abstractmethod
    def insert_papers(self, conn: Connection, rows: list[dict[str, Any]]) -> None:
        """Insert new papers; each row is `services.imports._row`'s (its `_versions` go to paper_versions)."""


class ExecutemanyPaperWrites(PaperWrites):
    """SQLite: plain SQLAlchemy statements (see storage.papers)."""

    def content_hashes_by_ids(self, conn: Connection, ids: Sequence[str]) -> dict[str, str]:
        return paper_store.content_hashes_by_ids(conn, ids)

    def insert_papers(self, conn: Connection, rows: list[dict[str, Any]]) -> None:
        paper_store.insert_papers(conn, rows)


class CopyPaperWrites(PaperWrites):
    """PostgreSQL: COPY for inserts, `= ANY(array)` for the hash lookup.

    The server computes each paper's tsvector and GIN entries, most of a PostgreSQL import; two batches written
    at once keep two backends busy, one for each core of a small machine."""

    concurrent_batches = 2

    def content_hashes_by_ids(self, conn: Connection, ids: Sequence[str]) -> dict[str, str]:
        if not ids:
            return {}
        sql = text("SELECT id, content_hash FROM papers WHERE id = ANY(:ids)")
        return {paper_id: digest for paper_id, digest in conn.execute(sql, {"ids": list(dict.fromkeys(ids))})}

    def insert_papers(self, conn: Connection, rows: list[dict[str, Any]]) -> None:
        if not rows:
            return
        dialect = conn.dialect
        cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        try:
            with cursor.copy(f"COPY papers ({', '.join(_COLUMNS)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row([_value(name, row[name], dialect) for name in _COLUMNS])
            with cursor.copy("COPY paper_versions (paper_id, version, created_at) FROM STDIN") as copy:
                for row in rows:
                    for version, created in row["_versions"]:
                        copy.write_row((row["id"], version, _UTC.process_bind_param(created, dialect)))
            with cursor.copy("COPY paper_categories (paper_id, category) FROM STDIN") as copy:
                for row in rows:
                    for category in dict.fromkeys(row["categories"]):
                        copy.write_row((row["id"], category))
        except psycopg.errors.IntegrityError as exc:  # a racing import stored one of these first: as on SQLAlchemy's
            raise IntegrityError("COPY papers", None, exc) from exc  # path, the caller's transaction rolls back
        finally:
            cursor.close()


def _value(name: str, value: Any, dialect: Any) -> Any:
    if name in _JSON:
        return json.dumps(value)
    if name in _TIMES:
        return _UTC.process_bind_param(value, dialect)
    return value


def paper_writes_for(dialect: str) -> PaperWrites:
    """The one place that picks an engine's implementation."""
    return ExecutemanyPaperWrites() if dialect == "sqlite" else CopyPaperWrites()
