"""Rows that coordinate worker processes: request pacing per host (`pacing`) and named leases (`leases`).

Both are read and changed inside one write transaction, so two processes never both take the same request slot
or the same lease: PostgreSQL locks the row (FOR UPDATE), SQLite's writers are serialised by BEGIN IMMEDIATE.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import Connection, delete, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from dailypapers.storage.schema import leases, pacing


def reserved_request_slot(conn: Connection, host: str, interval: float) -> datetime:
    """Take the next request slot for `host`: the returned time, at least `interval` s after the one before.

    "Now" is read once the row is locked, so time spent waiting for the lock never books a slot in the past.
    """
    insert = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
    conn.execute(
        insert(pacing).values(host=host, next_at=datetime.now(UTC)).on_conflict_do_nothing(index_elements=["host"])
    )
    query = select(pacing.c.next_at).where(pacing.c.host == host).with_for_update()
    booked = conn.execute(query).scalar_one()
    start = max(datetime.now(UTC), booked)
    conn.execute(update(pacing).where(pacing.c.host == host).values(next_at=start + timedelta(seconds=interval)))
    return start


def pushed_back_slot(conn: Connection, host: str, until: datetime) -> None:
    """Nobody sends to `host` before `until` (after it asked us to wait with Retry-After)."""
    insert = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
    conn.execute(insert(pacing).values(host=host, next_at=until).on_conflict_do_nothing(index_elements=["host"]))
    conn.execute(update(pacing).where(pacing.c.host == host, pacing.c.next_at < until).values(next_at=until))


def lease_taken(conn: Connection, name: str, holder: str, now: datetime, until: datetime) -> bool:
    """Take or renew the lease `name` for `holder` until `until`; False while someone else holds it unexpired."""
    insert = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
    fresh = insert(leases).values(name=name, holder=holder, expires_at=until)
    if conn.execute(fresh.on_conflict_do_nothing(index_elements=["name"])).rowcount == 1:
        return True
    free = or_(leases.c.holder == holder, leases.c.expires_at < now)
    taken = conn.execute(update(leases).where(leases.c.name == name, free).values(holder=holder, expires_at=until))
    return taken.rowcount == 1


def lease_released(conn: Connection, name: str, holder: str) -> None:
    conn.execute(delete(leases).where(leases.c.name == name, leases.c.holder == holder))


def lease_holder(conn: Connection, name: str, now: datetime) -> str | None:
    query = select(leases.c.holder).where(leases.c.name == name, leases.c.expires_at >= now)
    return conn.execute(query).scalar()
