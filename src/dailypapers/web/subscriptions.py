"""Email subscription pages: subscribe, confirm, preferences, unsubscribe, and a member's own subscription.

Links in emails are GETs that only show a page; the change itself is a POST (mail scanners prefetch links, and no
GET changes data). The one exception to CSRF is the RFC 8058 one-click unsubscribe POST, which mail clients send
without a session by design: its signed, unguessable token is what authorises it.
"""

from __future__ import annotations

from typing import Any

from fastapi import HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData

from dailypapers.digest import links
from dailypapers.digest.compose import WEEKDAYS
from dailypapers.digest.links import InvalidLink
from dailypapers.queries.subscriptions import member_subscription, subscription_from_link
from dailypapers.services import subscriptions as service
from dailypapers.services.subscriptions import Preferences, SubscriptionError
from dailypapers.storage.subscriptions import StoredSubscription
from dailypapers.web.auth import CsrfForm, current_account, enforce_limit, require_account
from dailypapers.web.context import config_of, render, store_of


def _fields(form: FormData) -> dict[str, Any]:
    data: dict[str, Any] = {k: v for k, v in form.items() if isinstance(v, str)}
    data["categories"] = form.getlist("categories")
    return data


def _linked(request: Request, purpose: str, token: str) -> StoredSubscription:
    try:
        return subscription_from_link(store_of(request), config_of(request), purpose, token)
    except InvalidLink as exc:
        raise HTTPException(400, str(exc)) from exc


def subscribe_form(request: Request) -> Response:
    account = current_account(request)
    if account is not None and member_subscription(store_of(request), account.id, account.email):
        return RedirectResponse("/settings/subscription", status_code=303)
    return render(request, "subscriptions/subscribe.html", {"email": account.email if account else ""})


def subscribe(request: Request, form: CsrfForm) -> Response:
    enforce_limit(request, "subscribe")
    fields = _fields(form)
    account = current_account(request)
    try:
        prefs = Preferences(frequency=fields.get("frequency", "daily"), weekday=_int(fields, "weekday", 0))
        result = service.subscribe(
            store_of(request),
            config_of(request),
            fields.get("email", ""),
            preferences=prefs,
            requested_by=account,
        )
    except SubscriptionError as exc:
        context = {"error": str(exc), "email": fields.get("email", "")}
        return render(request, "subscriptions/subscribe.html", context, status_code=400)
    # The same answer whatever the address's state, so the form does not reveal who is subscribed.
    return render(request, "subscriptions/check_inbox.html", {"email": result.subscription.email})


def confirm_page(request: Request, token: str) -> HTMLResponse:
    sub = _linked(request, "confirm", token)
    return render(request, "subscriptions/confirm.html", {"sub": sub, "token": token})


def confirm(request: Request, token: str, form: CsrfForm) -> Response:
    """Following the mailed link proves the address is yours: a signed-in member also links it to their account."""
    account = current_account(request)
    try:
        sub = service.confirm(store_of(request), config_of(request), token, account_id=account.id if account else None)
    except InvalidLink as exc:
        raise HTTPException(400, str(exc)) from exc
    target = links.sign(config_of(request), "preferences", sub.token)
    return RedirectResponse(f"/subscribe/preferences/{target}?confirmed=1", status_code=303)


def preferences_page(request: Request, token: str, confirmed: int = 0, saved: int = 0) -> HTMLResponse:
    sub = _linked(request, "preferences", token)
    return _preferences(request, sub, f"/subscribe/preferences/{token}", confirmed=bool(confirmed), saved=bool(saved))


def save_preferences(request: Request, token: str, form: CsrfForm) -> Response:
    sub = _linked(request, "preferences", token)
    return _save(request, form, sub, f"/subscribe/preferences/{token}")


def member_page(request: Request, saved: int = 0) -> Response:
    account = require_account(request)
    sub = member_subscription(store_of(request), account.id, account.email)
    if sub is None:
        return RedirectResponse("/subscribe", status_code=303)
    return _preferences(request, sub, "/settings/subscription", saved=bool(saved))


def save_member(request: Request, form: CsrfForm) -> Response:
    account = require_account(request)
    sub = member_subscription(store_of(request), account.id, account.email)
    if sub is None:
        raise HTTPException(404, "you have no email subscription yet")
    return _save(request, form, sub, "/settings/subscription")


def unsubscribe_page(request: Request, token: str) -> HTMLResponse:
    sub = _linked(request, "unsubscribe", token)
    return render(request, "subscriptions/unsubscribe.html", {"sub": sub, "token": token, "done": False})


def unsubscribe(request: Request, token: str) -> HTMLResponse:
    """RFC 8058 one-click: a POST with no session and no CSRF token; the signed link is the authorisation."""
    try:
        sub = service.unsubscribe(store_of(request), config_of(request), token)
    except InvalidLink as exc:
        raise HTTPException(400, str(exc)) from exc
    return render(request, "subscriptions/unsubscribe.html", {"sub": sub, "token": token, "done": True})


def _preferences(request: Request, sub: StoredSubscription, action: str, **flags: Any) -> HTMLResponse:
    config = config_of(request)
    context = {
        "sub": sub,
        "action": action,
        "weekdays": WEEKDAYS,
        "known_categories": _categories(config.comma_list("DAILYPAPERS_CATEGORIES"), sub.categories),
        "unsubscribe_url": f"/unsubscribe/{links.sign(config, 'unsubscribe', sub.token)}",
        "is_member": sub.account_id is not None,
        **flags,
    }
    return render(request, "subscriptions/preferences.html", context, status_code=flags.pop("status", 200))


def _save(request: Request, raw: FormData, sub: StoredSubscription, action: str) -> Response:
    form = _fields(raw)
    try:
        prefs = Preferences(
            frequency=form.get("frequency", "daily"),
            weekday=_int(form, "weekday", 0),
            top_n=_int(form, "top_n", 10),
            include_trending="include_trending" in form,
            include_searches="include_searches" in form,
            include_picks="include_picks" in form,
            categories=list(form["categories"]) + _split(form.get("other_categories", "")),
            min_upvotes=_int(form, "min_upvotes", 0),
            searches=[line for line in form.get("searches", "").splitlines() if line.strip()],
        )
        service.update_subscription_preferences(store_of(request), sub.id, prefs)
    except SubscriptionError as exc:
        return _preferences(request, sub, action, error=str(exc), status=400)
    return RedirectResponse(f"{action}?saved=1", status_code=303)


def _int(form: dict[str, Any], name: str, default: int) -> int:
    raw = str(form.get(name, "")).strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise SubscriptionError(f"The {name.replace('_', ' ')} must be a whole number.") from exc


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.replace(",", " ").split() if part.strip()]


def _categories(configured: list[str], chosen: list[str]) -> list[str]:
    return list(dict.fromkeys([*configured, *chosen]))
