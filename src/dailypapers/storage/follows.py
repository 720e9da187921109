"""What members follow (authors, categories, collections, saved searches) and their private feed tokens."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, and_, delete, insert, select

from dailypapers.storage.schema import accounts, feed_tokens, follows


def insert_follow(conn: Connection, account_id: int, kind: str, target: str, now: datetime) -> bool:
    """Follow unless already following; True when a row was added."""
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as dialect_insert
    else:
        from sqlalchemy.dialects.sqlite import insert as dialect_insert  # type: ignore[assignment]
    stmt = dialect_insert(follows).values(account_id=account_id, kind=kind, target=target, created_at=now)
    result = conn.execute(stmt.on_conflict_do_nothing(index_elements=["account_id", "kind", "target"]))
    return bool(result.rowcount)


def delete_follow(conn: Connection, account_id: int, kind: str, target: str) -> bool:
    where = and_(follows.c.account_id == account_id, follows.c.kind == kind, follows.c.target == target)
    return bool(conn.execute(delete(follows).where(where)).rowcount)


def follows_of(conn: Connection, account_id: int) -> list[tuple[str, str]]:
    """(kind, target) pairs, oldest first."""
    query = (
        select(follows.c.kind, follows.c.target)
        .where(follows.c.account_id == account_id)
        .order_by(follows.c.created_at, follows.c.kind, follows.c.target)
    )
    return [(row.kind, row.target) for row in conn.execute(query)]


def replace_feed_token(conn: Connection, account_id: int, token_hash: str, now: datetime) -> None:
    conn.execute(delete(feed_tokens).where(feed_tokens.c.account_id == account_id))
    conn.execute(insert(feed_tokens).values(account_id=account_id, token_hash=token_hash, created_at=now))


def delete_feed_token(conn: Connection, account_id: int) -> bool:
    return bool(conn.execute(delete(feed_tokens).where(feed_tokens.c.account_id == account_id)).rowcount)


def account_id_for_feed_token(conn: Connection, token_hash: str) -> int | None:
    query = (
        select(accounts.c.id)
        .join(feed_tokens, feed_tokens.c.account_id == accounts.c.id)
        .where(feed_tokens.c.token_hash == token_hash)
    )
    row = conn.execute(query).first()
    return int(row[0]) if row else None
