"""Rate-limit counters and sign-in backoff rows, shared by every worker through the store.

Counters are fixed windows: one row per (limit, key, window start), bumped with a single upsert so concurrent
workers never lose a count (SQLite and PostgreSQL both have INSERT … ON CONFLICT … RETURNING).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, select

from dailypapers.storage.schema import rate_counters, sign_in_backoff


def _insert(conn: Connection) -> Any:
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert  # type: ignore[assignment]
    return insert


def bumped_counter(conn: Connection, name: str, key: str, window_start: int, expires_at: int) -> int:
    """Count one more event in this window; returns the window's count including it."""
    stmt = _insert(conn)(rate_counters).values(
        name=name, key=key, window_start=window_start, count=1, expires_at=expires_at
    )
    stmt = stmt.on_conflict_do_update(
        index_elements=["name", "key", "window_start"], set_={"count": rate_counters.c.count + 1}
    ).returning(rate_counters.c.count)
    return int(conn.execute(stmt).scalar_one())


def delete_expired_counters(conn: Connection, now: int) -> int:
    return int(conn.execute(delete(rate_counters).where(rate_counters.c.expires_at < now)).rowcount)


@dataclass
class StoredBackoff:
    name_key: str
    failures: int
    last_failure_at: datetime
    locked_until: datetime | None


def backoff_for(conn: Connection, name_key: str) -> StoredBackoff | None:
    row = conn.execute(select(sign_in_backoff).where(sign_in_backoff.c.name_key == name_key)).first()
    return StoredBackoff(**row._mapping) if row else None


def backoff_for_update(conn: Connection, name_key: str) -> StoredBackoff | None:
    """The row locked for this transaction (PostgreSQL; SQLite's write transaction already serialises)."""
    query = select(sign_in_backoff).where(sign_in_backoff.c.name_key == name_key)
    if conn.dialect.name == "postgresql":
        query = query.with_for_update()
    row = conn.execute(query).first()
    return StoredBackoff(**row._mapping) if row else None


def save_backoff(conn: Connection, backoff: StoredBackoff) -> None:
    values = {
        "failures": backoff.failures,
        "last_failure_at": backoff.last_failure_at,
        "locked_until": backoff.locked_until,
    }
    stmt = _insert(conn)(sign_in_backoff).values(name_key=backoff.name_key, **values)
    conn.execute(stmt.on_conflict_do_update(index_elements=["name_key"], set_=values))


def delete_backoff(conn: Connection, name_key: str) -> None:
    conn.execute(delete(sign_in_backoff).where(sign_in_backoff.c.name_key == name_key))


def delete_stale_backoffs(conn: Connection, before: datetime) -> int:
    return int(conn.execute(delete(sign_in_backoff).where(sign_in_backoff.c.last_failure_at < before)).rowcount)
