"""The SQL of personal recommendations: a member's signals, their not-interested marks and seeds, their profile row,
and the candidate window's papers with their vectors. Every function takes the member's account id: nothing here
reads another member's rows.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
from sqlalchemy import Connection, Table, and_, delete, func, literal, select, union_all, update

from dailypapers.storage.schema import (
    author_claims,
    collection_items,
    collections,
    listings,
    member_profiles,
    not_interested,
    paper_embeddings,
    papers,
    seed_papers,
    votes,
)

POSITIVE_LIMIT = 500  # a member's most recent positives that make the model


@dataclass
class StoredProfile:
    account_id: int
    dial: float
    categories: list[str]
    has_feed: bool
    model: dict[str, Any] | None
    centroid: bytes | None
    negative: bytes | None
    updated_at: datetime


@dataclass
class PaperForModel:
    """A paper with just what the model reads: text, authors, categories and its embedding (None if not indexed)."""

    id: str
    title: str
    abstract: str
    authors: list[str]
    categories: list[str]
    content_hash: str
    published_at: datetime | None
    vector: np.ndarray | None


def positive_signals(conn: Connection, account_id: int, limit: int = POSITIVE_LIMIT) -> list[tuple[str, str, datetime]]:
    """(paper id, kind, when) of the member's positives, newest first, one row per paper (its latest signal).

    The one place positives are defined: a union over the tables that hold them (upvotes, submissions, seeds,
    papers saved to the member's collections, and papers whose authorship a curator approved).
    """
    parts = [
        select(votes.c.paper_id, literal("upvote").label("kind"), votes.c.created_at.label("at")).where(
            votes.c.account_id == account_id
        ),
        select(listings.c.paper_id, literal("submission").label("kind"), listings.c.submitted_at.label("at")).where(
            listings.c.account_id == account_id
        ),
        select(seed_papers.c.paper_id, literal("seed").label("kind"), seed_papers.c.created_at.label("at")).where(
            seed_papers.c.account_id == account_id
        ),
        select(
            collection_items.c.paper_id, literal("collection").label("kind"), collection_items.c.added_at.label("at")
        )
        .join(collections, collections.c.id == collection_items.c.collection_id)
        .where(collections.c.account_id == account_id),
        select(author_claims.c.paper_id, literal("claim").label("kind"), author_claims.c.created_at.label("at")).where(
            author_claims.c.account_id == account_id, author_claims.c.status == "approved"
        ),
    ]
    both = union_all(*parts).subquery("signals")
    query = select(both.c.paper_id, both.c.kind, both.c.at).order_by(both.c.at.desc()).limit(limit * 3)
    seen: dict[str, tuple[str, str, datetime]] = {}
    for paper_id, kind, at in conn.execute(query):
        seen.setdefault(paper_id, (paper_id, kind, at))
    return list(seen.values())[:limit]


def not_interested_ids(conn: Connection, account_id: int, paper_ids: Sequence[str] | None = None) -> set[str]:
    """The member's not-interested papers (all of them, or those among `paper_ids`)."""
    query = select(not_interested.c.paper_id).where(not_interested.c.account_id == account_id)
    if paper_ids is not None:
        if not paper_ids:
            return set()
        query = query.where(not_interested.c.paper_id.in_(list(paper_ids)))
    return {row[0] for row in conn.execute(query)}


def marks_of(conn: Connection, table: Table, account_id: int) -> list[tuple[str, datetime]]:
    """(paper id, when) of a member's rows in `not_interested` or `seed_papers`, newest first."""
    query = select(table.c.paper_id, table.c.created_at).where(table.c.account_id == account_id)
    return [(row[0], row[1]) for row in conn.execute(query.order_by(table.c.created_at.desc()))]


def insert_mark(conn: Connection, table: Table, account_id: int, paper_id: str, at: datetime) -> None:
    """Add the (member, paper) row to `not_interested` or `seed_papers` unless it is there."""
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as dialect_insert
    else:
        from sqlalchemy.dialects.sqlite import insert as dialect_insert  # type: ignore[assignment]
    stmt = dialect_insert(table).values(account_id=account_id, paper_id=paper_id, created_at=at)
    conn.execute(stmt.on_conflict_do_nothing(index_elements=["account_id", "paper_id"]))


def delete_mark(conn: Connection, table: Table, account_id: int, paper_id: str) -> bool:
    result = conn.execute(delete(table).where(and_(table.c.account_id == account_id, table.c.paper_id == paper_id)))
    return bool(result.rowcount)


def _model_columns() -> list[Any]:
    e = paper_embeddings
    return [
        papers.c.id,
        papers.c.title,
        papers.c.abstract,
        papers.c.authors,
        papers.c.categories,
        papers.c.content_hash,
        papers.c.published_at,
        e.c.vector,
    ]


def _papers_for_model(conn: Connection, query: Any) -> list[PaperForModel]:
    return [PaperForModel(*row) for row in conn.execute(query)]


def papers_for_model(conn: Connection, paper_ids: Sequence[str]) -> dict[str, PaperForModel]:
    if not paper_ids:
        return {}
    join = papers.outerjoin(paper_embeddings, paper_embeddings.c.paper_id == papers.c.id)
    query = select(*_model_columns()).select_from(join).where(papers.c.id.in_(list(paper_ids)))
    return {p.id: p for p in _papers_for_model(conn, query)}


def window_papers(conn: Connection, start: datetime, end: datetime) -> list[PaperForModel]:
    """Papers first published in [start, end), with their vectors: the candidates of a recommendation."""
    join = papers.outerjoin(paper_embeddings, paper_embeddings.c.paper_id == papers.c.id)
    query = (
        select(*_model_columns())
        .select_from(join)
        .where(papers.c.published_at >= start, papers.c.published_at < end)
        .order_by(papers.c.published_at.desc(), papers.c.id)
    )
    return _papers_for_model(conn, query)


def upvoted_ids_published_between(conn: Connection, account_id: int, start: datetime, end: datetime) -> set[str]:
    """The member's upvoted papers first published in [start, end) (all of them, past the model's 500 positives)."""
    query = (
        select(votes.c.paper_id)
        .select_from(votes.join(papers, papers.c.id == votes.c.paper_id))
        .where(votes.c.account_id == account_id, papers.c.published_at >= start, papers.c.published_at < end)
    )
    return {row[0] for row in conn.execute(query)}


def window_version(conn: Connection, start: datetime, end: datetime) -> tuple[Any, ...]:
    """What changes when the window's candidates do: their count and newest ingest, and the newest embedding batch."""
    in_window = (papers.c.published_at >= start) & (papers.c.published_at < end)
    row = conn.execute(select(func.count(), func.max(papers.c.ingested_at)).where(in_window)).one()
    seq = conn.execute(select(func.max(paper_embeddings.c.seq))).scalar_one()
    return (int(row[0]), row[1], seq)


def profile_of(conn: Connection, account_id: int) -> StoredProfile | None:
    p = member_profiles
    row = conn.execute(select(p).where(p.c.account_id == account_id)).first()
    if row is None:
        return None
    m = row._mapping
    return StoredProfile(
        account_id=m["account_id"],
        dial=float(m["dial"]),
        categories=list(m["categories"] or []),
        has_feed=m["feed_token_hash"] is not None,
        model=m["model"],
        centroid=m["centroid"],
        negative=m["negative"],
        updated_at=m["updated_at"],
    )


def ensure_profile(conn: Connection, account_id: int, at: datetime, dial: float) -> None:
    """Create the member's profile row (default settings, no model yet) unless it exists."""
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as dialect_insert
    else:
        from sqlalchemy.dialects.sqlite import insert as dialect_insert  # type: ignore[assignment]
    stmt = dialect_insert(member_profiles).values(account_id=account_id, dial=dial, categories=[], updated_at=at)
    conn.execute(stmt.on_conflict_do_nothing(index_elements=["account_id"]))


def update_profile(conn: Connection, account_id: int, **values: Any) -> None:
    """Set some columns of the member's profile row (which must exist: ensure_profile)."""
    conn.execute(update(member_profiles).where(member_profiles.c.account_id == account_id).values(**values))


def token_digest(token: str) -> str:
    """What is stored of a private feed token: its SHA-256, so a leaked database leaks no feed address."""
    return hashlib.sha256(token.encode()).hexdigest()


def account_id_of_feed_token(conn: Connection, token_hash: str) -> int | None:
    p = member_profiles
    return conn.execute(select(p.c.account_id).where(p.c.feed_token_hash == token_hash)).scalar_one_or_none()


def delete_personal_data(conn: Connection, account_id: int) -> None:
    """Seeds, not-interested marks and the profile (settings, model, feed token) of the member."""
    for table in (seed_papers, not_interested, member_profiles):
        conn.execute(delete(table).where(table.c.account_id == account_id))
