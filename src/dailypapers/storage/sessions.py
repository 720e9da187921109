"""Server-side sign-in sessions, keyed by the SHA-256 of the id in the browser's cookie."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, delete, insert, or_, select, update

from dailypapers.storage.schema import sessions


@dataclass
class StoredSession:
    id_hash: str
    account_id: int
    csrf_token: str
    created_at: datetime
    last_seen_at: datetime
    user_agent: str


def insert_session(
    conn: Connection, *, id_hash: str, account_id: int, csrf_token: str, now: datetime, user_agent: str
) -> None:
    conn.execute(
        insert(sessions).values(
            id_hash=id_hash,
            account_id=account_id,
            csrf_token=csrf_token,
            created_at=now,
            last_seen_at=now,
            user_agent=user_agent,
        )
    )


def session_by_hash(conn: Connection, id_hash: str) -> StoredSession | None:
    row = conn.execute(select(sessions).where(sessions.c.id_hash == id_hash)).first()
    return StoredSession(**row._mapping) if row else None


def update_session_last_seen(conn: Connection, id_hash: str, now: datetime) -> None:
    conn.execute(update(sessions).where(sessions.c.id_hash == id_hash).values(last_seen_at=now))


def delete_session(conn: Connection, id_hash: str) -> bool:
    return bool(conn.execute(delete(sessions).where(sessions.c.id_hash == id_hash)).rowcount)


def delete_sessions_of_account(conn: Connection, account_id: int, *, keep: str | None = None) -> int:
    """End every session of an account except `keep` (a hash); returns how many ended."""
    statement = delete(sessions).where(sessions.c.account_id == account_id)
    if keep:
        statement = statement.where(sessions.c.id_hash != keep)
    return int(conn.execute(statement).rowcount)


def delete_expired_sessions(conn: Connection, *, idle_before: datetime, created_before: datetime) -> int:
    statement = delete(sessions).where(
        or_(sessions.c.last_seen_at < idle_before, sessions.c.created_at < created_before)
    )
    return int(conn.execute(statement).rowcount)


def count_sessions_of_account(conn: Connection, account_id: int) -> int:
    return len(conn.execute(select(sessions.c.id_hash).where(sessions.c.account_id == account_id)).all())
