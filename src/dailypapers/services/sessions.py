"""Sign-in sessions kept in the store: started at sign-in, ended by sign-out, expiry or a password change.

The browser holds only a random session id; the store keeps its SHA-256, the account, the session's CSRF token and
when it was created and last used. A session is refused (and deleted) once it has been idle longer than
DAILYPAPERS_SESSION_IDLE_HOURS or lived longer than DAILYPAPERS_SESSION_MAX_DAYS.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from dailypapers.config import Config
from dailypapers.storage import Store
from dailypapers.storage import sessions as session_store
from dailypapers.storage.accounts import StoredAccount, account_by_id

TOUCH_EVERY = timedelta(minutes=1)  # last_seen_at is written at most this often per session


@dataclass
class Session:
    id_hash: str
    account: StoredAccount
    csrf_token: str


def session_hash(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


def max_age(config: Config) -> timedelta:
    return timedelta(days=config.number("DAILYPAPERS_SESSION_MAX_DAYS"))


def start_session(
    store: Store, config: Config, account: StoredAccount, user_agent: str = "", now: datetime | None = None
) -> tuple[str, Session]:
    """A new session for the account: (the id for the cookie, the session). Expired sessions are swept here."""
    now = now or datetime.now(UTC)
    session_id = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(24)
    id_hash = session_hash(session_id)
    with store.write() as conn:
        session_store.insert_session(
            conn,
            id_hash=id_hash,
            account_id=account.id,
            csrf_token=csrf,
            now=now,
            user_agent=user_agent[:200],
        )
        idle = timedelta(hours=config.number("DAILYPAPERS_SESSION_IDLE_HOURS"))
        session_store.delete_expired_sessions(conn, idle_before=now - idle, created_before=now - max_age(config))
    return session_id, Session(id_hash, account, csrf)


def session_for(store: Store, config: Config, session_id: str, now: datetime | None = None) -> Session | None:
    """The live session with this id, or None (unknown, ended, expired — an expired one is deleted)."""
    if not session_id or len(session_id) > 100:
        return None
    now = now or datetime.now(UTC)
    id_hash = session_hash(session_id)
    with store.read() as conn:
        stored = session_store.session_by_hash(conn, id_hash)
        account = account_by_id(conn, stored.account_id) if stored else None
    if stored is None or account is None:
        return None
    idle = timedelta(hours=config.number("DAILYPAPERS_SESSION_IDLE_HOURS"))
    if now - stored.last_seen_at >= idle or now - stored.created_at >= max_age(config):
        end_session(store, session_id)
        return None
    if now - stored.last_seen_at >= TOUCH_EVERY:
        with store.write() as conn:
            session_store.update_session_last_seen(conn, id_hash, now)
    return Session(id_hash, account, stored.csrf_token)


def end_session(store: Store, session_id: str) -> None:
    with store.write() as conn:
        session_store.delete_session(conn, session_hash(session_id))


def end_sessions_of(store: Store, account_id: int, *, keep: str | None = None) -> int:
    """End every session of the account except the one whose hash is `keep` ("sign out everywhere else")."""
    with store.write() as conn:
        return session_store.delete_sessions_of_account(conn, account_id, keep=keep)


def sessions_count(store: Store, account_id: int) -> int:
    with store.read() as conn:
        return session_store.count_sessions_of_account(conn, account_id)
