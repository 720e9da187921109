"""Notifications (mention, reply, a comment on a paper I submitted), members' email choice, and what mail is due.

What is due is read against the delivery ledger: a notification mailed immediately is the ledger row
(account, 'notify', 'n{id}'), a daily batch the row (account, 'notify-daily', day), so "due" is simply "no such
row yet" and sending stays exactly-once (storage/deliveries.py, services/notifications.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, String, cast, exists, func, literal, select, update

from dailypapers.storage.reports import insert_ignoring
from dailypapers.storage.schema import (
    accounts,
    comments,
    deliveries,
    listings,
    notification_settings,
    notifications,
    papers,
)


@dataclass
class StoredNotification:
    id: int
    recipient_id: int
    kind: str  # mention | reply | submitted
    comment_id: int
    created_at: datetime
    read_at: datetime | None
    paper_id: str
    paper_title: str
    author_username: str | None
    excerpt: str  # the comment's raw text ('' once deleted or hidden)


@dataclass
class MailRecipient:
    account_id: int
    username: str
    email: str


def insert_notifications(conn: Connection, rows: list[dict[str, Any]]) -> int:
    return insert_ignoring(conn, notifications, rows, ["recipient_id", "comment_id"])


def _listed() -> Any:
    gone = comments.c.deleted | comments.c.hidden
    return select(
        notifications,
        comments.c.paper_id,
        papers.c.title.label("paper_title"),
        accounts.c.username.label("author_username"),
        func.coalesce(func.nullif(func.substr(comments.c.raw, 1, 300), ""), "").label("raw"),
        gone.label("gone"),
    ).select_from(
        notifications.join(comments, comments.c.id == notifications.c.comment_id)
        .join(papers, papers.c.id == comments.c.paper_id)
        .outerjoin(accounts, accounts.c.id == comments.c.account_id)
    )


def _stored(row: Any) -> StoredNotification:
    m = dict(row._mapping)
    raw, gone = m.pop("raw"), m.pop("gone")
    return StoredNotification(**m, excerpt="" if gone else raw)


def notifications_of(conn: Connection, recipient_id: int, limit: int = 100) -> list[StoredNotification]:
    query = _listed().where(notifications.c.recipient_id == recipient_id).order_by(notifications.c.id.desc())
    return [_stored(row) for row in conn.execute(query.limit(limit))]


def unread_count(conn: Connection, recipient_id: int) -> int:
    query = select(func.count()).where(notifications.c.recipient_id == recipient_id, notifications.c.read_at.is_(None))
    return int(conn.execute(query).scalar_one())


def mark_read(conn: Connection, recipient_id: int, now: datetime) -> int:
    result = conn.execute(
        update(notifications)
        .where(notifications.c.recipient_id == recipient_id, notifications.c.read_at.is_(None))
        .values(read_at=now)
    )
    return int(result.rowcount or 0)


def email_choice_of(conn: Connection, account_id: int) -> str | None:
    query = select(notification_settings.c.email).where(notification_settings.c.account_id == account_id)
    return conn.execute(query).scalar()


def save_email_choice(conn: Connection, account_id: int, choice: str, now: datetime, reason: str | None = None) -> None:
    values = {"email": choice, "changed_at": now, "bounce_reason": reason}
    changed = conn.execute(
        update(notification_settings).where(notification_settings.c.account_id == account_id).values(**values)
    )
    if not changed.rowcount:
        insert_ignoring(conn, notification_settings, [{"account_id": account_id, **values}], ["account_id"])


def _choice(default: str) -> Any:
    return func.coalesce(notification_settings.c.email, literal(default, String))


def _mailed_to(query: Any, default: str, choice: str) -> Any:
    """Only notifications of members with an email address whose choice (or the default) is `choice`."""
    recipient = accounts.alias("recipient")
    return (
        query.join(recipient, recipient.c.id == notifications.c.recipient_id)
        .outerjoin(notification_settings, notification_settings.c.account_id == notifications.c.recipient_id)
        .where(recipient.c.email.is_not(None), recipient.c.email != "", _choice(default) == choice)
    )


def due_immediately(conn: Connection, default: str, since: datetime, limit: int) -> list[StoredNotification]:
    """Unread notifications since `since` for members mailed immediately, not yet in the ledger, oldest first.
    Notifications from before a member changed the choice are left out (switching on does not mail old ones)."""
    period = literal("n", String) + cast(notifications.c.id, String)
    mailed = exists().where(
        deliveries.c.account_id == notifications.c.recipient_id,
        deliveries.c.kind == "notify",
        deliveries.c.period == period,
    )
    changed = func.coalesce(notification_settings.c.changed_at, notifications.c.created_at)
    query = (
        _mailed_to(_listed(), default, "immediately")
        .where(
            notifications.c.read_at.is_(None),
            notifications.c.created_at >= since,
            notifications.c.created_at >= changed,
            ~mailed,
        )
        .order_by(notifications.c.id)
        .limit(limit)
    )
    return [_stored(row) for row in conn.execute(query)]


def daily_batches(
    conn: Connection, default: str, start: datetime, end: datetime, period: str
) -> dict[int, list[StoredNotification]]:
    """Unread notifications created in [start, end) of members mailed daily whose batch `period` is not in the
    ledger yet, by recipient."""
    mailed = exists().where(
        deliveries.c.account_id == notifications.c.recipient_id,
        deliveries.c.kind == "notify-daily",
        deliveries.c.period == period,
    )
    query = (
        _mailed_to(_listed(), default, "daily")
        .where(
            notifications.c.read_at.is_(None),
            notifications.c.created_at >= start,
            notifications.c.created_at < end,
            ~mailed,
        )
        .order_by(notifications.c.recipient_id, notifications.c.id)
    )
    batches: dict[int, list[StoredNotification]] = {}
    for row in conn.execute(query):
        note = _stored(row)
        batches.setdefault(note.recipient_id, []).append(note)
    return batches


def mail_recipients(conn: Connection, account_ids: list[int]) -> dict[int, MailRecipient]:
    if not account_ids:
        return {}
    query = select(accounts.c.id, accounts.c.username, accounts.c.email).where(accounts.c.id.in_(account_ids))
    return {r.id: MailRecipient(r.id, r.username, r.email) for r in conn.execute(query) if r.email}


def submitter_ids_of(conn: Connection, paper_id: str) -> list[int]:
    """Members who put the paper on a day's list (they hear of new comments on it)."""
    query = select(listings.c.account_id).where(listings.c.paper_id == paper_id, listings.c.account_id.is_not(None))
    return sorted({int(a) for a in conn.execute(query).scalars()})
