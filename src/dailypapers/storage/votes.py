"""Upvotes: one row per (account, paper); counts are always derived from these rows."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, and_, delete, func, select

from dailypapers.storage.schema import votes


def insert_vote(conn: Connection, account_id: int, paper_id: str, created_at: datetime) -> bool:
    """Add a vote unless the account already has one on the paper; True when a row was added."""
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as dialect_insert
    else:
        from sqlalchemy.dialects.sqlite import insert as dialect_insert  # type: ignore[assignment]
    stmt = dialect_insert(votes).values(account_id=account_id, paper_id=paper_id, created_at=created_at)
    result = conn.execute(stmt.on_conflict_do_nothing(index_elements=["account_id", "paper_id"]))
    return bool(result.rowcount)


def delete_vote(conn: Connection, account_id: int, paper_id: str) -> bool:
    result = conn.execute(delete(votes).where(and_(votes.c.account_id == account_id, votes.c.paper_id == paper_id)))
    return bool(result.rowcount)


def has_vote(conn: Connection, account_id: int, paper_id: str) -> bool:
    query = select(votes.c.paper_id).where(and_(votes.c.account_id == account_id, votes.c.paper_id == paper_id))
    return conn.execute(query).first() is not None


def vote_count_of_paper(conn: Connection, paper_id: str) -> int:
    return int(conn.execute(select(func.count()).where(votes.c.paper_id == paper_id)).scalar_one())


def count_votes(conn: Connection) -> int:
    return int(conn.execute(select(func.count()).select_from(votes)).scalar_one())


def voted_paper_ids(conn: Connection, account_id: int, paper_ids: list[str]) -> set[str]:
    """Which of these papers the account has upvoted (one query for a whole feed page)."""
    if not paper_ids:
        return set()
    query = select(votes.c.paper_id).where(and_(votes.c.account_id == account_id, votes.c.paper_id.in_(paper_ids)))
    return {row[0] for row in conn.execute(query)}
