"""The delivery ledger: one row per (subscription, kind, period), claimed before SMTP and settled after.

The unique key is what makes digests exactly-once: a period can be claimed by one sender only, and a row that
reached 'sent' (or 'sending', when a crash left the outcome unknown) is never picked up again by default.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, func, select, update

from dailypapers.storage.schema import deliveries, subscriptions

# Rows in these states may be (re)claimed; 'sending' only on an explicit operator request.
CLAIMABLE = ("pending", "failed")


@dataclass
class StoredDelivery:
    id: int
    subscription_id: int | None  # None for notification email, which goes to an account
    account_id: int | None
    period: str
    kind: str
    status: str  # pending | sending | sent | failed | bounced | empty
    attempts: int
    message_id: str | None
    error: str | None
    created_at: datetime
    sent_at: datetime | None


def _dialect_insert(conn: Connection) -> Any:
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert(deliveries)
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert(deliveries)


def _insert_ignoring_conflict(conn: Connection, values: dict[str, Any]) -> None:
    stmt = _dialect_insert(conn).values(**values)
    conn.execute(stmt.on_conflict_do_nothing(index_elements=["subscription_id", "kind", "period"]))


def ensure_delivery(conn: Connection, subscription_id: int, kind: str, period: str, now: datetime) -> StoredDelivery:
    """The ledger row for (subscription, kind, period), created 'pending' if it was not there yet."""
    _insert_ignoring_conflict(
        conn,
        {"subscription_id": subscription_id, "kind": kind, "period": period, "status": "pending", "created_at": now},
    )
    found = delivery_for(conn, subscription_id, kind, period)
    assert found is not None
    return found


def delivery_for(conn: Connection, subscription_id: int, kind: str, period: str) -> StoredDelivery | None:
    row = conn.execute(
        select(deliveries).where(
            and_(
                deliveries.c.subscription_id == subscription_id,
                deliveries.c.kind == kind,
                deliveries.c.period == period,
            )
        )
    ).first()
    return StoredDelivery(**row._mapping) if row else None


def deliveries_for_periods(
    conn: Connection, kind: str, keys: Sequence[tuple[int, str]]
) -> dict[tuple[int, str], StoredDelivery]:
    """Ledger rows for many (subscription id, period) pairs in one query, keyed by that pair."""
    if not keys:
        return {}
    query = select(deliveries).where(
        and_(
            deliveries.c.kind == kind,
            deliveries.c.subscription_id.in_([k[0] for k in keys]),
            deliveries.c.period.in_(list({k[1] for k in keys})),
        )
    )
    rows = (StoredDelivery(**row._mapping) for row in conn.execute(query))
    return {(r.subscription_id, r.period): r for r in rows if r.subscription_id is not None}


def claim_delivery(
    conn: Connection,
    subscription_id: int,
    kind: str,
    period: str,
    message_id: str,
    now: datetime,
    *,
    statuses: Sequence[str] = CLAIMABLE,
) -> int | None:
    """Mark (subscription, kind, period) 'sending' and return its row id, or None when it is not claimable
    (delivered, or claimed by another run). One statement in the usual case: the row is created already claimed;
    otherwise an existing row moves only from one of `statuses` (a conditional update, safe against races)."""
    return _claim(conn, "subscription_id", subscription_id, kind, period, message_id, now, statuses)


def claim_account_delivery(
    conn: Connection,
    account_id: int,
    kind: str,
    period: str,
    message_id: str,
    now: datetime,
    *,
    statuses: Sequence[str] = CLAIMABLE,
) -> int | None:
    """claim_delivery for mail to an account (notifications): the row (account, kind, period)."""
    return _claim(conn, "account_id", account_id, kind, period, message_id, now, statuses)


def _claim(
    conn: Connection,
    recipient: str,
    recipient_id: int,
    kind: str,
    period: str,
    message_id: str,
    now: datetime,
    statuses: Sequence[str],
) -> int | None:
    inserted = conn.execute(
        _dialect_insert(conn)
        .values(
            {
                recipient: recipient_id,
                "kind": kind,
                "period": period,
                "status": "sending",
                "attempts": 1,
                "message_id": message_id,
                "created_at": now,
            }
        )
        .on_conflict_do_nothing(index_elements=[recipient, "kind", "period"])
        .returning(deliveries.c.id)
    ).first()
    if inserted is not None:
        return int(inserted[0])
    updated = conn.execute(
        update(deliveries)
        .where(
            deliveries.c[recipient] == recipient_id,
            deliveries.c.kind == kind,
            deliveries.c.period == period,
            deliveries.c.status.in_(list(statuses)),
        )
        .values(status="sending", message_id=message_id, attempts=deliveries.c.attempts + 1, error=None)
        .returning(deliveries.c.id)
    ).first()
    return int(updated[0]) if updated is not None else None


def settle_delivery(
    conn: Connection, delivery_id: int, status: str, *, error: str | None = None, sent_at: datetime | None = None
) -> None:
    conn.execute(
        update(deliveries).where(deliveries.c.id == delivery_id).values(status=status, error=error, sent_at=sent_at)
    )


def unsent_confirmations(conn: Connection, limit: int) -> list[tuple[StoredDelivery, str]]:
    """Confirmation emails still owed to pending subscribers (their first try failed), with the address."""
    query = (
        select(deliveries, subscriptions.c.email)
        .join(subscriptions, subscriptions.c.id == deliveries.c.subscription_id)
        .where(
            and_(
                deliveries.c.kind == "confirm",
                deliveries.c.status.in_(list(CLAIMABLE)),
                subscriptions.c.status == "pending",
            )
        )
        .order_by(deliveries.c.id)
        .limit(limit)
    )
    result = []
    for row in conn.execute(query):
        data = dict(row._mapping)
        email = data.pop("email")
        result.append((StoredDelivery(**data), email))
    return result


def delivery_status_counts(conn: Connection, kind: str, period: str | None = None) -> dict[str, int]:
    query = select(deliveries.c.status, func.count()).where(deliveries.c.kind == kind)
    if period is not None:
        query = query.where(deliveries.c.period == period)
    return {status: int(n) for status, n in conn.execute(query.group_by(deliveries.c.status))}
