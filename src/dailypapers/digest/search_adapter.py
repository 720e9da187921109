"""How digests ask the search service (the one way the site searches) for saved-search matches and picks.

Saved searches run in `text` mode over papers published in the period: an alert should list papers that contain
the words, and the semantic side would always return *something*, relevant or not. Personal picks are the
member's For-you ranking of the papers published in the period (queries/recommendations.py), blend dial included;
a member with fewer than three positives gets none (the trending section already covers them).
"""

from __future__ import annotations

from dailypapers.config import Config
from dailypapers.digest.compose import DigestPeriod
from dailypapers.queries.recommendations import recommend
from dailypapers.search.service import SearchError, SearchRequest, search_papers
from dailypapers.storage import Store

RESULTS = 50


class ServiceSearch:
    """`digest.compose.DigestSearch` through the search service, over one store."""

    def __init__(self, store: Store, config: Config):
        self.store, self.config = store, config

    def matching(self, query: str, period: DigestPeriod) -> list[str]:
        return self._search(query, period, "text")

    def picks(self, account_id: int, period: DigestPeriod) -> list[str]:
        found = recommend(self.store, self.config, account_id, period.first, period.last, limit=RESULTS)
        return [] if found.cold_start else [item.paper.id for item in found.items]

    def _search(self, query: str, period: DigestPeriod, mode: str) -> list[str]:
        request = SearchRequest(q=query, limit=RESULTS, date_from=period.first, date_to=period.last, mode=mode)
        try:
            return [hit.paper.id for hit in search_papers(self.store, self.config, request).hits]
        except SearchError:  # a saved query the search syntax rejects: no matches rather than no digest
            return []
