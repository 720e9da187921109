"""The paper page, upvotes, and fetching a paper the store lacks from arXiv."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from fastapi import HTTPException, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from dailypapers.domain import InvalidArxivId, parse_arxiv_id
from dailypapers.queries import comments as comment_queries
from dailypapers.queries import feed as feed_queries
from dailypapers.queries.site import voted_ids
from dailypapers.services.accounts import is_curator
from dailypapers.services.submissions import SubmissionError, fetch_paper
from dailypapers.services.votes import UnknownPaper, toggle_vote
from dailypapers.web.auth import client_key, current_account, require_account, require_csrf
from dailypapers.web.context import config_of, render, store_of

SIMILAR = 6


def paper(
    request: Request,
    arxiv_id: str,
    order: str = "oldest",
    reply: int | None = None,
    edit: int | None = None,
    report: int | None = None,
) -> Response:
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
        context = {"arxiv_id": parsed.id, "status": 404}
        return render(request, "paper_missing.html", context, status_code=404)
    similar = _similar(request, parsed.id)
    context = {
        "detail": detail,
        "paper": detail.paper,
        "voted": voted_ids(store, account, [parsed.id, *(hit.paper.id for hit in similar)]),
        "similar": similar,
        "thread": comment_queries.thread(store, parsed.id, account, "newest" if order == "newest" else "oldest"),
        "curator": is_curator(account),
        "open_form": _open_form(reply, edit, report),
    }
    return render(request, "paper.html", context)


async def fetch(request: Request, arxiv_id: str) -> Response:
    """Fetch a paper the store lacks from the arXiv API (a POST: it adds the paper to the store)."""
    await require_csrf(request)
    limiter = request.app.state.login_limiter
    if not limiter.allow("fetch:" + client_key(request)):
        raise HTTPException(429, "too many fetches: wait a minute", {"Retry-After": "60"})
    try:
        found = fetch_paper(store_of(request), config_of(request), arxiv_id)
    except SubmissionError as exc:
        return render(request, "paper_missing.html", {"arxiv_id": arxiv_id, "error": str(exc)}, status_code=404)
    return RedirectResponse(f"/papers/{found.id}", status_code=303)


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


def _open_form(reply: int | None, edit: int | None, report: int | None) -> tuple[str, int | None]:
    """Which comment's form the page shows open (?reply=N, ?edit=N or ?report=N): a link, not 200 hidden forms."""
    for kind, comment_id in (("reply", reply), ("edit", edit), ("report", report)):
        if comment_id is not None:
            return kind, comment_id
    return "", None


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
