"""What an export holds, read page by page so a million papers stream in flat memory.

Each page is its own short read transaction (keyset paging: by paper id for the whole store, by position for a
collection), so a long download never holds a transaction open. A search export takes the search's ranked pages,
which stop at the search service's paging cap (the best ~1,100 matches).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from dailypapers.config import Config
from dailypapers.queries.collections import can_see
from dailypapers.storage import Store
from dailypapers.storage import collections as collection_store
from dailypapers.storage import papers as paper_store
from dailypapers.storage.accounts import StoredAccount
from dailypapers.storage.papers import StoredPaper

PAGE = 500


@dataclass
class ExportRecord:
    paper: StoredPaper
    versions: list[tuple[int, datetime | None]]
    note: str = ""


def _since(day: date | None) -> datetime | None:
    return datetime.combine(day, time.min, tzinfo=UTC) if day else None


def _records(store: Store, papers: list[StoredPaper], notes: dict[str, str] | None = None) -> list[ExportRecord]:
    with store.read() as conn:
        versions = paper_store.versions_by_paper(conn, [p.id for p in papers])
    return [ExportRecord(p, versions.get(p.id, []), (notes or {}).get(p.id, "")) for p in papers]


def store_export(store: Store, since: date | None = None) -> Iterator[ExportRecord]:
    """Every paper (first published on or after `since`), by id."""
    after, cutoff = "", _since(since)
    while True:
        with store.read() as conn:
            page = paper_store.papers_after(conn, after, PAGE, cutoff)
        if not page:
            return
        yield from _records(store, page)
        after = page[-1].id


def collection_export(
    store: Store, slug: str, viewer: StoredAccount | None, since: date | None = None, *, operator: bool = False
) -> Iterator[ExportRecord] | None:
    """A collection's papers in the owner's order, with their notes; None when missing or private to someone else
    (`operator`: the command line, which may export any collection)."""
    with store.read() as conn:
        found = collection_store.collection_by_slug(conn, slug)
    if found is None or not (operator or can_see(found, viewer)):
        return None
    cutoff = _since(since)

    def pages() -> Iterator[ExportRecord]:
        after = -1
        while True:
            with store.read() as conn:
                items = collection_store.item_page(conn, found.id, after, PAGE)
                papers = paper_store.papers_by_ids(conn, [item.paper_id for item in items])
            if not items:
                return
            wanted = [papers[i.paper_id] for i in items if i.paper_id in papers]
            wanted = [p for p in wanted if cutoff is None or (p.published_at and p.published_at >= cutoff)]
            yield from _records(store, wanted, {item.paper_id: item.note for item in items})
            after = items[-1].position

    return pages()


def search_export(store: Store, config: Config, query: str, since: date | None = None) -> Iterator[ExportRecord]:
    """A search's matches, best first (raises SearchError for a bad query before anything is written)."""
    from dailypapers.search.service import MAX_LIMIT, MAX_OFFSET, SearchRequest, search_papers

    first = search_papers(store, config, SearchRequest(q=query, limit=MAX_LIMIT, date_from=since))

    def pages() -> Iterator[ExportRecord]:
        results, offset = first, 0
        while results.hits:
            yield from _records(store, [hit.paper for hit in results.hits])
            offset += MAX_LIMIT
            if len(results.hits) < MAX_LIMIT or offset > MAX_OFFSET:
                return
            request = SearchRequest(q=query, limit=MAX_LIMIT, offset=offset, date_from=since)
            results = search_papers(store, config, request)

    return pages()
