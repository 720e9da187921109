"""The "Following" feed: the newest papers of what a member follows, read fresh each time (nothing is stored).

Each followed thing contributes its newest papers — an author's (matched by name, see queries/authors.py), a
category's, a collection's, a saved search's (newest first) — and the union is shown newest first, each paper
with the reasons it is there. Used by the Following tab and the member's private Atom feed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from dailypapers.config import Config
from dailypapers.queries.authors import papers_by_author
from dailypapers.storage import Store, fulltext
from dailypapers.storage import collections as collection_store
from dailypapers.storage import follows as follow_store
from dailypapers.storage import papers as paper_store
from dailypapers.storage.papers import StoredPaper

PER_FOLLOW = 30
SHOWN = 50
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass
class FollowedPaper:
    paper: StoredPaper
    reasons: list[str] = field(default_factory=list)  # "author Jane Doe", "cs.CL", …


@dataclass
class FollowingView:
    follows: list[tuple[str, str]]
    items: list[FollowedPaper]


def follows_of(store: Store, account_id: int | None) -> set[tuple[str, str]]:
    if account_id is None:
        return set()
    with store.read() as conn:
        return set(follow_store.follows_of(conn, account_id))


def _papers_of(store: Store, config: Config, kind: str, target: str) -> list[StoredPaper]:
    if kind == "author":
        return papers_by_author(store, target, PER_FOLLOW)
    if kind == "search":
        from dailypapers.search.service import SearchError, SearchRequest, search_papers

        try:
            found = search_papers(store, config, SearchRequest(q=target, limit=PER_FOLLOW, sort="newest"))
        except SearchError:
            return []
        return [hit.paper for hit in found.hits]
    with store.read() as conn:
        if kind == "category":
            ids = store.text_index.browse(conn, fulltext.SearchFilters(categories=[target]), "newest", PER_FOLLOW, 0)
        else:
            found_collection = collection_store.collection_by_slug(conn, target)
            if found_collection is None or found_collection.private:
                return []
            items = collection_store.items_of(conn, found_collection.id)
            ids = [i.paper_id for i in sorted(items, key=lambda i: i.added_at, reverse=True)[:PER_FOLLOW]]
        papers = paper_store.papers_by_ids(conn, ids)
    return [papers[i] for i in ids if i in papers]


def following_feed(store: Store, config: Config, account_id: int) -> FollowingView:
    with store.read() as conn:
        followed = follow_store.follows_of(conn, account_id)
    merged: dict[str, FollowedPaper] = {}
    for kind, target in followed:
        reason = target if kind == "category" else f"{kind} {target}"
        for paper in _papers_of(store, config, kind, target):
            merged.setdefault(paper.id, FollowedPaper(paper)).reasons.append(reason)
    items = sorted(merged.values(), key=lambda f: (f.paper.published_at or _EPOCH, f.paper.id), reverse=True)
    return FollowingView(followed, items[:SHOWN])
