"""Who is asking, and whether they may: signed-cookie sessions, CSRF tokens and rate limits.

The session cookie is signed (itsdangerous, via Starlette's SessionMiddleware) with `config.secret_key()`, which is
configured or generated into the data directory — never a literal. Every state-changing form carries the session's
CSRF token, and every POST handler of the site's forms calls `require_csrf` before touching anything. Two kinds of
POST deliberately don't, because they are not authorised by the cookie a forged request would ride on: the JSON
API (web/api.py: a bearer token in a header) and the RFC 8058 one-click unsubscribe (a signed link, posted by mail
clients without a session).
"""

from __future__ import annotations

import hmac
import secrets
import threading
import time
from collections import deque

from fastapi import HTTPException, Request

from dailypapers.services.accounts import account_with_id
from dailypapers.storage.accounts import StoredAccount

SESSION_USER = "uid"
SESSION_CSRF = "csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"


def csrf_token(request: Request) -> str:
    """The session's CSRF token, created on first use."""
    token = request.session.get(SESSION_CSRF)
    if not token:
        token = secrets.token_urlsafe(24)
        request.session[SESSION_CSRF] = token
    return str(token)


async def require_csrf(request: Request) -> None:
    """Refuse a POST whose form field (or X-CSRF-Token header) does not match the session's token."""
    expected = request.session.get(SESSION_CSRF)
    sent = request.headers.get(CSRF_HEADER)
    if not sent:
        form = await request.form()
        value = form.get(CSRF_FIELD)
        sent = value if isinstance(value, str) else None
    if not expected or not sent or not hmac.compare_digest(str(expected), sent):
        raise HTTPException(403, "the form expired or came from another site: reload the page and try again")


def current_account(request: Request) -> StoredAccount | None:
    """The signed-in member, looked up once per request."""
    if "account" in request.state._state:
        return request.state.account
    account = None
    uid = request.session.get(SESSION_USER)
    if isinstance(uid, int):
        account = account_with_id(request.app.state.store, uid)
        if account is None:  # deleted since: forget the stale session
            request.session.pop(SESSION_USER, None)
    request.state.account = account
    return account


def require_account(request: Request) -> StoredAccount:
    account = current_account(request)
    if account is None:
        raise SignInRequired()
    return account


class SignInRequired(Exception):
    """Raised by pages that need a member; the app turns it into a redirect to the sign-in page (or a 401)."""


def sign_in(request: Request, account: StoredAccount) -> None:
    # A fresh CSRF token on sign-in, so a token planted before sign-in is worthless afterwards.
    request.session.clear()
    request.session[SESSION_USER] = account.id
    request.session[SESSION_CSRF] = secrets.token_urlsafe(24)
    request.state.account = account


def sign_out(request: Request) -> None:
    request.session.clear()
    request.state.account = None


def client_key(request: Request) -> str:
    return request.client.host if request.client else "unknown"


class RateLimiter:
    """At most `count` events per `seconds` for each key (a sliding window, kept in this process's memory).

    With several server workers each keeps its own window, so the effective limit is count × workers: enough to
    stop password guessing and vote scripts without a shared store.
    """

    def __init__(self, count: int, seconds: float):
        self.count = count
        self.seconds = seconds
        self._events: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def allow(self, key: str) -> bool:
        now = time.monotonic()
        with self._lock:
            window = self._events.setdefault(key, deque())
            while window and now - window[0] >= self.seconds:
                window.popleft()
            if len(window) >= self.count:
                return False
            window.append(now)
            if len(self._events) > 100_000:  # drop idle keys so memory stays bounded
                self._events = {k: v for k, v in self._events.items() if v and now - v[-1] < self.seconds}
            return True

    def retry_after(self, key: str) -> int:
        window = self._events.get(key)
        if not window:
            return 0
        return max(1, int(self.seconds - (time.monotonic() - window[0])) + 1)
