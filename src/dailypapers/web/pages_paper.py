"""The paper page, upvotes, and asking for a paper the store lacks to be fetched from arXiv (a queued job).

A paper page without a thumbnail queues one for the fetch worker and shows none meanwhile (a PDF from arXiv takes
seconds, paced at one request per DAILYPAPERS_HTTP_DELAY: no page waits on it)."""

from __future__ import annotations

from typing import Any

from fastapi import HTTPException, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from dailypapers.domain import InvalidArxivId, parse_arxiv_id
from dailypapers.queries import comments as comment_queries
from dailypapers.queries import feed as feed_queries
from dailypapers.queries.authors import claims_on_paper, my_claim
from dailypapers.queries.collections import collections_for_paper
from dailypapers.queries.fetches import fetch_status
from dailypapers.queries.site import voted_ids
from dailypapers.services.accounts import is_curator
from dailypapers.services.fetches import request_fetch
from dailypapers.services.thumbnails import request_thumbnail
from dailypapers.services.votes import UnknownPaper, toggle_vote
from dailypapers.storage.accounts import StoredAccount
from dailypapers.web.auth import CsrfForm, csrf_token, current_account, enforce_limit, require_account
from dailypapers.web.comment_html import Viewer, comment_thread
from dailypapers.web.context import config_of, render, store_of
from dailypapers.web.redirects import back_to_referer
from dailypapers.web.searching import similar_to

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
        raise HTTPException(
            404, f"“{arxiv_id}” is not an arXiv id, so there is no paper here (arXiv ids look like 2406.12345)."
        ) from exc
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
    request_thumbnail(store, config_of(request), parsed.id, page_view=True)  # queues a missing one, never waits
    similar = _similar(request, parsed.id)
    context = {
        "detail": detail,
        "paper": detail.paper,
        "voted": voted_ids(store, account, [parsed.id, *(hit.paper.id for hit in similar)]),
        "similar": similar,
        "paper_collections": collections_for_paper(store, account, parsed.id),
        "claims": claims_on_paper(store, parsed.id),
        "my_claim": my_claim(store, account.id if account else None, parsed.id),
        "thread": comment_queries.thread(store, parsed.id, account, "newest" if order == "newest" else "oldest"),
        "curator": is_curator(account),
        "comment_thread": comment_thread,
        "comment_viewer": _viewer(request, account, order, reply, edit, report),
    }
    return render(request, "paper.html", context)


def fetch(request: Request, arxiv_id: str, form: CsrfForm) -> Response:
    """Queue a fetch from arXiv of a paper the store lacks (members only, rate-limited per account)."""
    account = require_account(request)
    try:
        parsed = parse_arxiv_id(arxiv_id)
    except InvalidArxivId as exc:
        raise HTTPException(
            404, f"“{arxiv_id}” is not an arXiv id, so there is no paper here (arXiv ids look like 2406.12345)."
        ) from exc
    store = store_of(request)
    if feed_queries.paper_detail(store, parsed.id) is None:
        enforce_limit(request, "fetch", account)
        request_fetch(store, parsed.id, account.id)
    return RedirectResponse(f"/papers/{parsed.id}", status_code=303)


def upvote(request: Request, arxiv_id: str, form: CsrfForm) -> Response:
    """Toggle the member's upvote: JSON for the page's script, a redirect back for plain forms."""
    account = require_account(request)
    enforce_limit(request, "vote", account)
    wanted = form.get("vote")
    want = None if wanted not in ("0", "1") else wanted == "1"
    try:
        voted, count = toggle_vote(store_of(request), account, arxiv_id, want)
    except UnknownPaper as exc:
        raise HTTPException(404, str(exc)) from exc
    if "application/json" in request.headers.get("accept", ""):
        return JSONResponse({"paper": arxiv_id, "voted": voted, "upvotes": count})
    return RedirectResponse(back_to_referer(request, f"/papers/{arxiv_id}"), status_code=303)


def _similar(request: Request, paper_id: str) -> list[Any]:
    return list(similar_to(request, paper_id, SIMILAR))


def _viewer(
    request: Request, account: StoredAccount | None, order: str, reply: int | None, edit: int | None, report: int | None
) -> Viewer:
    """Who reads the thread and which comment's form is open (?reply=N, ?edit=N or ?report=N): a link, not 200
    hidden forms."""
    asked = [(kind, n) for kind, n in (("reply", reply), ("edit", edit), ("report", report)) if n is not None]
    kind, comment_id = asked[0] if asked else ("", None)
    return Viewer(
        account_id=account.id if account else None,
        curator=is_curator(account),
        token=csrf_token(request) if account else "",
        open_kind=kind,
        open_id=comment_id,
        keep="&order=newest" if order == "newest" else "",
    )
