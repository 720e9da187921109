"""Search suggestions as you type: a few titles from the text index (no embedding per keystroke), or, for an
arXiv id or URL, the paper itself, so Enter on it goes straight to the paper page."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import JSONResponse

from dailypapers.domain import InvalidArxivId, parse_arxiv_id
from dailypapers.latex import plain
from dailypapers.search.service import SearchError, SearchRequest, search_papers
from dailypapers.web.context import config_of, store_of

LIMIT = 6
MIN_CHARS = 2
MAX_CHARS = 200


def suggest(request: Request, q: str = "") -> JSONResponse:
    """`{"suggestions": [{"id", "title", "url"}]}`; empty for a query too short to say anything."""
    text = q.strip()[:MAX_CHARS]
    if len(text) < MIN_CHARS:
        return _answer([])
    try:
        arxiv_id = parse_arxiv_id(text)
    except InvalidArxivId:
        arxiv_id = None
    if arxiv_id is not None:
        return _answer([{"id": arxiv_id.id, "title": f"Open arXiv:{arxiv_id.id}", "url": f"/papers/{arxiv_id.id}"}])
    try:
        results = search_papers(
            store_of(request), config_of(request), SearchRequest(q=text, limit=LIMIT, mode="text", snippets=False)
        )
    except SearchError:
        return _answer([])  # half-typed syntax (an open quote, a dangling filter) is not an error while typing
    hits = results.hits[:LIMIT]
    return _answer([{"id": h.paper.id, "title": plain(h.paper.title), "url": f"/papers/{h.paper.id}"} for h in hits])


def _answer(items: list[dict[str, str]]) -> JSONResponse:
    return JSONResponse({"suggestions": items}, headers={"Cache-Control": "private, max-age=60"})
