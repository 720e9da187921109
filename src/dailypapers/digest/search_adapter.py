"""How digests ask the search service (the one way the site searches) for saved-search matches and picks.

Saved searches run in `text` mode over papers published in the period: an alert should list papers that contain
the words, and the semantic side would always return *something*, relevant or not. Personal picks are the
member's For-you ranking of the papers published in the period (queries/recommendations.py), blend dial included;
a member with fewer than three positives gets none (the trending section already covers them).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from dailypapers.config import Config
from dailypapers.queries.recommendations import recommend
from dailypapers.search.service import SearchError, SearchRequest, search_papers
from dailypapers.storage import Store

if TYPE_CHECKING:
    from dailypapers.digest.compose import Period

SearchFn = Callable[[str, "Period"], list[str]]
SimilarFn = Callable[[int, "Period"], list[str]]
RESULTS = 50


def backends(store: Store, config: Config) -> tuple[SearchFn, SimilarFn]:
    def search(query: str, period: Period) -> list[str]:
        return _search(store, config, query, period, "text")

    def similar(account_id: int, period: Period) -> list[str]:
        picks = recommend(store, config, account_id, period.first, period.last, limit=RESULTS)
        return [] if picks.cold_start else [item.paper.id for item in picks.items]

    return search, similar


def _search(store: Store, config: Config, query: str, period: Period, mode: str) -> list[str]:
    request = SearchRequest(q=query, limit=RESULTS, date_from=period.first, date_to=period.last, mode=mode)
    try:
        return [hit.paper.id for hit in search_papers(store, config, request).hits]
    except SearchError:  # a saved query the search syntax rejects: no matches rather than no digest
        return []
