"""The site's one way to search: the app's store and config, and bad input answered as HTTP 400 with its message."""

from __future__ import annotations

from fastapi import HTTPException, Request

from dailypapers.search.service import (
    SearchError,
    SearchHit,
    SearchRequest,
    SearchResults,
    search_papers,
    similar_papers,
)
from dailypapers.web.context import config_of, store_of

__all__ = ["SearchRequest", "search_or_400", "similar_to"]


def search_or_400(request: Request, search: SearchRequest) -> SearchResults:
    """Results of `search` (pages, API, feeds); a SearchError becomes a 400 saying what was wrong."""
    try:
        return search_papers(store_of(request), config_of(request), search)
    except SearchError as exc:
        raise HTTPException(400, str(exc)) from exc


def similar_to(request: Request, paper_id: str, limit: int) -> list[SearchHit]:
    """The papers nearest to this one (by title words until embeddings exist)."""
    return similar_papers(store_of(request), config_of(request), paper_id, limit=limit)
