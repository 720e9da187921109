"""Batches of `dailypapers index` work that worker processes claim, so that several processes (on one machine, or
on several sharing one PostgreSQL) embed every stale paper once, and a killed worker's batch is done by another.

A batch is a range of paper ids (after_id < id <= last_id) planned from the papers still to embed. A worker claims
an open batch with a lease in one short write transaction and marks it done in the transaction that stores its
vectors, after checking it still holds it; a lease that runs out (the worker died) makes the batch claimable again.

`BatchClaims` is what differs per engine. PostgreSQL claims with FOR UPDATE SKIP LOCKED, so concurrent claimers
pass over each other's rows instead of queueing, times leases by the database clock (machines' clocks differ), and
serialises planning with a transaction-scoped advisory lock. SQLite's writers are already serialised by
BEGIN IMMEDIATE, so it reads and updates plainly and uses the local clock (its workers share one machine).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import Connection, delete, func, insert, or_, select, text, update

from dailypapers.storage.embeddings import ids_to_embed
from dailypapers.storage.schema import index_batches

b = index_batches
PLAN_LOCK = 0x64707831  # PostgreSQL advisory lock key taken while planning batches ("dpx1")


@dataclass(frozen=True)
class Batch:
    id: int
    after_id: str
    last_id: str


class BatchClaims(Protocol):
    def lock_planning(self, conn: Connection) -> None:
        """Serialise planning: two planners at once would cover the same papers twice."""
        ...

    def now(self, conn: Connection) -> datetime:
        """The clock leases are timed by."""
        ...

    def claim(self, conn: Connection, model: str, holder: str, lease_seconds: float) -> Batch | None:
        """Lease the first open batch nobody holds (or whose lease ran out) to `holder`; None when there is none."""
        ...


class PostgresBatchClaims:
    def lock_planning(self, conn: Connection) -> None:
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": PLAN_LOCK})

    def now(self, conn: Connection) -> datetime:
        return conn.execute(select(func.clock_timestamp())).scalar_one()

    def claim(self, conn: Connection, model: str, holder: str, lease_seconds: float) -> Batch | None:
        now = self.now(conn)
        query = select(b.c.id, b.c.after_id, b.c.last_id).where(_claimable(model, now)).order_by(b.c.id).limit(1)
        row = conn.execute(query.with_for_update(skip_locked=True)).first()
        return _leased(conn, row, holder, now + timedelta(seconds=lease_seconds))


class SqliteBatchClaims:
    def lock_planning(self, conn: Connection) -> None:
        return None  # the write transaction (BEGIN IMMEDIATE) already excludes every other writer

    def now(self, conn: Connection) -> datetime:
        return datetime.now(UTC)

    def claim(self, conn: Connection, model: str, holder: str, lease_seconds: float) -> Batch | None:
        now = self.now(conn)
        query = select(b.c.id, b.c.after_id, b.c.last_id).where(_claimable(model, now)).order_by(b.c.id).limit(1)
        return _leased(conn, conn.execute(query).first(), holder, now + timedelta(seconds=lease_seconds))


def batch_claims(dialect: str) -> BatchClaims:
    """The one place that picks the claiming implementation of an engine."""
    return SqliteBatchClaims() if dialect == "sqlite" else PostgresBatchClaims()


def _claimable(model: str, now: datetime) -> Any:
    return (b.c.model == model) & b.c.done_at.is_(None) & or_(b.c.holder.is_(None), b.c.expires_at < now)


def _leased(conn: Connection, row: Any, holder: str, until: datetime) -> Batch | None:
    if row is None:
        return None
    conn.execute(update(b).where(b.c.id == row.id).values(holder=holder, expires_at=until, claims=b.c.claims + 1))
    return Batch(int(row.id), row.after_id, row.last_id)


def planned_batches(conn: Connection, claims: BatchClaims, model: str, size: int) -> int:
    """Plan batches of `size` over the papers still to embed with `model`; how many were planned.

    While batches of this model are open (another run is under way, or one was interrupted) none are planned: this
    run joins that work. Otherwise finished batches are dropped and the stale papers are paged by id."""
    claims.lock_planning(conn)
    if count_open_batches(conn, model):
        return 0
    conn.execute(delete(b).where(b.c.model == model))
    planned, after, rows = 0, "", []
    while ids := ids_to_embed(conn, model, after, size):
        rows.append({"model": model, "after_id": after, "last_id": ids[-1]})
        after = ids[-1]
        if len(rows) >= 500:
            conn.execute(insert(b), rows)
            planned, rows = planned + len(rows), []
    if rows:
        conn.execute(insert(b), rows)
        planned += len(rows)
    return planned


def count_open_batches(conn: Connection, model: str) -> int:
    query = select(func.count()).select_from(b).where(b.c.model == model, b.c.done_at.is_(None))
    return int(conn.execute(query).scalar_one())


def batch_finished(conn: Connection, claims: BatchClaims, batch_id: int, holder: str) -> bool:
    """Mark the batch done if `holder` still holds it (call in the transaction that stores its vectors).

    False when its lease ran out and another worker claimed it: that worker stores the batch instead."""
    held = conn.execute(select(b.c.holder).where(b.c.id == batch_id).with_for_update()).scalar()
    if held != holder:
        return False
    conn.execute(update(b).where(b.c.id == batch_id).values(done_at=claims.now(conn)))
    return True


def batch_released(conn: Connection, batch_id: int, holder: str) -> bool:
    """Give up `holder`'s claim of an unfinished batch (its worker failed), so another may claim it at once
    instead of after the lease; False when it no longer held it."""
    held = (b.c.id == batch_id) & (b.c.holder == holder) & b.c.done_at.is_(None)
    return bool(conn.execute(update(b).where(held).values(holder=None, expires_at=None)).rowcount)


def batch_rows(conn: Connection, model: str) -> list[dict[str, Any]]:
    """Every batch of `model` in order (for the bench and tests: who did what, how often claimed)."""
    query = select(b).where(b.c.model == model).order_by(b.c.id)
    return [dict(row._mapping) for row in conn.execute(query)]
