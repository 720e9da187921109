"""How digests ask the search service (the one way the site searches) for saved-search matches and picks.

Saved searches run in `text` mode over papers published in the period: an alert should list papers that contain
the words, and the semantic side would always return *something*, relevant or not. Personal picks are the
hybrid results of the member's recent upvoted/submitted papers' titles over the same period, fused by reciprocal
rank, so a paper close to several of them comes first.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from dailypapers.config import Config
from dailypapers.search.service import SearchError, SearchRequest, search_papers
from dailypapers.storage import Store
from dailypapers.storage.papers import papers_by_ids

if TYPE_CHECKING:
    from dailypapers.digest.compose import Period

SearchFn = Callable[[str, "Period"], list[str]]
SimilarFn = Callable[[list[str], "Period"], list[str]]
RESULTS = 50
SEEDS = 5  # the member's most recent upvotes/submissions that steer their picks


def backends(store: Store, config: Config) -> tuple[SearchFn, SimilarFn]:
    def search(query: str, period: Period) -> list[str]:
        return _search(store, config, query, period, "text")

    def similar(seeds: list[str], period: Period) -> list[str]:
        with store.read() as conn:
            titles = [p.title for p in papers_by_ids(conn, seeds[:SEEDS]).values()]
        fused: dict[str, float] = {}
        for title in titles:
            words = re.sub(r"[^\w\s-]", " ", title)[:300]
            for rank, paper_id in enumerate(_search(store, config, words, period, "hybrid")):
                fused[paper_id] = fused.get(paper_id, 0.0) + 1.0 / (60 + rank)
        return sorted(fused, key=lambda key: -fused[key])[:RESULTS]

    return search, similar


def _search(store: Store, config: Config, query: str, period: Period, mode: str) -> list[str]:
    request = SearchRequest(q=query, limit=RESULTS, date_from=period.first, date_to=period.last, mode=mode)
    try:
        return [hit.paper.id for hit in search_papers(store, config, request).hits]
    except SearchError:  # a saved query the search syntax rejects: no matches rather than no digest
        return []
