"""The "For you" tab, its settings page (dial, categories, seed papers, private feed, export, delete), the
"not interested" button of every card, and the member's private Atom feed. Docs: docs/recommendations.md.

Every POST checks CSRF and ends in a redirect to a same-site path, so the forms work without JavaScript;
static/foryou.js only saves round trips.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import HTTPException, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.datastructures import FormData

from dailypapers.domain import InvalidArxivId, parse_arxiv_id
from dailypapers.queries import recommendations as rq
from dailypapers.queries.site import voted_ids
from dailypapers.services import recommendations as rs
from dailypapers.services.votes import UnknownPaper
from dailypapers.web.auth import CsrfForm, require_account
from dailypapers.web.context import config_of, render, store_of
from dailypapers.web.redirects import same_site_path
from dailypapers.web.syndication import Channel, Entry, render_atom

RANGE_LABELS = {"day": "Today", "week": "This week", "month": "This month"}
PAGE_SIZE = 50
SEED_RESULTS = 10


def foryou(request: Request, span: str = Query("week", alias="range")) -> HTMLResponse:
    """The member's ranked papers of the last day, week or month, each with its reasons."""
    account = require_account(request)
    _check_range(span)
    store = store_of(request)
    start, end = rq.window(store, span)
    result = rq.recommend(store, config_of(request), account.id, start, end, limit=PAGE_SIZE)
    context = {
        "result": result,
        "range": span,
        "ranges": RANGE_LABELS,
        "cold_start_needed": rq.COLD_START,
        "voted": voted_ids(store, account, [item.paper.id for item in result.items]),
    }
    return render(request, "foryou.html", context)


def _check_range(span: str) -> None:
    if span not in RANGE_LABELS:
        raise HTTPException(400, f"unknown range {span!r}: use one of {', '.join(RANGE_LABELS)}")


def settings_page(request: Request, seed_q: str | None = None) -> HTMLResponse:
    return _settings(request, seed_q)


def _settings(
    request: Request, seed_q: str | None = None, feed_url: str | None = None, error: str | None = None
) -> HTMLResponse:
    account = require_account(request)
    store = store_of(request)
    found: list[Any] = []
    if seed_q and seed_q.strip():
        from dailypapers.search.service import SearchError, SearchRequest, search_papers

        try:
            wanted = SearchRequest(q=seed_q.strip()[:500], limit=SEED_RESULTS)
            found = search_papers(store, config_of(request), wanted).hits
        except SearchError as exc:
            error = str(exc)
    signals = rq.signals_of(store, account.id)
    profile = signals.profile
    context = {
        "signals": signals,
        "settings": signals.settings,
        "dial": signals.settings.dial if signals.settings else rs.DEFAULT_DIAL,
        "categories": " ".join(signals.settings.categories) if signals.settings else "",
        "top_authors": sorted((a for a, w in profile.authors.items() if w > 0), key=lambda a: -profile.authors[a])[:10],
        "top_terms": list(profile.terms)[:15],
        "top_categories": sorted(profile.categories, key=lambda c: -profile.categories[c])[:8],
        "seed_q": seed_q or "",
        "found": found,
        "feed_url": feed_url,
        "error": error,
    }
    response = render(request, "settings_foryou.html", context, status_code=400 if error else 200)
    response.headers["Cache-Control"] = "no-store"
    return response


def _paper_id(text: str) -> str:
    try:
        return parse_arxiv_id(text).id
    except InvalidArxivId as exc:
        raise HTTPException(400, str(exc)) from exc


def save_settings(request: Request, raw: CsrfForm) -> Response:
    account = require_account(request)
    form = _fields(raw)
    try:
        dial = float(form["dial"]) if form.get("dial", "").strip() else None
    except ValueError:
        return _settings(request, error="the dial must be a number from 0 to 1")
    try:
        categories = rs.parse_categories(form["categories"]) if "categories" in form else None
        rs.save_settings(store_of(request), account, dial=dial, categories=categories)
    except rs.RecommendationError as exc:
        return _settings(request, error=str(exc))
    return RedirectResponse(same_site_path(form.get("next") or "/settings/foryou"), status_code=303)


def add_seed(request: Request, raw: CsrfForm) -> Response:
    account = require_account(request)
    form = _fields(raw)
    try:
        rs.add_seed(store_of(request), account, _paper_id(form.get("paper", "").strip()))
    except UnknownPaper as exc:
        return _settings(request, error=f"{exc} (fetch it from its paper page first)")
    except rs.RecommendationError as exc:
        return _settings(request, error=str(exc))
    return RedirectResponse("/settings/foryou#seeds", status_code=303)


def remove_seed(request: Request, arxiv_id: str, form: CsrfForm) -> Response:
    account = require_account(request)
    rs.remove_seed(store_of(request), account, _paper_id(arxiv_id))
    return RedirectResponse("/settings/foryou#seeds", status_code=303)


def not_interested(request: Request, arxiv_id: str, raw: CsrfForm) -> Response:
    """Mark a paper not interesting (form field undo=1 takes it back): JSON for the script, else a redirect back."""
    account = require_account(request)
    form = _fields(raw)
    undo = form.get("undo") == "1"
    paper_id = _paper_id(arxiv_id)
    try:
        rs.set_not_interested(store_of(request), account, paper_id, not undo)
    except UnknownPaper as exc:
        raise HTTPException(404, str(exc)) from exc
    if "application/json" in request.headers.get("accept", ""):
        return JSONResponse({"paper": paper_id, "not_interested": not undo})
    return RedirectResponse(same_site_path(form.get("next") or "/papers/foryou"), status_code=303)


def new_feed(request: Request, form: CsrfForm) -> Response:
    """A new private Atom address (the old one stops working); shown once, on this response."""
    account = require_account(request)
    token = rs.new_feed_token(store_of(request), account)
    return _settings(request, feed_url=f"{config_of(request).site_url}/feeds/foryou/{token}.atom")


def revoke_feed(request: Request, form: CsrfForm) -> Response:
    account = require_account(request)
    rs.revoke_feed_token(store_of(request), account)
    return RedirectResponse("/settings/foryou#feed", status_code=303)


def export(request: Request) -> Response:
    """Everything the personal feed keeps about the member, as a JSON download."""
    account = require_account(request)
    body = json.dumps(rq.export_of(store_of(request), account.id), indent=1, ensure_ascii=False)
    headers = {"Content-Disposition": 'attachment; filename="for-you.json"', "Cache-Control": "no-store"}
    return Response(body, media_type="application/json", headers=headers)


def delete_data(request: Request, form: CsrfForm) -> Response:
    account = require_account(request)
    rs.delete_personal_data(store_of(request), account)
    return RedirectResponse("/settings/foryou", status_code=303)


def private_feed(request: Request, token: str, span: str = Query("week", alias="range")) -> Response:
    """The member's For-you list as Atom; the secret in the path is the authorisation (revocable in settings)."""
    store = store_of(request)
    account_id = rq.account_id_for_feed_token(store, token)
    if account_id is None:
        raise HTTPException(404, "no such feed (the address may have been replaced)")
    _check_range(span)
    config = config_of(request)
    start, end = rq.window(store, span)
    result = rq.recommend(store, config, account_id, start, end, limit=PAGE_SIZE)
    name, site = config.text("DAILYPAPERS_SITE_NAME"), config.site_url
    channel = Channel(
        f"{name}: for you",
        "Trending in your categories until you like a few papers."
        if result.cold_start
        else "Papers picked for you from what you upvote, submit and add.",
        f"{site}/papers/foryou",
        f"{site}/feeds/foryou/{token}.atom",
        [Entry(item.paper) for item in result.items],
    )
    return Response(render_atom(channel, site), media_type="application/atom+xml; charset=utf-8")


def _fields(form: FormData) -> dict[str, str]:
    return {key: value for key, value in form.items() if isinstance(value, str)}
