"""Authorship claims: a member says they are one of a paper's authors; a curator approves or rejects."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Select, and_, insert, select, update

from dailypapers.storage.schema import accounts, author_claims, papers


@dataclass
class StoredClaim:
    id: int
    account_id: int
    username: str
    paper_id: str
    paper_title: str
    author_name: str
    status: str
    created_at: datetime
    decided_at: datetime | None


def _claims() -> Select[Any]:
    return (
        select(
            author_claims.c.id,
            author_claims.c.account_id,
            accounts.c.username,
            author_claims.c.paper_id,
            papers.c.title.label("paper_title"),
            author_claims.c.author_name,
            author_claims.c.status,
            author_claims.c.created_at,
            author_claims.c.decided_at,
        )
        .join(accounts, accounts.c.id == author_claims.c.account_id)
        .join(papers, papers.c.id == author_claims.c.paper_id)
    )


def claim_of(conn: Connection, account_id: int, paper_id: str) -> StoredClaim | None:
    where = and_(author_claims.c.account_id == account_id, author_claims.c.paper_id == paper_id)
    row = conn.execute(_claims().where(where)).first()
    return StoredClaim(**row._mapping) if row else None


def claim_by_id(conn: Connection, claim_id: int) -> StoredClaim | None:
    row = conn.execute(_claims().where(author_claims.c.id == claim_id)).first()
    return StoredClaim(**row._mapping) if row else None


def insert_claim(conn: Connection, account_id: int, paper_id: str, author_name: str, now: datetime) -> None:
    values = dict(account_id=account_id, paper_id=paper_id, author_name=author_name, status="pending", created_at=now)
    conn.execute(insert(author_claims).values(**values))


def renew_claim(conn: Connection, claim_id: int, author_name: str, now: datetime) -> None:
    """A rejected or changed claim asked again: back to pending."""
    values = dict(author_name=author_name, status="pending", created_at=now, decided_at=None, decided_by=None)
    conn.execute(update(author_claims).where(author_claims.c.id == claim_id).values(**values))


def decide_claim(conn: Connection, claim_id: int, status: str, curator_id: int, now: datetime) -> None:
    values = dict(status=status, decided_at=now, decided_by=curator_id)
    conn.execute(update(author_claims).where(author_claims.c.id == claim_id).values(**values))


def pending_claims(conn: Connection, limit: int = 200) -> list[StoredClaim]:
    query = _claims().where(author_claims.c.status == "pending").order_by(author_claims.c.created_at).limit(limit)
    return [StoredClaim(**row._mapping) for row in conn.execute(query)]


def approved_claims_of_papers(conn: Connection, paper_ids: list[str]) -> list[StoredClaim]:
    if not paper_ids:
        return []
    query = _claims().where(and_(author_claims.c.paper_id.in_(paper_ids), author_claims.c.status == "approved"))
    return [StoredClaim(**row._mapping) for row in conn.execute(query)]


def approved_claims_of_account(conn: Connection, account_id: int) -> list[StoredClaim]:
    query = _claims().where(and_(author_claims.c.account_id == account_id, author_claims.c.status == "approved"))
    return [StoredClaim(**row._mapping) for row in conn.execute(query.order_by(author_claims.c.created_at.desc()))]
