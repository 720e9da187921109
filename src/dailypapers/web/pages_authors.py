"""Author pages, authorship claims and the curators' queue of claims to decide."""

from __future__ import annotations

from fastapi import HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from dailypapers.domain import InvalidArxivId, parse_arxiv_id
from dailypapers.queries import authors as aq
from dailypapers.queries.site import voted_ids
from dailypapers.services import claims as claim_service
from dailypapers.services.accounts import is_curator
from dailypapers.web.auth import CsrfForm, current_account, require_account
from dailypapers.web.context import render, store_of


def author_page(request: Request, name: str) -> HTMLResponse:
    store = store_of(request)
    view = aq.author_view(store, name)
    if view is None:
        raise HTTPException(404, f"no paper here lists an author named {name!r}")
    account = current_account(request)
    context = {"author": view, "voted": voted_ids(store, account, [p.id for p in view.papers])}
    return render(request, "author.html", context)


def claim(request: Request, arxiv_id: str, form: CsrfForm) -> Response:
    """A member claims to be one of the paper's authors (a curator decides)."""
    account = require_account(request)
    try:
        paper_id = parse_arxiv_id(arxiv_id).id
    except InvalidArxivId as exc:
        raise HTTPException(400, str(exc)) from exc
    name = form.get("author_name")
    try:
        claim_service.claim_authorship(store_of(request), account, paper_id, name if isinstance(name, str) else "")
    except claim_service.ClaimError as exc:
        raise HTTPException(400, str(exc)) from exc
    return RedirectResponse(f"/papers/{paper_id}#claim", status_code=303)


def claims_queue(request: Request) -> HTMLResponse:
    account = require_account(request)
    if not is_curator(account):
        raise HTTPException(403, "only curators decide authorship claims")
    return render(request, "claims.html", {"claims": aq.pending_claims(store_of(request))})


def decide(request: Request, claim_id: int, form: CsrfForm) -> Response:
    account = require_account(request)
    decision = form.get("decision")
    try:
        claim_service.decide_claim(store_of(request), account, claim_id, decision if isinstance(decision, str) else "")
    except claim_service.NotCurator as exc:
        raise HTTPException(403, str(exc)) from exc
    except claim_service.ClaimError as exc:
        raise HTTPException(400, str(exc)) from exc
    return RedirectResponse("/claims", status_code=303)
