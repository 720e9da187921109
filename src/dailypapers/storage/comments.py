"""Comments on papers, thread locks and commenting bans: the SQL behind discussions.

A paper's whole thread is one statement (comments joined with their authors); the tree is built in Python by the
caller, so a page costs the same number of queries with 0 or 2,000 comments. Comments are never deleted: a
deleted or hidden one stays as a tombstone so its replies keep their place.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, func, insert, select, update

from dailypapers.storage.schema import accounts, comment_bans, comments, papers, thread_locks


@dataclass
class StoredComment:
    id: int
    paper_id: str
    account_id: int | None
    parent_id: int | None
    raw: str
    html: str
    created_at: datetime
    updated_at: datetime
    edited: bool
    deleted: bool
    hidden: bool
    hidden_by: int | None
    author_username: str | None  # None when the account was deleted
    author_fullname: str


@dataclass
class DiscussedPaper:
    """A paper with recent discussion, for the site-wide list."""

    paper_id: str
    title: str
    comments: int
    last_at: datetime


def comment_count_of_paper() -> Any:
    """Visible comments of the paper in the enclosing query (correlated, served by ix_comments_paper_id)."""
    return (
        select(func.count())
        .where(comments.c.paper_id == papers.c.id, comments.c.deleted == False, comments.c.hidden == False)  # noqa: E712
        .correlate(papers)
        .scalar_subquery()
    )


def _with_author() -> Any:
    return select(
        comments, accounts.c.username.label("author_username"), accounts.c.fullname.label("author_fullname")
    ).select_from(comments.outerjoin(accounts, accounts.c.id == comments.c.account_id))


def _stored(row: Any) -> StoredComment:
    """Positional: _with_author() selects exactly the dataclass's fields in order (a dict per row cost a third
    of a 200-comment thread's read)."""
    comment = StoredComment(*row)
    comment.author_fullname = comment.author_fullname or ""
    comment.edited, comment.deleted, comment.hidden = bool(comment.edited), bool(comment.deleted), bool(comment.hidden)
    return comment


def insert_comment(conn: Connection, values: dict[str, Any]) -> int:
    result = conn.execute(insert(comments).values(**values))
    return int(result.inserted_primary_key[0])  # type: ignore[index]


def update_comment(conn: Connection, comment_id: int, **values: Any) -> None:
    conn.execute(update(comments).where(comments.c.id == comment_id).values(**values))


def comment_by_id(conn: Connection, comment_id: int) -> StoredComment | None:
    row = conn.execute(_with_author().where(comments.c.id == comment_id)).first()
    return _stored(row) if row else None


def comments_of_paper(conn: Connection, paper_id: str) -> list[StoredComment]:
    """The whole thread, oldest first, in one statement."""
    query = _with_author().where(comments.c.paper_id == paper_id).order_by(comments.c.id)
    return [_stored(row) for row in conn.execute(query)]


def comments_by_ids(conn: Connection, ids: list[int]) -> dict[int, StoredComment]:
    if not ids:
        return {}
    return {c.id: c for c in map(_stored, conn.execute(_with_author().where(comments.c.id.in_(ids))))}


def recent_comments(conn: Connection, limit: int, paper_id: str | None = None) -> list[StoredComment]:
    """Newest visible comments, site-wide or of one paper (the Atom feed)."""
    query = _with_author().where(comments.c.deleted == False, comments.c.hidden == False)  # noqa: E712
    if paper_id is not None:
        query = query.where(comments.c.paper_id == paper_id)
    return [_stored(row) for row in conn.execute(query.order_by(comments.c.id.desc()).limit(limit))]


def recently_discussed(conn: Connection, limit: int, offset: int = 0) -> list[DiscussedPaper]:
    """Papers by their latest visible comment, newest first, with how many visible comments they have."""
    visible = (comments.c.deleted == False) & (comments.c.hidden == False)  # noqa: E712
    grouped = (
        select(comments.c.paper_id, func.count().label("n"), func.max(comments.c.created_at).label("last_at"))
        .where(visible)
        .group_by(comments.c.paper_id)
        .subquery("discussed")
    )
    query = (
        select(grouped.c.paper_id, papers.c.title, grouped.c.n, grouped.c.last_at)
        .select_from(grouped.join(papers, papers.c.id == grouped.c.paper_id))
        .order_by(grouped.c.last_at.desc(), grouped.c.paper_id)
        .limit(limit)
        .offset(offset)
    )
    return [DiscussedPaper(r.paper_id, r.title, int(r.n), r.last_at) for r in conn.execute(query)]


def thread_lock_of(conn: Connection, paper_id: str) -> datetime | None:
    """When the paper's thread was locked, or None when it is open."""
    return conn.execute(select(thread_locks.c.locked_at).where(thread_locks.c.paper_id == paper_id)).scalar()


def insert_thread_lock(conn: Connection, paper_id: str, by: int, now: datetime) -> None:
    if thread_lock_of(conn, paper_id) is None:
        conn.execute(insert(thread_locks).values(paper_id=paper_id, locked_by=by, locked_at=now))


def delete_thread_lock(conn: Connection, paper_id: str) -> None:
    conn.execute(delete(thread_locks).where(thread_locks.c.paper_id == paper_id))


def comment_ban_of(conn: Connection, account_id: int) -> datetime | None:
    return conn.execute(select(comment_bans.c.banned_at).where(comment_bans.c.account_id == account_id)).scalar()


def insert_comment_ban(conn: Connection, account_id: int, by: int, now: datetime) -> None:
    if comment_ban_of(conn, account_id) is None:
        conn.execute(insert(comment_bans).values(account_id=account_id, banned_by=by, banned_at=now))


def delete_comment_ban(conn: Connection, account_id: int) -> None:
    conn.execute(delete(comment_bans).where(comment_bans.c.account_id == account_id))


def banned_usernames(conn: Connection) -> list[str]:
    query = (
        select(accounts.c.username)
        .select_from(comment_bans.join(accounts, accounts.c.id == comment_bans.c.account_id))
        .order_by(accounts.c.username)
    )
    return list(conn.execute(query).scalars())


def accounts_named(conn: Connection, lowered: set[str]) -> dict[str, tuple[int, str]]:
    """Existing accounts among lower-cased names: {lower-cased name: (account id, spelling)}."""
    if not lowered:
        return {}
    query = select(accounts.c.id, accounts.c.username).where(func.lower(accounts.c.username).in_(sorted(lowered)))
    return {name.lower(): (int(account_id), name) for account_id, name in conn.execute(query)}
