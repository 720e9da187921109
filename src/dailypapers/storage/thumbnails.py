"""What became of each paper's first-page thumbnail (`paper_thumbnails`); the image itself is a file.

A paper is due for a thumbnail when it is on a day's list since a given day and has no row yet, or its row is due
again (`next_attempt_at` passed: a retry after a failure, or a queued request), or it was rendered from an older
version than the one stored. Rows queued on demand (a paper page) are due whether listed or not.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Connection, and_, exists, or_, select
from sqlalchemy.dialects import postgresql, sqlite

from dailypapers.storage.schema import listings, paper_thumbnails, papers

t = paper_thumbnails
STATES = ("queued", "done", "none", "failed")


@dataclass
class StoredThumbnail:
    paper_id: str
    state: str
    version: int | None
    attempts: int
    next_attempt_at: datetime | None
    last_error: str | None
    updated_at: datetime


@dataclass
class DueThumbnail:
    paper_id: str
    version: int
    attempts: int  # tries so far without success (0 for a paper never tried)


def thumbnail_record(conn: Connection, paper_id: str) -> StoredThumbnail | None:
    row = conn.execute(select(t).where(t.c.paper_id == paper_id)).first()
    return StoredThumbnail(**row._mapping) if row else None


def papers_due_thumbnails(
    conn: Connection, listed_since: date | None, now: datetime, after_id: str, limit: int
) -> list[DueThumbnail]:
    """Up to `limit` papers after `after_id` due a thumbnail: queued ones, and (with `listed_since`) those listed on
    a day from `listed_since` on that have none, are due a retry, or were rendered from an older version."""
    due = and_(t.c.next_attempt_at.is_not(None), t.c.next_attempt_at <= now)
    wanted = and_(t.c.state == "queued", due)
    if listed_since is not None:
        listed = exists().where(listings.c.paper_id == papers.c.id, listings.c.day >= listed_since)
        stale = or_(
            t.c.paper_id.is_(None),
            and_(t.c.state != "done", due),
            and_(t.c.state == "done", t.c.version < papers.c.version),
        )
        wanted = or_(wanted, and_(listed, stale))
    query = (
        select(papers.c.id, papers.c.version, t.c.attempts, t.c.state)
        .select_from(papers.outerjoin(t, t.c.paper_id == papers.c.id))
        .where(wanted, papers.c.id > after_id)
        .order_by(papers.c.id)
        .limit(limit)
    )
    return [
        DueThumbnail(row.id, int(row.version or 1), 0 if row.state in (None, "done") else int(row.attempts or 0))
        for row in conn.execute(query)
    ]


def thumbnail_queued(conn: Connection, paper_id: str, now: datetime) -> bool:
    """Queue a thumbnail for a paper that has no row yet; False when it has one (made, queued or given up on)."""
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    values = {"paper_id": paper_id, "state": "queued", "attempts": 0, "next_attempt_at": now, "updated_at": now}
    stmt = dialect.insert(t).values(values).on_conflict_do_nothing(index_elements=["paper_id"])
    return bool(conn.execute(stmt).rowcount)


def save_thumbnail_outcome(
    conn: Connection,
    paper_id: str,
    state: str,
    now: datetime,
    *,
    version: int | None = None,
    attempts: int = 0,
    next_attempt_at: datetime | None = None,
    error: str | None = None,
) -> None:
    """Insert or replace the row of `paper_id` with the outcome of a try."""
    if state not in STATES:
        raise ValueError(f"unknown thumbnail state {state!r}")
    values = {
        "paper_id": paper_id,
        "state": state,
        "version": version,
        "attempts": attempts,
        "next_attempt_at": next_attempt_at,
        "last_error": error,
        "updated_at": now,
    }
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    changed = {k: v for k, v in values.items() if k != "paper_id"}
    conn.execute(dialect.insert(t).values(values).on_conflict_do_update(index_elements=["paper_id"], set_=changed))
