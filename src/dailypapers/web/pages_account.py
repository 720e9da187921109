"""Sign up, sign in, sign out, profiles and API tokens."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from fastapi import HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from dailypapers.queries import feed as feed_queries
from dailypapers.queries.feed import Feed
from dailypapers.queries.site import voted_ids
from dailypapers.services import accounts
from dailypapers.web.auth import client_key, current_account, require_account, require_csrf, sign_in, sign_out
from dailypapers.web.context import Page, config_of, render, store_of


def _safe_next(target: str | None) -> str:
    """Only same-site paths, so a crafted link can't bounce a member to another site after sign-in."""
    if not target or not target.startswith("/") or target.startswith("//") or urlsplit(target).netloc:
        return "/papers"
    return target


async def _form(request: Request) -> dict[str, str]:
    form = await request.form()
    return {key: value for key, value in form.items() if isinstance(value, str)}


def signup_form(request: Request) -> HTMLResponse:
    return render(request, "signup.html", {})


async def signup(request: Request) -> Response:
    await require_csrf(request)
    form = await _form(request)
    limiter, key = request.app.state.login_limiter, client_key(request)
    if not limiter.allow(key):
        raise HTTPException(429, "too many attempts: wait a minute", {"Retry-After": str(limiter.retry_after(key))})
    try:
        account = accounts.create_account(
            store_of(request), form.get("username", ""), form.get("password", ""), fullname=form.get("fullname", "")
        )
    except accounts.AccountError as exc:
        context = {"error": str(exc), "username": form.get("username"), "fullname": form.get("fullname")}
        return render(request, "signup.html", context, status_code=400)
    sign_in(request, account)
    return RedirectResponse("/papers", status_code=303)


def signin_form(request: Request, next: str = "/papers") -> HTMLResponse:
    return render(request, "signin.html", {"next": _safe_next(next)})


async def signin(request: Request) -> Response:
    await require_csrf(request)
    form = await _form(request)
    limiter = request.app.state.login_limiter
    key = client_key(request)
    context: dict[str, Any] = {"username": form.get("username"), "next": _safe_next(form.get("next"))}
    if not limiter.allow(key):
        context["error"] = "Too many sign-in attempts. Wait a minute and try again."
        response = render(request, "signin.html", context, status_code=429)
        response.headers["Retry-After"] = str(limiter.retry_after(key))
        return response
    account = accounts.authenticate(store_of(request), form.get("username", ""), form.get("password", ""))
    if account is None:
        context["error"] = "Wrong username or password."
        return render(request, "signin.html", context, status_code=400)
    sign_in(request, account)
    return RedirectResponse(context["next"], status_code=303)


async def signout(request: Request) -> Response:
    await require_csrf(request)
    sign_out(request)
    return RedirectResponse("/papers", status_code=303)


def profile(request: Request, username: str, page: Page = 0) -> HTMLResponse:
    """A member's submissions and upvotes (and, on their own page, API tokens); imported curators too."""
    return _profile_page(request, username, page)


def _profile_page(request: Request, username: str, page: int = 0, new_token: str | None = None) -> HTMLResponse:
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
    ids = [item.paper.id for item in submissions.items] + [p.id for p in upvoted]
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
    }
    return render(request, "profile.html", context)


def _imported_fullname(submissions: Feed) -> str:
    for item in submissions.items:
        if item.row.submitter and item.row.submitter.fullname:
            return item.row.submitter.fullname
    return ""


async def create_token(request: Request) -> Response:
    await require_csrf(request)
    account = require_account(request)
    form = await _form(request)
    token = accounts.create_api_token(store_of(request), account, form.get("name", ""))
    # Shown once, in this response only: the store keeps only its digest, and the (signed, readable) session
    # cookie never carries it.
    response = _profile_page(request, account.username, new_token=token)
    response.headers["Cache-Control"] = "no-store"
    return response


async def revoke_token(request: Request, token_id: int) -> Response:
    await require_csrf(request)
    account = require_account(request)
    if not accounts.revoke_api_token(store_of(request), account, token_id):
        raise HTTPException(404, f"you have no token {token_id}")
    return RedirectResponse(f"/u/{account.username}#tokens", status_code=303)
