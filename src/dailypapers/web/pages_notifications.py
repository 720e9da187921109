"""/notifications: a member's mentions, replies and comments on papers they submitted; the email choice; and the
one-click link in notification email that turns that email off.

`POST /notifications/unsubscribe/{token}` takes no CSRF token by design (RFC 8058: mail clients post it without a
session; the signed token is the authorisation), like the digests' `/unsubscribe/{token}`.
"""

from __future__ import annotations

from fastapi import HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from dailypapers.digest.links import InvalidLink, unsign
from dailypapers.queries.comments import notifications_of
from dailypapers.services import notifications as notify
from dailypapers.web.auth import CsrfForm, require_account
from dailypapers.web.context import config_of, render, store_of
from dailypapers.web.pages_discussion import member_form


def page(request: Request) -> Response:
    account = require_account(request)
    store = store_of(request)
    context = {
        "notes": notifications_of(store, account),
        "choice": notify.email_choice(store, account),
        "choices": notify.CHOICES,
        "has_email": bool(account.email),
    }
    return render(request, "notifications.html", context)


def update(request: Request, raw: CsrfForm) -> Response:
    """Mark everything read, or save the email choice (the form's `action` says which)."""
    account, form = member_form(request, raw)
    store = store_of(request)
    if form.get("action") == "email":
        try:
            notify.set_email_choice(store, account, form.get("email", ""))
        except ValueError as exc:
            raise HTTPException(400, str(exc)) from exc
    else:
        notify.mark_all_read(store, account)
    return RedirectResponse("/notifications", status_code=303)


def unsubscribe_page(request: Request, token: str) -> Response:
    try:
        unsign(config_of(request), "notifications", token)
    except InvalidLink as exc:
        raise HTTPException(400, str(exc)) from exc
    return render(request, "notifications_unsubscribe.html", {"token": token, "done": False})


def unsubscribe(request: Request, token: str) -> Response:
    try:
        notify.unsubscribe_by_link(store_of(request), config_of(request), token)
    except InvalidLink as exc:
        raise HTTPException(400, str(exc)) from exc
    return render(request, "notifications_unsubscribe.html", {"token": token, "done": True})
