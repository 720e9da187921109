"""A few seconds' cache of the pages everyone sees alike: feeds, trending, paper pages, the API's list and paper.

Pure ASGI middleware inside `SessionCookies` (web/app.py), one cache per server worker. What it stores is narrow:

- only GET requests with no session cookie (valid or not) and no Authorization header: a signed-in member's page
  or a token's answer is never stored, and never served from here;
- only the routes in `CACHED`; search results (`/papers?q=`, `/api/papers/search`) are kept apart, in a smaller
  LRU of their own (`MAX_SEARCHES`), so a crawler walking endless distinct queries only churns that one and never
  pushes the feeds and paper pages out, and its memory stays bounded (entries x page size, see
  docs/architecture.md);
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
        "papers",  # the latest day, and `/papers?q=` search pages (in the search LRU)
        "papers_of_day",
        "papers_of_week",
        "papers_of_month",
        "trending",
        "paper",
        "api_daily_papers",
        "api_paper",
        "api_search",  # in the search LRU
    }
)
PREFIXES = ("/papers", "/api/daily_papers", "/api/papers/")  # a cheap first test before any buffering
MAX_ENTRIES = 512  # per worker, least recently used dropped first (a feed page is ~50-100 kB)
MAX_SEARCHES = 256  # per worker, apart from those: a search page of 20 cards is ~30 kB, so ~8 MB at most
_PLACEHOLDER = CSRF_PLACEHOLDER.encode()


@dataclass
class _Entry:
    status: int
    headers: list[tuple[bytes, bytes]]  # without content-length (the body's length changes with the token)
    body: bytes
    deferred: bool  # the body holds the CSRF placeholder
    expires: float


class _Shelf(OrderedDict[tuple[str, bytes, str], _Entry]):
    """Entries by (path, query string, host), least recently used first, at most `bound` of them."""

    def __init__(self, bound: int) -> None:
        super().__init__()
        self.bound = bound


class PageCache:
    def __init__(
        self, app: ASGIApp, seconds: float, max_entries: int = MAX_ENTRIES, max_searches: int = MAX_SEARCHES
    ) -> None:
        self.app = app
        self.seconds = seconds
        self.entries = _Shelf(max_entries)
        self.searches = _Shelf(max_searches)
        self.generation = 0  # bumped by every write: an answer made across one is not stored

    def clear(self) -> None:
        self.generation += 1
        self.entries.clear()
        self.searches.clear()

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
        shelf = self.searches if _is_search(scope) else self.entries
        entry = shelf.get(key)
        if entry is not None and entry.expires > time.monotonic():
            shelf.move_to_end(key)
            await _answer(scope, send, entry, b"hit")
            return
        await self._miss(scope, receive, send, key, shelf)

    def _eligible(self, scope: Scope) -> bool:
        if scope["method"] != "GET" or not scope["path"].startswith(PREFIXES) or has_session_cookie(scope):
            return False
        return not any(name == b"authorization" for name, _ in scope.get("headers", ()))

    async def _miss(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        key: tuple[str, bytes, str],
        shelf: _Shelf,
    ) -> None:
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
            shelf[key] = entry
            shelf.move_to_end(key)
            while len(shelf) > shelf.bound:
                shelf.popitem(last=False)
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


def _is_search(scope: Scope) -> bool:
    """A search's results (kept in the search LRU): the API's search, or `/papers` with query words."""
    if scope["path"] == "/api/papers/search":
        return True
    query_string = scope.get("query_string", b"")
    return (
        scope["path"] == "/papers"
        and b"q=" in query_string
        and any(value.strip() for value in parse_qs(query_string.decode("latin-1")).get("q", []))
    )
