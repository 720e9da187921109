"""Following: the Following tab, follow / unfollow forms, and the member's private Atom feed (a revocable token)."""

from __future__ import annotations

from fastapi import HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from dailypapers.queries.following import following_feed
from dailypapers.queries.site import voted_ids
from dailypapers.services import follows as follow_service
from dailypapers.storage.accounts import StoredAccount
from dailypapers.web.auth import CsrfForm, require_account
from dailypapers.web.context import config_of, render, store_of
from dailypapers.web.redirects import back_to_referer
from dailypapers.web.syndication import Channel, Entry, render_atom


def _page(request: Request, account: StoredAccount, feed_url: str | None = None) -> HTMLResponse:
    store = store_of(request)
    view = following_feed(store, config_of(request), account.id)
    context = {
        "view": view,
        "tab": "following",
        "voted": voted_ids(store, account, [item.paper.id for item in view.items]),
        "feed_url": feed_url,
    }
    response = render(request, "following.html", context)
    if feed_url:
        response.headers["Cache-Control"] = "no-store"
    return response


def following_page(request: Request) -> HTMLResponse:
    return _page(request, require_account(request))


def follow(request: Request, form: CsrfForm) -> Response:
    """Follow or unfollow (`follow=0`) an author, category, collection or search; back to where the form was."""
    account = require_account(request)
    kind, target, wanted = (form.get(k) for k in ("kind", "target", "follow"))
    try:
        follow_service.set_following(store_of(request), account, str(kind or ""), str(target or ""), want=wanted != "0")
    except follow_service.FollowError as exc:
        raise HTTPException(400, str(exc)) from exc
    return RedirectResponse(back_to_referer(request, "/papers/following"), status_code=303)


def create_feed_token(request: Request, form: CsrfForm) -> Response:
    account = require_account(request)
    token = follow_service.new_feed_token(store_of(request), account)
    return _page(request, account, f"{config_of(request).site_url}/feeds/following/{token}.atom")


def revoke_feed_token(request: Request, form: CsrfForm) -> Response:
    account = require_account(request)
    follow_service.revoke_feed_token(store_of(request), account)
    return RedirectResponse("/papers/following#feed", status_code=303)


def following_atom(request: Request, token: str) -> Response:
    """The member's Following feed as Atom; the token in the URL is the only authorisation (404 when revoked)."""
    store, config = store_of(request), config_of(request)
    account_id = follow_service.account_id_for_feed(store, token)
    if account_id is None:
        raise HTTPException(404, "this feed address is not valid (it may have been revoked)")
    view = following_feed(store, config, account_id)
    site = config.site_url
    channel = Channel(
        f"{config.text('DAILYPAPERS_SITE_NAME')}: following",
        "New papers of the authors, categories, collections and searches you follow.",
        f"{site}/papers/following",
        f"{site}/feeds/following/{token}.atom",
        [Entry(item.paper) for item in view.items],
    )
    return Response(render_atom(channel, site), media_type="application/atom+xml; charset=utf-8")
