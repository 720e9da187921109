"""Who is asking, and whether they may: server-side sessions, CSRF tokens and Origin checks, rate limits.

A signed-in browser holds only a random session id (cookie `dp_session`); the session itself — account, CSRF token,
age — is a row in the store (services/sessions.py), so signing out, "sign out everywhere", a password change or
expiry really end it. A visitor who is not signed in gets a random CSRF token in cookie `dp_csrf` (nothing else is
kept about them). Every state-changing form carries the CSRF token, and every POST handler of the site's forms
calls `require_csrf` (directly, or through the `CsrfForm` dependency) before touching anything; it also refuses a
request whose Origin (or, without one, Referer) names another site. Two kinds of POST deliberately don't, because
they are not authorised by the cookie a forged request would ride on: the JSON API (web/api.py: a bearer token in a
header) and the RFC 8058 one-click unsubscribe (a signed link, posted by mail clients without a session).

The cookies are read and written by `SessionCookies`, a small ASGI middleware that never touches the store; the
lookups happen in the (thread-pool) handlers that need them.
"""

from __future__ import annotations

import hmac
import re
import secrets
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import urlsplit

from fastapi import Depends, HTTPException, Request
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, MutableHeaders
from starlette.requests import cookie_parser
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from dailypapers.services import limits, sessions
from dailypapers.services.limits import Refused
from dailypapers.services.sessions import Session
from dailypapers.storage.accounts import StoredAccount

SESSION_COOKIE = "dp_session"
CSRF_COOKIE = "dp_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
_SCOPE_KEY = "dailypapers.cookies"
_NO_SESSION = object()
# Set by the page cache (web/page_cache.py) on an anonymous request it may store: the page then holds this
# placeholder where the visitor's CSRF token goes, and the cache writes each visitor's own token in its place.
DEFER_CSRF = "dailypapers.defer_csrf"
CSRF_PLACEHOLDER = "dp-csrf-placeholder-1f6c0b9e4a"
_TOKEN = re.compile(r"[A-Za-z0-9_-]{20,64}")


@dataclass
class _Cookies:
    """This request's cookies as read, and what the response must set or clear (filled in by the handler)."""

    session_id: str | None
    anon_csrf: str | None
    new_session: str | None = None
    clear_session: bool = False
    new_csrf: str | None = None


class SessionCookies:
    """ASGI middleware: hands the session and CSRF cookies to handlers and writes back what they changed."""

    def __init__(self, app: ASGIApp, *, secure: bool, max_age: int):
        self.app = app
        self.secure = secure
        self.max_age = max_age

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        jar: dict[str, str] = {}
        for name, value in scope.get("headers", ()):
            if name == b"cookie":
                jar.update(cookie_parser(value.decode("latin-1")))
        state = _Cookies(jar.get(SESSION_COOKIE) or None, jar.get(CSRF_COOKIE) or None)
        scope[_SCOPE_KEY] = state

        async def send_with_cookies(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                if state.new_session:
                    headers.append("set-cookie", self._cookie(SESSION_COOKIE, state.new_session, self.max_age))
                elif state.clear_session:
                    headers.append("set-cookie", self._cookie(SESSION_COOKIE, "", 0))
                if state.new_csrf:
                    headers.append("set-cookie", self._cookie(CSRF_COOKIE, state.new_csrf, None))
            await send(message)

        await self.app(scope, receive, send_with_cookies)

    def _cookie(self, name: str, value: str, max_age: int | None) -> str:
        parts = [f"{name}={value}", "Path=/", "HttpOnly", "SameSite=Lax"]
        if max_age is not None:
            parts.append(f"Max-Age={max_age}")
        if self.secure:
            parts.append("Secure")
        return "; ".join(parts)


def _cookies(request: Request) -> _Cookies:
    return _scope_cookies(request.scope)


def _scope_cookies(scope: Scope) -> _Cookies:
    state = scope.get(_SCOPE_KEY)
    if state is None:  # an app built without the middleware (never in create_app): act as cookieless
        state = scope[_SCOPE_KEY] = _Cookies(None, None)
    return state


def has_session_cookie(scope: Scope) -> bool:
    """Whether the request carries a session cookie (valid or not): its pages are the member's own."""
    return bool(_scope_cookies(scope).session_id)


def sets_cookies(scope: Scope) -> bool:
    """Whether the response to this request will set or clear a cookie (SessionCookies writes them)."""
    state = _scope_cookies(scope)
    return bool(state.new_session or state.clear_session or state.new_csrf)


def current_session(request: Request) -> Session | None:
    """The signed-in session, looked up once per request (blocking: call from a plain `def` handler)."""
    cached = request.state._state.get("session", _NO_SESSION)
    if cached is not _NO_SESSION:
        return cached
    cookies = _cookies(request)
    session = None
    if cookies.session_id:
        app_state = request.app.state
        session = sessions.session_for(app_state.store, app_state.config, cookies.session_id)
        if session is None:  # ended, expired or forged: forget the cookie
            cookies.clear_session = True
    request.state.session = session
    request.state.account = session.account if session else None
    return session


def current_account(request: Request) -> StoredAccount | None:
    """The signed-in member, looked up once per request."""
    session = current_session(request)
    return session.account if session else None


def require_account(request: Request) -> StoredAccount:
    account = current_account(request)
    if account is None:
        raise SignInRequired()
    return account


class SignInRequired(Exception):
    """Raised by pages that need a member; the app turns it into a redirect to the sign-in page (or a 401)."""


def sign_in(request: Request, account: StoredAccount) -> None:
    """Start a new server-side session (this browser's previous one ends), with a fresh CSRF token, so a token
    planted before sign-in is worthless afterwards."""
    app_state = request.app.state
    cookies = _cookies(request)
    if cookies.session_id:
        sessions.end_session(app_state.store, cookies.session_id)
    session_id, session = sessions.start_session(
        app_state.store, app_state.config, account, request.headers.get("user-agent", "")
    )
    cookies.new_session, cookies.clear_session = session_id, False
    request.state.session = session
    request.state.account = account


def sign_out(request: Request) -> None:
    """End this browser's session in the store (a copy of the cookie is worthless afterwards)."""
    cookies = _cookies(request)
    if cookies.session_id:
        sessions.end_session(request.app.state.store, cookies.session_id)
    cookies.new_session, cookies.clear_session = None, True
    request.state.session = None
    request.state.account = None


def csrf_token(request: Request) -> str:
    """The CSRF token of the session, or of the visitor's `dp_csrf` cookie (created on first use)."""
    session = current_session(request)
    if session is not None:
        return session.csrf_token
    if request.scope.get(DEFER_CSRF):
        return CSRF_PLACEHOLDER
    return visitor_csrf(request.scope)


def visitor_csrf(scope: Scope) -> str:
    """A signed-out visitor's CSRF token: their `dp_csrf` cookie's, or a new one the response sets."""
    cookies = _scope_cookies(scope)
    if cookies.new_csrf:
        return cookies.new_csrf
    if cookies.anon_csrf and _TOKEN.fullmatch(cookies.anon_csrf):  # what token_urlsafe makes: safe in HTML as is
        return cookies.anon_csrf
    cookies.new_csrf = secrets.token_urlsafe(24)
    return cookies.new_csrf


def check_origin(request: Request) -> None:
    """Refuse a state-changing request whose Origin (or Referer, when there is no Origin) is another site.

    Neither header is required (some privacy tools strip both; the CSRF token still protects those requests), but
    when a browser says where a form came from, it must be this site: the configured site URL or the Host asked.
    """
    source = request.headers.get("origin")
    if source is None:
        referer = request.headers.get("referer")
        if not referer:
            return
        source = referer
    parts = urlsplit(source.strip())
    allowed = {urlsplit(request.app.state.config.site_url).netloc.lower(), request.headers.get("host", "").lower()}
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.netloc.lower() not in allowed:
        shown = source if len(source) <= 100 else source[:100] + "…"
        raise HTTPException(403, f"this request came from another site ({shown}), so it was refused")


def _expected_csrf(request: Request) -> str | None:
    session = current_session(request)
    if session is not None:
        return session.csrf_token
    return _cookies(request).anon_csrf


async def require_csrf(request: Request) -> None:
    """Refuse a POST from another site, or whose form field (or X-CSRF-Token header) does not match the token."""
    check_origin(request)
    sent = request.headers.get(CSRF_HEADER)
    if not sent:
        form = await request.form()
        value = form.get(CSRF_FIELD)
        sent = value if isinstance(value, str) else None
    expected = await run_in_threadpool(_expected_csrf, request)  # a store lookup: never on the event loop
    if not expected or not sent or not hmac.compare_digest(expected.encode(), sent.encode()):
        raise HTTPException(403, "the form expired or came from another site: reload the page and try again")


async def checked_form(request: Request) -> FormData:
    """Dependency for plain `def` form handlers: the form body, read on the event loop after `require_csrf`."""
    await require_csrf(request)
    return await request.form()


CsrfForm = Annotated[FormData, Depends(checked_form)]


def form_text(form: FormData, name: str, default: str = "") -> str:
    value = form.get(name)
    return value if isinstance(value, str) else default


def client_key(request: Request) -> str:
    return request.client.host if request.client else "unknown"


class RateLimited(Exception):
    """Raised by `enforce_limit` (or a sign-in lock); the app answers it with `too_many_requests`."""

    def __init__(self, refused: Refused):
        super().__init__(refused.message)
        self.refused = refused


def enforce_limit(request: Request, name: str, account: StoredAccount | None = None) -> None:
    """Count one attempt of the named limit (services/limits.LIMITS) for this client or account; 429 when over."""
    per = limits.LIMITS[name].per
    if per == "account" and account is None:
        raise ValueError(f"limit {name!r} is counted per account: pass the account")
    key = f"account:{account.id}" if per == "account" and account else f"ip:{client_key(request)}"
    refused = limits.hit(request.app.state.store, request.app.state.config, name, key)
    if refused is not None:
        raise RateLimited(refused)


def fetch_allowed(request: Request, account: StoredAccount) -> bool:
    """The submit services' `may_fetch` check: counts one fetch for the member; over the limit raises RateLimited
    (answered as a 429 with Retry-After like every other limit)."""
    enforce_limit(request, "fetch", account)
    return True


def retry_headers(refused: Refused) -> dict[str, Any]:
    return {"Retry-After": str(refused.retry_after)}
