"""Submitting a paper to a day's list, and curators hiding listings."""

from __future__ import annotations

from datetime import date

from fastapi import HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from dailypapers.services.accounts import is_curator
from dailypapers.services.submissions import NotAllowed, Queued, SubmissionError, set_hidden, submit_paper, today
from dailypapers.web.auth import CsrfForm, fetch_allowed, require_account
from dailypapers.web.context import RowId, config_of, render, store_of


def submit_form(request: Request) -> HTMLResponse:
    account = require_account(request)
    return render(request, "submit.html", {"curator": is_curator(account), "day": today().isoformat()})


def submit(request: Request, form: CsrfForm) -> Response:
    """List the paper; one the store lacks is queued and its page shows the fetch until the paper arrives."""
    account = require_account(request)
    arxiv_text = str(form.get("arxiv_id") or "")
    comment = str(form.get("comment") or "")
    day_text = str(form.get("day") or "").strip()
    context = {
        "curator": is_curator(account),
        "arxiv_id": arxiv_text,
        "comment": comment,
        "day": day_text or today().isoformat(),
    }
    try:
        day = _parse_day(day_text) if day_text else None
        submitted = submit_paper(
            store_of(request),
            config_of(request),
            account,
            arxiv_text,
            day,
            comment,
            may_fetch=lambda: fetch_allowed(request, account),
        )
    except SubmissionError as exc:
        return render(request, "submit.html", {**context, "error": str(exc)}, status_code=400)
    if isinstance(submitted, Queued):
        return RedirectResponse(f"/papers/{submitted.fetch.arxiv_id}", status_code=303)
    added = submitted.paper_id  # the feed confirms and marks the new card
    return RedirectResponse(f"/papers/date/{submitted.day.isoformat()}?added={added}#paper-{added}", status_code=303)


def hide(request: Request, listing_id: RowId, form: CsrfForm) -> Response:
    account = require_account(request)
    hidden = str(form.get("hidden", "1")) != "0"
    try:
        listing = set_hidden(store_of(request), account, listing_id, hidden)
    except NotAllowed as exc:
        raise HTTPException(403, str(exc)) from exc
    except SubmissionError as exc:
        raise HTTPException(404, str(exc)) from exc
    return RedirectResponse(f"/papers/date/{listing.day.isoformat()}", status_code=303)


def _parse_day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise SubmissionError(f"“{text[:40]}” is not a date: write it as YYYY-MM-DD, like 2025-02-14.") from exc
