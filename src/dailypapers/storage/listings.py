"""Daily listings: which papers are on which day, who put them there and when."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, and_, func, select, tuple_, update

from dailypapers.storage.schema import accounts, listings


@dataclass
class StoredListing:
    id: int
    day: date
    paper_id: str
    account_id: int | None
    submitter_name: str | None
    submitter_fullname: str | None
    submitted_at: datetime
    comment: str | None
    hidden: bool


def existing_listing_keys(conn: Connection, keys: Sequence[tuple[date, str]]) -> set[tuple[date, str]]:
    if not keys:
        return set()
    query = select(listings.c.day, listings.c.paper_id).where(
        tuple_(listings.c.day, listings.c.paper_id).in_(list(keys))
    )
    return {(row[0], row[1]) for row in conn.execute(query)}


def insert_listings(conn: Connection, rows: list[dict[str, Any]]) -> int:
    """Insert listings, skipping any (day, paper) already present; returns how many were new."""
    if not rows:
        return 0
    dialect = conn.dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as dialect_insert
    else:
        from sqlalchemy.dialects.sqlite import insert as dialect_insert  # type: ignore[assignment]
    present = existing_listing_keys(conn, [(row["day"], row["paper_id"]) for row in rows])
    fresh = list({(r["day"], r["paper_id"]): r for r in rows if (r["day"], r["paper_id"]) not in present}.values())
    if fresh:
        stmt = dialect_insert(listings).on_conflict_do_nothing(index_elements=["day", "paper_id"])
        conn.execute(stmt, fresh)
    return len(fresh)


def listing_for(conn: Connection, day: date, paper_id: str) -> StoredListing | None:
    row = conn.execute(select(listings).where(and_(listings.c.day == day, listings.c.paper_id == paper_id))).first()
    return StoredListing(**row._mapping) if row else None


def set_listing_hidden(conn: Connection, listing_id: int, hidden: bool) -> bool:
    result = conn.execute(update(listings).where(listings.c.id == listing_id).values(hidden=hidden))
    return bool(result.rowcount)


def count_listings(conn: Connection) -> int:
    return int(conn.execute(select(func.count()).select_from(listings)).scalar_one())


def listing_day_stats(conn: Connection) -> tuple[int, date | None, date | None]:
    row = conn.execute(
        select(func.count(func.distinct(listings.c.day)), func.min(listings.c.day), func.max(listings.c.day))
    ).one()
    return int(row[0]), row[1], row[2]


def submitter_label() -> Any:
    """SQL expression naming who submitted a listing: the member's username, else the imported name."""
    return func.coalesce(accounts.c.username, listings.c.submitter_name)


def insert_listing(
    conn: Connection,
    *,
    day: date,
    paper_id: str,
    account_id: int | None,
    submitted_at: datetime,
    comment: str | None,
) -> int | None:
    """Put a member's submission on a day's list; None when the paper is already there (even if by a racer)."""
    dialect = conn.dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as dialect_insert
    else:
        from sqlalchemy.dialects.sqlite import insert as dialect_insert  # type: ignore[assignment]
    stmt = (
        dialect_insert(listings)
        .values(
            day=day,
            paper_id=paper_id,
            account_id=account_id,
            submitted_at=submitted_at,
            comment=comment,
            hidden=False,
        )
        .on_conflict_do_nothing(index_elements=["day", "paper_id"])
        .returning(listings.c.id)
    )
    row = conn.execute(stmt).first()
    return int(row[0]) if row else None


def listing_by_id(conn: Connection, listing_id: int) -> StoredListing | None:
    row = conn.execute(select(listings).where(listings.c.id == listing_id)).first()
    return StoredListing(**row._mapping) if row else None
