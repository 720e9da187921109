"""The paper page, upvotes, and asking for a paper the store lacks to be fetched from arXiv (a queued job)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from fastapi import HTTPException, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from dailypapers.domain import InvalidArxivId, parse_arxiv_id
from dailypapers.queries import feed as feed_queries
from dailypapers.queries.fetches import fetch_status
from dailypapers.queries.site import voted_ids
from dailypapers.services.accounts import is_curator
from dailypapers.services.fetches import request_fetch
from dailypapers.services.votes import UnknownPaper, toggle_vote
from dailypapers.web.auth import current_account, require_account, require_csrf
from dailypapers.web.context import config_of, render, store_of

SIMILAR = 6


def paper(request: Request, arxiv_id: str) -> Response:
    try:
        parsed = parse_arxiv_id(arxiv_id)
    except InvalidArxivId as exc:
        raise HTTPException(404, f"{exc}: there is no such paper") from exc
    if parsed.id != arxiv_id:  # /papers/2406.12345v2 or an old-style variant: one canonical address
        return RedirectResponse(f"/papers/{parsed.id}", status_code=301)
    account = current_account(request)
    store = store_of(request)
    detail = feed_queries.paper_detail(store, parsed.id, include_hidden=is_curator(account))
    if detail is None:
        entry = fetch_status(store, parsed.id)
        pending = entry is not None and entry.state in ("queued", "running")
        context: dict[str, Any] = {"arxiv_id": parsed.id, "fetch": entry, "pending": pending}
        return render(request, "paper_missing.html", context, status_code=200 if pending else 404)
    similar = _similar(request, parsed.id)
    context = {
        "detail": detail,
        "paper": detail.paper,
        "voted": voted_ids(store, account, [parsed.id, *(hit.paper.id for hit in similar)]),
        "similar": similar,
    }
    return render(request, "paper.html", context)


async def fetch(request: Request, arxiv_id: str) -> Response:
    """Queue a fetch from arXiv of a paper the store lacks (members only, rate-limited per account)."""
    await require_csrf(request)
    return await run_in_threadpool(_queue_fetch, request, arxiv_id)


def _queue_fetch(request: Request, arxiv_id: str) -> Response:
    account = require_account(request)
    try:
        parsed = parse_arxiv_id(arxiv_id)
    except InvalidArxivId as exc:
        raise HTTPException(404, f"{exc}: there is no such paper") from exc
    store = store_of(request)
    if feed_queries.paper_detail(store, parsed.id) is None:
        limiter, key = request.app.state.fetch_limiter, f"fetch:{account.id}"
        if not limiter.allow(key):
            retry = str(limiter.retry_after(key))
            raise HTTPException(429, "too many papers fetched from arXiv lately: wait a while", {"Retry-After": retry})
        request_fetch(store, parsed.id, account.id)
    return RedirectResponse(f"/papers/{parsed.id}", status_code=303)


async def upvote(request: Request, arxiv_id: str) -> Response:
    """Toggle the member's upvote: JSON for the page's script, a redirect back for plain forms."""
    await require_csrf(request)
    account = require_account(request)
    limiter = request.app.state.vote_limiter
    key = f"vote:{account.id}"
    if not limiter.allow(key):
        raise HTTPException(429, "too many votes: wait a little", {"Retry-After": str(limiter.retry_after(key))})
    form = await request.form()
    wanted = form.get("vote")
    want = None if wanted not in ("0", "1") else wanted == "1"
    try:
        voted, count = toggle_vote(store_of(request), account, arxiv_id, want)
    except UnknownPaper as exc:
        raise HTTPException(404, str(exc)) from exc
    if "application/json" in request.headers.get("accept", ""):
        return JSONResponse({"paper": arxiv_id, "voted": voted, "upvotes": count})
    return RedirectResponse(_back(request, f"/papers/{arxiv_id}"), status_code=303)


def _back(request: Request, fallback: str) -> str:
    referer = request.headers.get("referer")
    if referer:
        parts = urlsplit(referer)
        if parts.netloc == request.url.netloc and parts.path.startswith("/"):
            return parts.path + (f"?{parts.query}" if parts.query else "")
    return fallback


def _similar(request: Request, paper_id: str) -> list[Any]:
    try:
        from dailypapers.search.service import similar_papers
    except ImportError:  # search not installed in this build: the page simply has no "similar" panel
        return []
    return list(similar_papers(store_of(request), config_of(request), paper_id, limit=SIMILAR))
