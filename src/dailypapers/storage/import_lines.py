"""Digests of bulk-file lines already imported (table import_lines): what a re-run of an import may skip."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Connection, select

from dailypapers.storage.schema import import_lines


def item_counts_by_digest(conn: Connection, digests: Sequence[str]) -> dict[str, int]:
    """Of these line digests, the ones already imported, each with how many papers its line held."""
    if not digests:
        return {}
    query = select(import_lines.c.digest, import_lines.c.papers).where(import_lines.c.digest.in_(list(digests)))
    return {row[0]: int(row[1]) for row in conn.execute(query)}


def record_import_lines(conn: Connection, items_by_digest: dict[str, int], now: datetime) -> None:
    """Remember lines whose every paper is now stored (a digest already recorded is left as it is)."""
    if not items_by_digest:
        return
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as dialect_insert
    else:
        from sqlalchemy.dialects.sqlite import insert as dialect_insert  # type: ignore[assignment]
    rows = [{"digest": d, "papers": n, "imported_at": now} for d, n in sorted(items_by_digest.items())]
    conn.execute(dialect_insert(import_lines).on_conflict_do_nothing(index_elements=["digest"]), rows)
