"""Collections: the only code that creates them, adds, removes, annotates and reorders their papers.

Slugs are one URL segment, `{username}-{title words}` (lower case, ASCII), with `-2`, `-3` … when taken; they are
chosen once and kept when the title changes, so links and API clients never break. Every member's "Reading list"
(`{username}-reading-list`) is made on first use — the one-click save on every card writes there.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, datetime

from sqlalchemy import Connection

from dailypapers.services.profiles import refresh_profile
from dailypapers.storage import Store
from dailypapers.storage import collections as collection_store
from dailypapers.storage import papers as paper_store
from dailypapers.storage.accounts import StoredAccount
from dailypapers.storage.collections import StoredCollection

READING_LIST = "Reading list"
MAX_TITLE = 200
MAX_DESCRIPTION = 5000
MAX_NOTE = 5000
MAX_ITEMS = 10_000
_NOT_SLUG = re.compile(r"[^a-z0-9]+")


class CollectionError(ValueError):
    """A change that can't be done (bad title, too many items …); the message is fit to show the user."""


class UnknownCollection(LookupError):
    """No such collection, or one the account may not see or change (answered as 404 either way)."""


class UnknownItem(LookupError):
    """The paper is not in the store, or not in the collection."""


def slugify(text: str, limit: int = 60) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return _NOT_SLUG.sub("-", ascii_text).strip("-")[:limit].strip("-")


def _clean_title(title: str) -> str:
    title = " ".join((title or "").split())
    if not title:
        raise CollectionError("A collection needs a title.")
    if len(title) > MAX_TITLE:
        raise CollectionError(f"The title is longer than {MAX_TITLE} characters: please shorten it.")
    return title


def _clean_text(text: str | None, limit: int, what: str) -> str:
    text = (text or "").strip()
    if len(text) > limit:
        raise CollectionError(f"The {what} is longer than {limit} characters: please shorten it.")
    return text


def _new_slug(conn: Connection, username: str, title: str) -> str:
    base = f"{slugify(username, 40)}-{slugify(title) or 'collection'}"
    slug, n = base, 1
    while collection_store.slug_taken(conn, slug):
        n += 1
        slug = f"{base}-{n}"
    return slug


def create_collection(
    store: Store, owner: StoredAccount, title: str, description: str | None = None, private: bool = False
) -> StoredCollection:
    title = _clean_title(title)
    description = _clean_text(description, MAX_DESCRIPTION, "description")
    with store.write() as conn:
        slug = _new_slug(conn, owner.username, title)
        collection_store.insert_collection(
            conn,
            slug=slug,
            account_id=owner.id,
            title=title,
            description=description,
            private=bool(private),
            is_reading_list=False,
            now=datetime.now(UTC),
        )
        found = collection_store.collection_by_slug(conn, slug)
    assert found is not None
    return found


def reading_list(store: Store, owner: StoredAccount) -> StoredCollection:
    """The member's reading list, made (private) the first time it is needed."""
    with store.write() as conn:
        found = collection_store.reading_list_of(conn, owner.id)
        if found is None:
            collection_store.insert_collection(
                conn,
                slug=_new_slug(conn, owner.username, READING_LIST),
                account_id=owner.id,
                title=READING_LIST,
                description="",
                private=True,
                is_reading_list=True,
                now=datetime.now(UTC),
            )
            found = collection_store.reading_list_of(conn, owner.id)
    assert found is not None
    return found


def owned_collection(store: Store, owner: StoredAccount, slug: str) -> StoredCollection:
    """The collection if `owner` owns it; anyone else gets UnknownCollection (private ones must not leak)."""
    with store.read() as conn:
        found = collection_store.collection_by_slug(conn, slug)
    if found is None or found.account_id != owner.id:
        raise UnknownCollection(f"You have no collection {slug}.")
    return found


def update_collection(
    store: Store, owner: StoredAccount, slug: str, title: str, description: str | None, private: bool
) -> StoredCollection:
    found = owned_collection(store, owner, slug)
    title, text = _clean_title(title), _clean_text(description, MAX_DESCRIPTION, "description")
    with store.write() as conn:
        now = datetime.now(UTC)
        collection_store.update_collection(conn, found.id, title=title, description=text, private=private, now=now)
    return owned_collection(store, owner, slug)


def delete_collection(store: Store, owner: StoredAccount, slug: str) -> None:
    found = owned_collection(store, owner, slug)
    if found.is_reading_list:
        raise CollectionError("Your reading list can be emptied but not deleted.")
    with store.write() as conn:
        collection_store.delete_collection(conn, found.id)


def add_item(store: Store, owner: StoredAccount, slug: str, paper_id: str, note: str | None = None) -> bool:
    """Add a paper at the end; adding one already there changes nothing. True when it was added."""
    found = owned_collection(store, owner, slug)
    return _add(store, found, paper_id, note)


def _add(store: Store, found: StoredCollection, paper_id: str, note: str | None) -> bool:
    note = _clean_text(note, MAX_NOTE, "note")
    with store.write() as conn:
        if not paper_store.paper_rows_by_ids(conn, [paper_id]):
            raise UnknownItem(f"There is no paper {paper_id} here yet: open its page to fetch it from arXiv.")
        if collection_store.item_of(conn, found.id, paper_id) is not None:
            return False
        position = collection_store.next_position(conn, found.id)
        if position >= MAX_ITEMS:
            raise CollectionError(f"A collection holds at most {MAX_ITEMS} papers.")
        now = datetime.now(UTC)
        collection_store.insert_item(conn, found.id, paper_id, position, note, now)
        collection_store.touch_collection(conn, found.id, now)
        refresh_profile(conn, found.account_id)  # a saved paper is a For-you positive
    return True


def add_items(store: Store, owner: StoredAccount, slug: str, paper_ids: list[str]) -> list[str]:
    """Add papers (known to be stored) at the end, in this order, in one transaction; returns those newly added."""
    found = owned_collection(store, owner, slug)
    with store.write() as conn:
        present = collection_store.paper_ids_of(conn, found.id)
        new = [p for p in dict.fromkeys(paper_ids) if p not in present]
        if collection_store.next_position(conn, found.id) + len(new) > MAX_ITEMS:
            raise CollectionError(f"A collection holds at most {MAX_ITEMS} papers.")
        return appended_items(conn, found, new)


def appended_items(conn: Connection, found: StoredCollection, paper_ids: list[str]) -> list[str]:
    """Append stored papers not yet in `found` (up to MAX_ITEMS) inside the caller's transaction; those added.

    Also what the fetch worker calls when a paper a BibTeX import queued arrives for a waiting collection.
    """
    present = collection_store.paper_ids_of(conn, found.id)
    position = collection_store.next_position(conn, found.id)
    now = datetime.now(UTC)
    added: list[str] = []
    for paper_id in dict.fromkeys(paper_ids):
        if paper_id in present or position >= MAX_ITEMS:
            continue
        collection_store.insert_item(conn, found.id, paper_id, position, "", now)
        added.append(paper_id)
        position += 1
    collection_store.touch_collection(conn, found.id, now)
    if added:
        refresh_profile(conn, found.account_id)
    return added


def remove_item(store: Store, owner: StoredAccount, slug: str, paper_id: str) -> None:
    found = owned_collection(store, owner, slug)
    with store.write() as conn:
        if not collection_store.delete_item(conn, found.id, paper_id):
            raise UnknownItem(f"Paper {paper_id} is not in the collection {slug}.")
        order = [item.paper_id for item in collection_store.items_of(conn, found.id)]
        collection_store.set_positions(conn, found.id, order)
        collection_store.touch_collection(conn, found.id, datetime.now(UTC))
        refresh_profile(conn, found.account_id)


def set_note(store: Store, owner: StoredAccount, slug: str, paper_id: str, note: str) -> None:
    found = owned_collection(store, owner, slug)
    note = _clean_text(note, MAX_NOTE, "note")
    with store.write() as conn:
        if collection_store.item_of(conn, found.id, paper_id) is None:
            raise UnknownItem(f"Paper {paper_id} is not in the collection {slug}.")
        collection_store.update_item_note(conn, found.id, paper_id, note)
        collection_store.touch_collection(conn, found.id, datetime.now(UTC))


def move_item(store: Store, owner: StoredAccount, slug: str, paper_id: str, to_position: int) -> int:
    """Move a paper to a position (0 = first; clamped to the ends); the others keep their order. Returns where."""
    found = owned_collection(store, owner, slug)
    with store.write() as conn:
        order = [item.paper_id for item in collection_store.items_of(conn, found.id)]
        if paper_id not in order:
            raise UnknownItem(f"Paper {paper_id} is not in the collection {slug}.")
        order.remove(paper_id)
        target = max(0, min(int(to_position), len(order)))
        order.insert(target, paper_id)
        collection_store.set_positions(conn, found.id, order)
        collection_store.touch_collection(conn, found.id, datetime.now(UTC))
    return target


def set_saved(store: Store, owner: StoredAccount, paper_id: str, want: bool | None = None) -> bool:
    """Save a paper to (or drop it from) the member's reading list; `None` toggles. Returns saved now."""
    found = reading_list(store, owner)
    with store.read() as conn:
        present = collection_store.item_of(conn, found.id, paper_id) is not None
    wanted = (not present) if want is None else want
    if wanted and not present:
        _add(store, found, paper_id, None)
    elif not wanted and present:
        remove_item(store, owner, found.slug, paper_id)
    return wanted
