"""Reads behind collection pages, the collections API, profiles and the save buttons on cards.

Visibility lives here once: a private collection is seen by its owner only; to anyone else it does not exist.
"""

from __future__ import annotations

from dataclasses import dataclass

from dailypapers.storage import Store
from dailypapers.storage import accounts as account_store
from dailypapers.storage import collections as collection_store
from dailypapers.storage import papers as paper_store
from dailypapers.storage.accounts import StoredAccount
from dailypapers.storage.collections import StoredCollection, StoredItem
from dailypapers.storage.papers import StoredPaper


@dataclass
class CollectionEntry:
    item: StoredItem
    paper: StoredPaper


@dataclass
class CollectionView:
    collection: StoredCollection
    entries: list[CollectionEntry]


def can_see(collection: StoredCollection, viewer: StoredAccount | None) -> bool:
    return not collection.private or (viewer is not None and viewer.id == collection.account_id)


def visible_collection(store: Store, slug: str, viewer: StoredAccount | None) -> CollectionView | None:
    """The collection with its papers in order, or None when it is missing or private to someone else."""
    with store.read() as conn:
        found = collection_store.collection_by_slug(conn, slug)
        if found is None or not can_see(found, viewer):
            return None
        items = collection_store.items_of(conn, found.id)
        papers = paper_store.papers_by_ids(conn, [item.paper_id for item in items])
    entries = [CollectionEntry(item, papers[item.paper_id]) for item in items if item.paper_id in papers]
    return CollectionView(found, entries)


def collections_of_member(store: Store, username: str, viewer: StoredAccount | None) -> list[StoredCollection] | None:
    """A member's collections the viewer may see (all of them for the member); None when no such member."""
    with store.read() as conn:
        member = account_store.account_by_username(conn, username)
        if member is None:
            return None
        own = viewer is not None and viewer.id == member.id
        return collection_store.collections_of(conn, member.id, include_private=own)


@dataclass
class PaperCollections:
    """The member's collections for a paper page, and which of them hold the paper."""

    collections: list[StoredCollection]
    holding: set[int]


def collections_for_paper(store: Store, account: StoredAccount | None, paper_id: str) -> PaperCollections:
    if account is None:
        return PaperCollections([], set())
    with store.read() as conn:
        mine = collection_store.collections_of(conn, account.id, include_private=True)
        holding = collection_store.collection_ids_holding(conn, account.id, paper_id)
    return PaperCollections(mine, holding)


def reading_list_ids(store: Store, account: StoredAccount | None) -> set[str]:
    """Every paper in the member's reading list (what the save buttons on a page show), one query."""
    if account is None:
        return set()
    with store.read() as conn:
        found = collection_store.reading_list_of(conn, account.id)
        return collection_store.paper_ids_of(conn, found.id) if found else set()
