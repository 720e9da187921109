"""How digests ask the search service (the one way the site searches) for saved-search matches and picks.

Saved searches run in `text` mode over papers published in the period: an alert should list papers that contain
the words, and the semantic side would always return *something*, relevant or not. Personal picks are the
hybrid results of the member's recent upvoted/submitted papers' titles over the same period, fused by reciprocal
rank, so a paper close to several of them comes first.
"""

from __future__ import annotations

import re

from dailypapers.config import Config
from dailypapers.digest.compose import DigestPeriod
from dailypapers.search.fuse import rrf
from dailypapers.search.service import SearchError, SearchRequest, search_papers
from dailypapers.storage import Store
from dailypapers.storage.papers import papers_by_ids

RESULTS = 50
SEEDS = 5  # the member's most recent upvotes/submissions that steer their picks
RRF_K = 59  # search.fuse.rrf adds 1 to a 0-based rank: 1 / (60 + rank), as picks have always been fused


class ServiceSearch:
    """`digest.compose.DigestSearch` through the search service, over one store."""

    def __init__(self, store: Store, config: Config):
        self.store, self.config = store, config

    def matching(self, query: str, period: DigestPeriod) -> list[str]:
        return self._search(query, period, "text")

    def picks(self, seeds: list[str], period: DigestPeriod) -> list[str]:
        with self.store.read() as conn:
            titles = [p.title for p in papers_by_ids(conn, seeds[:SEEDS]).values()]
        rankings = [self._search(re.sub(r"[^\w\s-]", " ", title)[:300], period, "hybrid") for title in titles]
        fused = rrf(rankings, RRF_K)
        return sorted(fused, key=lambda key: -fused[key])[:RESULTS]

    def _search(self, query: str, period: DigestPeriod, mode: str) -> list[str]:
        request = SearchRequest(q=query, limit=RESULTS, date_from=period.first, date_to=period.last, mode=mode)
        try:
            return [hit.paper.id for hit in search_papers(self.store, self.config, request).hits]
        except SearchError:  # a saved query the search syntax rejects: no matches rather than no digest
            return []
