"""The fetch queue (`fetch_queue`): one row per arXiv id a member asked for, claimed by workers.

Claims are safe across processes: on PostgreSQL the due rows are locked with FOR UPDATE SKIP LOCKED, so two
workers take different rows without waiting; on SQLite the write transaction already began with BEGIN IMMEDIATE
(storage/db.py), so claimers queue one after the other. Either way a row is claimed by one worker only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, and_, delete, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from dailypapers.storage.schema import fetch_collection_waits, fetch_queue

STATES = ("queued", "running", "done", "failed", "not_found")
FINISHED = ("done", "failed", "not_found")


@dataclass
class StoredFetch:
    arxiv_id: str
    state: str
    attempts: int
    next_attempt_at: datetime
    claimed_until: datetime | None
    last_error: str | None
    requested_by: int | None
    requested_at: datetime
    updated_at: datetime
    submit_account_id: int | None
    submit_day: date | None
    submit_comment: str | None


def _fetch(row: Any) -> StoredFetch:
    return StoredFetch(**{name: row[name] for name in StoredFetch.__dataclass_fields__})


def fetch_entry_of(conn: Connection, arxiv_id: str) -> StoredFetch | None:
    row = conn.execute(select(fetch_queue).where(fetch_queue.c.arxiv_id == arxiv_id)).mappings().first()
    return _fetch(row) if row else None


def fetch_entries(conn: Connection, states: Sequence[str] | None = None, limit: int = 100) -> list[StoredFetch]:
    """Queue rows, most recently changed first (optionally only some states)."""
    query = select(fetch_queue).order_by(fetch_queue.c.updated_at.desc(), fetch_queue.c.arxiv_id).limit(limit)
    if states:
        query = query.where(fetch_queue.c.state.in_(list(states)))
    return [_fetch(row) for row in conn.execute(query).mappings()]


def requested_fetch(
    conn: Connection,
    arxiv_id: str,
    account_id: int | None,
    now: datetime,
    submission: tuple[int, date, str | None] | None = None,
) -> StoredFetch:
    """The queue row of `arxiv_id` after a request: inserted as queued, or a finished one queued again.

    A queued or running row stays as it is (the request joins it); a submission is kept unless one is waiting.
    """
    values: dict[str, Any] = {
        "arxiv_id": arxiv_id,
        "state": "queued",
        "attempts": 0,
        "next_attempt_at": now,
        "requested_by": account_id,
        "requested_at": now,
        "updated_at": now,
    }
    if submission is not None:
        values.update(submit_account_id=submission[0], submit_day=submission[1], submit_comment=submission[2])
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    conn.execute(dialect.insert(fetch_queue).values(values).on_conflict_do_nothing(index_elements=["arxiv_id"]))
    key = fetch_queue.c.arxiv_id == arxiv_id
    again = {k: v for k, v in values.items() if k != "arxiv_id" and not k.startswith("submit_")}
    conn.execute(
        update(fetch_queue)
        .where(key, fetch_queue.c.state.in_(FINISHED))
        .values(**again, last_error=None, claimed_until=None)
    )
    if submission is not None:
        conn.execute(
            update(fetch_queue)
            .where(key, fetch_queue.c.submit_account_id.is_(None))
            .values(submit_account_id=submission[0], submit_day=submission[1], submit_comment=submission[2])
        )
    entry = fetch_entry_of(conn, arxiv_id)
    assert entry is not None
    return entry


def claimed_fetches(conn: Connection, now: datetime, limit: int, claim_until: datetime) -> list[StoredFetch]:
    """Claim up to `limit` due rows (queued and due, or running past a dead worker's claim) for this worker."""
    due = or_(
        and_(fetch_queue.c.state == "queued", fetch_queue.c.next_attempt_at <= now),
        and_(fetch_queue.c.state == "running", fetch_queue.c.claimed_until < now),
    )
    query = (
        select(fetch_queue.c.arxiv_id)
        .where(due)
        .order_by(fetch_queue.c.next_attempt_at, fetch_queue.c.arxiv_id)
        .limit(limit)
        .with_for_update(skip_locked=True)  # PostgreSQL; SQLite renders nothing (BEGIN IMMEDIATE serialises)
    )
    ids = [row[0] for row in conn.execute(query)]
    if not ids:
        return []
    conn.execute(
        update(fetch_queue)
        .where(fetch_queue.c.arxiv_id.in_(ids))
        .values(state="running", attempts=fetch_queue.c.attempts + 1, claimed_until=claim_until, updated_at=now)
    )
    rows = conn.execute(select(fetch_queue).where(fetch_queue.c.arxiv_id.in_(ids))).mappings()
    by_id = {row["arxiv_id"]: _fetch(row) for row in rows}
    return [by_id[i] for i in ids]


def settle_fetch(
    conn: Connection,
    arxiv_id: str,
    state: str,
    now: datetime,
    *,
    error: str | None = None,
    next_attempt_at: datetime | None = None,
) -> None:
    """Record how an attempt ended: done, not_found, failed, or queued again for `next_attempt_at`."""
    if state not in STATES:
        raise ValueError(f"unknown fetch state {state!r}")
    values: dict[str, Any] = {"state": state, "last_error": error, "claimed_until": None, "updated_at": now}
    if next_attempt_at is not None:
        values["next_attempt_at"] = next_attempt_at
    if state in ("done", "not_found"):
        values.update(submit_account_id=None, submit_day=None, submit_comment=None)
    conn.execute(update(fetch_queue).where(fetch_queue.c.arxiv_id == arxiv_id).values(**values))


def next_due_time(conn: Connection) -> datetime | None:
    """When the earliest queued row falls due (None when nothing is queued)."""
    query = select(fetch_queue.c.next_attempt_at).where(fetch_queue.c.state == "queued")
    return conn.execute(query.order_by(fetch_queue.c.next_attempt_at).limit(1)).scalar()


def insert_collection_wait(conn: Connection, arxiv_id: str, collection_id: int, now: datetime) -> None:
    """Remember that a collection wants `arxiv_id` once it arrives (asking twice keeps one row)."""
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    row = {"arxiv_id": arxiv_id, "collection_id": collection_id, "requested_at": now}
    conn.execute(dialect.insert(fetch_collection_waits).values(row).on_conflict_do_nothing())


def collections_waiting_for(conn: Connection, arxiv_id: str) -> list[int]:
    """Ids of the collections waiting for `arxiv_id`, in the order they asked."""
    waits = fetch_collection_waits.c
    query = select(waits.collection_id).where(waits.arxiv_id == arxiv_id)
    query = query.order_by(waits.requested_at, waits.collection_id)
    return list(conn.execute(query).scalars())


def delete_collection_waits(conn: Connection, arxiv_id: str) -> None:
    conn.execute(delete(fetch_collection_waits).where(fetch_collection_waits.c.arxiv_id == arxiv_id))
