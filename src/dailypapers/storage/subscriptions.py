"""Email subscriptions and their saved searches: the SQL behind subscribe, confirm, preferences and digests."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, func, insert, select, update

from dailypapers.storage.schema import saved_searches, subscriptions


@dataclass
class StoredSubscription:
    id: int
    email: str
    account_id: int | None
    status: str  # pending | active | unsubscribed | bounced
    frequency: str  # daily | weekly
    weekday: int
    top_n: int
    include_trending: bool
    include_searches: bool
    include_picks: bool
    categories: list[str]
    min_upvotes: int
    token: str
    created_at: datetime
    confirmed_at: datetime | None
    unsubscribed_at: datetime | None
    bounce_reason: str | None
    searches: list[str] = field(default_factory=list)


def _stored(row: Any, searches: list[str] | None = None) -> StoredSubscription:
    data = dict(row._mapping)
    data["categories"] = list(data.get("categories") or [])
    return StoredSubscription(**data, searches=searches or [])


def insert_subscription(conn: Connection, **values: Any) -> int:
    result = conn.execute(insert(subscriptions).values(**values))
    return int(result.inserted_primary_key[0])  # type: ignore[index]


def update_subscription(conn: Connection, subscription_id: int, **values: Any) -> bool:
    result = conn.execute(update(subscriptions).where(subscriptions.c.id == subscription_id).values(**values))
    return bool(result.rowcount)


def delete_subscription(conn: Connection, subscription_id: int) -> bool:
    result = conn.execute(delete(subscriptions).where(subscriptions.c.id == subscription_id))
    return bool(result.rowcount)


def subscription_by_email(conn: Connection, email: str) -> StoredSubscription | None:
    row = conn.execute(select(subscriptions).where(func.lower(subscriptions.c.email) == email.lower())).first()
    return _stored(row, searches_of(conn, row.id)) if row else None


def subscription_by_token(conn: Connection, token: str) -> StoredSubscription | None:
    row = conn.execute(select(subscriptions).where(subscriptions.c.token == token)).first()
    return _stored(row, searches_of(conn, row.id)) if row else None


def subscription_by_id(conn: Connection, subscription_id: int) -> StoredSubscription | None:
    row = conn.execute(select(subscriptions).where(subscriptions.c.id == subscription_id)).first()
    return _stored(row, searches_of(conn, row.id)) if row else None


def subscription_of_account(conn: Connection, account_id: int) -> StoredSubscription | None:
    row = conn.execute(
        select(subscriptions).where(subscriptions.c.account_id == account_id).order_by(subscriptions.c.id)
    ).first()
    return _stored(row, searches_of(conn, row.id)) if row else None


def all_subscriptions(conn: Connection) -> list[StoredSubscription]:
    rows = list(conn.execute(select(subscriptions).order_by(subscriptions.c.id)))
    searches = searches_by_subscription(conn, [r.id for r in rows])
    return [_stored(r, searches.get(r.id, [])) for r in rows]


def active_subscriptions_after(conn: Connection, after_id: int, limit: int) -> list[StoredSubscription]:
    """One page of confirmed subscriptions in id order, so a send run streams 10,000s without holding them all."""
    query = (
        select(subscriptions)
        .where(subscriptions.c.status == "active", subscriptions.c.id > after_id)
        .order_by(subscriptions.c.id)
        .limit(limit)
    )
    rows = list(conn.execute(query))
    searches = searches_by_subscription(conn, [r.id for r in rows])
    return [_stored(r, searches.get(r.id, [])) for r in rows]


def searches_of(conn: Connection, subscription_id: int) -> list[str]:
    return searches_by_subscription(conn, [subscription_id]).get(subscription_id, [])


def searches_by_subscription(conn: Connection, ids: Sequence[int]) -> dict[int, list[str]]:
    if not ids:
        return {}
    query = (
        select(saved_searches.c.subscription_id, saved_searches.c.query)
        .where(saved_searches.c.subscription_id.in_(list(ids)))
        .order_by(saved_searches.c.subscription_id, saved_searches.c.id)
    )
    result: dict[int, list[str]] = {}
    for sub_id, query_text in conn.execute(query):
        result.setdefault(sub_id, []).append(query_text)
    return result


def replace_searches(conn: Connection, subscription_id: int, queries: Sequence[str], now: datetime) -> None:
    conn.execute(delete(saved_searches).where(saved_searches.c.subscription_id == subscription_id))
    rows = [{"subscription_id": subscription_id, "query": q, "created_at": now} for q in dict.fromkeys(queries)]
    if rows:
        conn.execute(insert(saved_searches), rows)
