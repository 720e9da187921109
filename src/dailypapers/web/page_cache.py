"""A few seconds' cache of the pages everyone sees alike: feeds, trending, paper pages, the API's list and paper.

Pure ASGI middleware inside `SessionCookies` (web/app.py), one cache per server worker. What it stores is narrow:

- only GET requests with no session cookie (valid or not) and no Authorization header: a signed-in member's page
  or a token's answer is never stored, and never served from here;
- only the routes in `CACHED` (search results are not: the same words rarely come twice in a few seconds);
- only a complete 200 answer that sets no cookie, carries no `Cache-Control: no-store`/`private`, and was made
  while no form was posted to this worker (see below).

The one per-visitor value on those pages is the signed-out visitor's CSRF token (the digest invitation's form): the
handler writes a placeholder instead (auth.DEFER_CSRF) and every answer, stored or fresh, gets the visitor's own
token written in, with its cookie set when the visitor had none. There are no CSP nonces to share (web/headers.py:
scripts are files, never inline). Entries live `DAILYPAPERS_PAGE_CACHE_SECONDS` (0: no cache); any POST, PUT,
PATCH or DELETE to this worker (a vote, a submission, a comment) empties it before and after it runs, so its
writer's next anonymous page is fresh. Other workers and the CLI's writes show within that many seconds.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from dataclasses import dataclass
from urllib.parse import parse_qs

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from dailypapers.web.auth import CSRF_PLACEHOLDER, DEFER_CSRF, has_session_cookie, sets_cookies, visitor_csrf

CACHED = frozenset(
    {
        "papers",  # the latest day (`/papers?q=` is search, not stored)
        "papers_of_day",
        "papers_of_week",
        "papers_of_month",
        "trending",
        "paper",
        "api_daily_papers",
        "api_paper",
    }
)
PREFIXES = ("/papers", "/api/daily_papers", "/api/papers/")  # a cheap first test before any buffering
MAX_ENTRIES = 512  # per worker, least recently used dropped first (a feed page is ~50-100 kB)
_PLACEHOLDER = CSRF_PLACEHOLDER.encode()


@dataclass
class _Entry:
    status: int
    headers: list[tuple[bytes, bytes]]  # without content-length (the body's length changes with the token)
    body: bytes
    deferred: bool  # the body holds the CSRF placeholder
    expires: float


class PageCache:
    def __init__(self, app: ASGIApp, seconds: float, max_entries: int = MAX_ENTRIES) -> None:
        self.app = app
        self.seconds = seconds
        self.max_entries = max_entries
        self.entries: OrderedDict[tuple[str, bytes, str], _Entry] = OrderedDict()
        self.generation = 0  # bumped by every write: an answer made across one is not stored

    def clear(self) -> None:
        self.generation += 1
        self.entries.clear()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self.seconds <= 0:
            await self.app(scope, receive, send)
            return
        if scope["method"] not in ("GET", "HEAD"):
            self.clear()
            try:
                await self.app(scope, receive, send)
            finally:
                self.clear()
            return
        if not self._eligible(scope):
            await self.app(scope, receive, send)
            return
        key = (scope["path"], scope.get("query_string", b""), Headers(scope=scope).get("host", ""))
        entry = self.entries.get(key)
        if entry is not None and entry.expires > time.monotonic():
            self.entries.move_to_end(key)
            await _answer(scope, send, entry, b"hit")
            return
        await self._miss(scope, receive, send, key)

    def _eligible(self, scope: Scope) -> bool:
        if scope["method"] != "GET" or not scope["path"].startswith(PREFIXES) or has_session_cookie(scope):
            return False
        if any(name == b"authorization" for name, _ in scope.get("headers", ())):
            return False
        return not (scope["path"] == "/papers" and _has_query_words(scope.get("query_string", b"")))

    async def _miss(self, scope: Scope, receive: Receive, send: Send, key: tuple[str, bytes, str]) -> None:
        scope[DEFER_CSRF] = True
        generation = self.generation
        start: Message | None = None
        chunks: list[bytes] = []
        complete = False

        async def capture(message: Message) -> None:
            nonlocal start, complete
            if message["type"] == "http.response.start":
                start = message
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
                complete = not message.get("more_body", False)

        await self.app(scope, receive, capture)
        if start is None:
            return
        body = b"".join(chunks)
        headers = [(name, value) for name, value in start.get("headers", ()) if name.lower() != b"content-length"]
        entry = _Entry(start["status"], headers, body, _PLACEHOLDER in body, time.monotonic() + self.seconds)
        route = scope.get("route")
        if (
            complete
            and entry.status == 200
            and getattr(route, "name", None) in CACHED
            and generation == self.generation
            and not sets_cookies(scope)
            and not _private(headers)
        ):
            self.entries[key] = entry
            self.entries.move_to_end(key)
            while len(self.entries) > self.max_entries:
                self.entries.popitem(last=False)
        await _answer(scope, send, entry, b"miss")


async def _answer(scope: Scope, send: Send, entry: _Entry, state: bytes) -> None:
    """Send an entry, with this visitor's CSRF token in the placeholder's place (set as a cookie if new)."""
    body = entry.body.replace(_PLACEHOLDER, visitor_csrf(scope).encode()) if entry.deferred else entry.body
    start: Message = {"type": "http.response.start", "status": entry.status, "headers": list(entry.headers)}
    headers = MutableHeaders(scope=start)
    headers["content-length"] = str(len(body))
    headers["x-page-cache"] = state.decode()
    await send(start)
    await send({"type": "http.response.body", "body": body if scope["method"] != "HEAD" else b""})


def _private(headers: list[tuple[bytes, bytes]]) -> bool:
    for name, value in headers:
        lowered = name.lower()
        if lowered == b"set-cookie":
            return True
        if lowered == b"cache-control" and (b"no-store" in value.lower() or b"private" in value.lower()):
            return True
    return False


def _has_query_words(query_string: bytes) -> bool:
    return any(value.strip() for value in parse_qs(query_string.decode("latin-1")).get("q", []))
