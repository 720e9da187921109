"""Collections and their items: the SQL behind reading lists, collection pages, the API and exports."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, Select, and_, delete, func, insert, select, update

from dailypapers.storage.schema import accounts, collection_items, collections


@dataclass
class StoredCollection:
    id: int
    slug: str
    account_id: int
    title: str
    description: str
    private: bool
    is_reading_list: bool
    created_at: datetime
    updated_at: datetime
    owner_username: str = ""
    owner_fullname: str = ""
    size: int = 0


@dataclass
class StoredItem:
    paper_id: str
    position: int
    note: str
    added_at: datetime


_ITEM_COLUMNS = (
    collection_items.c.paper_id,
    collection_items.c.position,
    collection_items.c.note,
    collection_items.c.added_at,
)


def _size() -> Any:
    return (
        select(func.count()).where(collection_items.c.collection_id == collections.c.id).scalar_subquery().label("size")
    )


def _with_owner() -> Select[Any]:
    return select(
        collections,
        accounts.c.username.label("owner_username"),
        accounts.c.fullname.label("owner_fullname"),
        _size(),
    ).join(accounts, accounts.c.id == collections.c.account_id)


def _stored(row: Row[Any]) -> StoredCollection:
    return StoredCollection(**row._mapping)


def collection_by_slug(conn: Connection, slug: str) -> StoredCollection | None:
    row = conn.execute(_with_owner().where(collections.c.slug == slug)).first()
    return _stored(row) if row else None


def collection_by_id(conn: Connection, collection_id: int) -> StoredCollection | None:
    row = conn.execute(_with_owner().where(collections.c.id == collection_id)).first()
    return _stored(row) if row else None


def reading_list_of(conn: Connection, account_id: int) -> StoredCollection | None:
    query = _with_owner().where(and_(collections.c.account_id == account_id, collections.c.is_reading_list.is_(True)))
    row = conn.execute(query).first()
    return _stored(row) if row else None


def collections_of(conn: Connection, account_id: int, *, include_private: bool) -> list[StoredCollection]:
    """The account's collections, the reading list first, then newest first."""
    query = _with_owner().where(collections.c.account_id == account_id)
    if not include_private:
        query = query.where(collections.c.private.is_(False))
    query = query.order_by(collections.c.is_reading_list.desc(), collections.c.created_at.desc(), collections.c.id)
    return [_stored(row) for row in conn.execute(query)]


def slug_taken(conn: Connection, slug: str) -> bool:
    return conn.execute(select(collections.c.id).where(collections.c.slug == slug)).first() is not None


def insert_collection(
    conn: Connection,
    *,
    slug: str,
    account_id: int,
    title: str,
    description: str,
    private: bool,
    is_reading_list: bool,
    now: datetime,
) -> int:
    values = dict(
        slug=slug,
        account_id=account_id,
        title=title,
        description=description,
        private=private,
        is_reading_list=is_reading_list,
        created_at=now,
        updated_at=now,
    )
    result = conn.execute(insert(collections).values(**values))
    return int(result.inserted_primary_key[0])  # type: ignore[index]


def update_collection(
    conn: Connection, collection_id: int, *, title: str, description: str, private: bool, now: datetime
) -> None:
    values = dict(title=title, description=description, private=private, updated_at=now)
    conn.execute(update(collections).where(collections.c.id == collection_id).values(**values))


def touch_collection(conn: Connection, collection_id: int, now: datetime) -> None:
    conn.execute(update(collections).where(collections.c.id == collection_id).values(updated_at=now))


def delete_collection(conn: Connection, collection_id: int) -> None:
    conn.execute(delete(collection_items).where(collection_items.c.collection_id == collection_id))
    conn.execute(delete(collections).where(collections.c.id == collection_id))


def items_of(conn: Connection, collection_id: int) -> list[StoredItem]:
    query = (
        select(*_ITEM_COLUMNS)
        .where(collection_items.c.collection_id == collection_id)
        .order_by(collection_items.c.position, collection_items.c.paper_id)
    )
    return [StoredItem(**row._mapping) for row in conn.execute(query)]


def item_page(conn: Connection, collection_id: int, after_position: int, limit: int) -> list[StoredItem]:
    """Items after a position (keyset paging for exports)."""
    query = (
        select(*_ITEM_COLUMNS)
        .where(and_(collection_items.c.collection_id == collection_id, collection_items.c.position > after_position))
        .order_by(collection_items.c.position)
        .limit(limit)
    )
    return [StoredItem(**row._mapping) for row in conn.execute(query)]


def item_of(conn: Connection, collection_id: int, paper_id: str) -> StoredItem | None:
    where = and_(collection_items.c.collection_id == collection_id, collection_items.c.paper_id == paper_id)
    query = select(*_ITEM_COLUMNS).where(where)
    row = conn.execute(query).first()
    return StoredItem(**row._mapping) if row else None


def next_position(conn: Connection, collection_id: int) -> int:
    query = select(func.max(collection_items.c.position)).where(collection_items.c.collection_id == collection_id)
    top = conn.execute(query).scalar_one()
    return 0 if top is None else int(top) + 1


def insert_item(conn: Connection, collection_id: int, paper_id: str, position: int, note: str, now: datetime) -> None:
    values = dict(collection_id=collection_id, paper_id=paper_id, position=position, note=note, added_at=now)
    conn.execute(insert(collection_items).values(**values))


def update_item_note(conn: Connection, collection_id: int, paper_id: str, note: str) -> None:
    where = and_(collection_items.c.collection_id == collection_id, collection_items.c.paper_id == paper_id)
    conn.execute(update(collection_items).where(where).values(note=note))


def delete_item(conn: Connection, collection_id: int, paper_id: str) -> bool:
    where = and_(collection_items.c.collection_id == collection_id, collection_items.c.paper_id == paper_id)
    return bool(conn.execute(delete(collection_items).where(where)).rowcount)


def set_positions(conn: Connection, collection_id: int, paper_ids: list[str]) -> None:
    """Number the items 0, 1, 2 … in this order (one UPDATE per item; collections are small)."""
    for position, paper_id in enumerate(paper_ids):
        where = and_(collection_items.c.collection_id == collection_id, collection_items.c.paper_id == paper_id)
        conn.execute(update(collection_items).where(where).values(position=position))


def collection_ids_holding(conn: Connection, account_id: int, paper_id: str) -> set[int]:
    """Which of the account's collections hold the paper (for the paper page's toggles)."""
    query = (
        select(collection_items.c.collection_id)
        .join(collections, collections.c.id == collection_items.c.collection_id)
        .where(and_(collections.c.account_id == account_id, collection_items.c.paper_id == paper_id))
    )
    return {int(row[0]) for row in conn.execute(query)}


def paper_ids_of(conn: Connection, collection_id: int) -> set[str]:
    query = select(collection_items.c.paper_id).where(collection_items.c.collection_id == collection_id)
    return {row[0] for row in conn.execute(query)}
