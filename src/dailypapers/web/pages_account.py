"""Sign up, sign in, sign out, profiles and API tokens."""

from __future__ import annotations

from typing import Any

from fastapi import HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from dailypapers.queries import feed as feed_queries
from dailypapers.queries.authors import claimed_papers
from dailypapers.queries.collections import collections_of_member
from dailypapers.queries.feed import Feed
from dailypapers.queries.site import voted_ids
from dailypapers.services import accounts, limits, sessions
from dailypapers.web.auth import (
    CsrfForm,
    RateLimited,
    current_account,
    current_session,
    enforce_limit,
    form_text,
    require_account,
    sign_in,
    sign_out,
)
from dailypapers.web.context import Page, RowId, config_of, render, store_of
from dailypapers.web.redirects import same_site_path


def signup_form(request: Request) -> HTMLResponse:
    return render(request, "signup.html", {})


def signup(request: Request, form: CsrfForm) -> Response:
    enforce_limit(request, "signup")
    username, fullname = form_text(form, "username"), form_text(form, "fullname")
    try:
        account = accounts.create_account(store_of(request), username, form_text(form, "password"), fullname=fullname)
    except accounts.AccountError as exc:
        context = {"error": str(exc), "username": username, "fullname": fullname}
        return render(request, "signup.html", context, status_code=400)
    sign_in(request, account)
    return RedirectResponse("/papers", status_code=303)


def signin_form(request: Request, next: str = "/papers") -> HTMLResponse:
    return render(request, "signin.html", {"next": same_site_path(next)})


def signin(request: Request, form: CsrfForm) -> Response:
    """Check the password (argon2, in the thread pool) unless this client or this account name must wait."""
    store, config = store_of(request), config_of(request)
    username = form_text(form, "username")
    enforce_limit(request, "signin")
    locked = limits.sign_in_lock(store, username)
    if locked is not None:
        raise RateLimited(locked)
    account = accounts.authenticate(store, username, form_text(form, "password"))
    context: dict[str, Any] = {"username": username, "next": same_site_path(form_text(form, "next"))}
    if account is None:
        limits.record_sign_in_failure(store, config, username)
        context["error"] = "Wrong username or password."
        return render(request, "signin.html", context, status_code=400)
    limits.clear_sign_in_failures(store, username)
    sign_in(request, account)
    return RedirectResponse(context["next"], status_code=303)


def signout(request: Request, form: CsrfForm) -> Response:
    sign_out(request)
    return RedirectResponse("/papers", status_code=303)


def signout_everywhere(request: Request, form: CsrfForm) -> Response:
    """End every session of the member, this one included (e.g. after using a shared computer)."""
    account = require_account(request)
    sessions.end_sessions_of(store_of(request), account.id)
    sign_out(request)
    return RedirectResponse("/signin", status_code=303)


def change_password(request: Request, form: CsrfForm) -> Response:
    """A new password for the signed-in member; every other session of theirs ends, this one stays."""
    account = require_account(request)
    session = current_session(request)
    assert session is not None
    try:
        ended = accounts.change_password(
            store_of(request),
            account,
            form_text(form, "current_password"),
            form_text(form, "new_password"),
            keep_session=session.id_hash,
        )
    except accounts.AccountError as exc:
        return _profile_page(request, account.username, password_error=str(exc), status_code=400)
    return _profile_page(request, account.username, flash=f"Password changed; {ended} other session(s) ended.")


def profile(request: Request, username: str, page: Page = 0) -> HTMLResponse:
    """A member's submissions and upvotes (and, on their own page, API tokens); imported curators too."""
    return _profile_page(request, username, page)


def _profile_page(
    request: Request,
    username: str,
    page: int = 0,
    new_token: str | None = None,
    status_code: int = 200,
    **extra: Any,
) -> HTMLResponse:
    store, config = store_of(request), config_of(request)
    viewer = current_account(request)
    member = accounts.account_named(store, username)
    name = member.username if member else username
    submissions = feed_queries.submissions_of(
        store, config, name, page=page, include_hidden=accounts.is_curator(viewer)
    )
    if member is None and not submissions.total:
        raise HTTPException(404, f"no member named {username!r}")
    upvoted = feed_queries.upvoted_by(store, member.id) if member else []
    own = viewer is not None and member is not None and viewer.id == member.id
    claimed = claimed_papers(store, member.id) if member else []
    ids = [item.paper.id for item in submissions.items] + [p.id for p in upvoted + claimed]
    context = {
        "member": member,
        "member_name": name,
        "member_fullname": member.fullname if member else _imported_fullname(submissions),
        "submissions": submissions,
        "upvoted": upvoted,
        "own": own,
        "voted": voted_ids(store, viewer, ids),
        "tokens": accounts.tokens_of(store, member) if own and member else [],
        "new_token": new_token if own else None,
        "session_count": sessions.sessions_count(store, member.id) if own and member else 0,
        **(extra if own else {}),
        "collections": (collections_of_member(store, member.username, viewer) or []) if member else [],
        "claimed": claimed,
    }
    return render(request, "profile.html", context, status_code=status_code)


def _imported_fullname(submissions: Feed) -> str:
    for item in submissions.items:
        if item.row.submitter and item.row.submitter.fullname:
            return item.row.submitter.fullname
    return ""


def create_token(request: Request, form: CsrfForm) -> Response:
    account = require_account(request)
    token = accounts.create_api_token(store_of(request), account, form_text(form, "name"))
    # Shown once, in this response only: the store keeps only its digest, and no cookie ever carries it.
    response = _profile_page(request, account.username, new_token=token)
    response.headers["Cache-Control"] = "no-store"
    return response


def revoke_token(request: Request, token_id: RowId, form: CsrfForm) -> Response:
    account = require_account(request)
    if not accounts.revoke_api_token(store_of(request), account, token_id):
        raise HTTPException(404, f"you have no token {token_id}")
    return RedirectResponse(f"/u/{account.username}#tokens", status_code=303)
