"""The one polite HTTP client every live source uses.

arXiv asks for one request every 3 seconds and answers overload with `503 Retry-After`; a harvest runs for
minutes to hours over flaky networks. So every request here: waits for its host's slot (one interval per host,
shared by every client in the process), is retried with doubling backoff on timeouts, connection resets, 5xx and
replies that cannot be parsed (a truncated body), honours Retry-After up to a bound, and after the last try raises
one `IngestError` that says what failed and why.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Collection, Mapping
from email.utils import parsedate_to_datetime
from importlib.metadata import PackageNotFoundError, version
from typing import Any, Protocol, TypeVar
from urllib.parse import urlsplit
from xml.etree.ElementTree import ParseError

import httpx

from dailypapers.config import Config
from dailypapers.domain import IngestError

log = logging.getLogger("dailypapers.ingest")

T = TypeVar("T")

try:
    _VERSION = version("dailypapers")
except PackageNotFoundError:  # running from a source tree without installing
    _VERSION = "dev"

RETRYABLE_STATUS = frozenset({408, 425, 429, 500, 502, 503, 504})
MAX_BACKOFF = 300.0


class UnreadableReply(ValueError):
    """A parser's way of saying a 200 reply is damaged (cut short, not XML/JSON); the request is retried."""


class Pacer(Protocol):
    """Who decides when the next request to a host may go: this process (PACER) or a store shared by workers."""

    def wait_turn(self, host: str, interval: float) -> None: ...

    def push_back(self, host: str, seconds: float) -> None: ...


class _HostPacer:
    """Earliest next request time per host, process-wide, so two clients never double the rate to one host."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._next: dict[str, float] = {}

    def wait_turn(self, host: str, interval: float) -> None:
        with self._lock:
            now = time.monotonic()
            start = max(now, self._next.get(host, 0.0))
            self._next[host] = start + interval
        if start > now:
            time.sleep(start - now)

    def push_back(self, host: str, seconds: float) -> None:
        """After a Retry-After, nobody in this process talks to the host before the time it named."""
        with self._lock:
            self._next[host] = max(self._next.get(host, 0.0), time.monotonic() + seconds)


PACER = _HostPacer()


class PoliteClient:
    """httpx with pacing, bounded retries and clear errors. Use as a context manager, or call close()."""

    def __init__(self, config: Config, *, interactive: bool = False, pacer: Pacer | None = None):
        """`interactive` is for a person waiting on a web page: at most 2 tries, 10 s waits, 15 s timeouts.

        `pacer` replaces the process-wide one, e.g. with the store's (services/fetches.py) shared by all workers.
        """
        self.pacer: Pacer = pacer or PACER
        self.delay = config.number("DAILYPAPERS_HTTP_DELAY")
        self.tries = max(1, config.integer("DAILYPAPERS_HTTP_RETRIES"))
        self.backoff = config.number("DAILYPAPERS_HTTP_BACKOFF")
        self.max_wait = config.number("DAILYPAPERS_HTTP_MAX_WAIT")
        timeout = config.number("DAILYPAPERS_HTTP_TIMEOUT")
        if interactive:
            self.tries, self.backoff = min(self.tries, 2), min(self.backoff, 2.0)
            self.max_wait, timeout = min(self.max_wait, 10.0), min(timeout, 15.0)
        agent = f"dailypapers/{_VERSION} (+{config.site_url})"
        self._http = httpx.Client(
            timeout=timeout,
            headers={"User-Agent": agent},
            follow_redirects=True,
        )
        self.requests_made = 0

    def __enter__(self) -> PoliteClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    def get(
        self,
        url: str,
        params: Mapping[str, str] | None = None,
        *,
        parse: Callable[[httpx.Response], T],
        accept: Collection[int] = (200,),
    ) -> T:
        """GET `url` and return `parse(reply)`; `accept` lists statuses handed to the parser instead of failing.

        `parse` raises UnreadableReply (or an XML ParseError) for a damaged reply, which is retried like a
        network fault.
        """
        return self._send("GET", url, params, None, None, parse, accept)

    def post_json(
        self,
        url: str,
        body: Mapping[str, Any],
        *,
        parse: Callable[[httpx.Response], T],
        headers: Mapping[str, str] | None = None,
        accept: Collection[int] = (200,),
    ) -> T:
        """POST `body` as JSON with the same pacing, retries and errors as `get` (an LLM's chat endpoint)."""
        return self._send("POST", url, None, body, headers, parse, accept)

    def _send(
        self,
        method: str,
        url: str,
        params: Mapping[str, str] | None,
        body: Mapping[str, Any] | None,
        headers: Mapping[str, str] | None,
        parse: Callable[[httpx.Response], T],
        accept: Collection[int],
    ) -> T:
        host = urlsplit(url).netloc
        shown = _shown(url, params)
        reason = "no attempt made"
        for attempt in range(1, self.tries + 1):
            self.pacer.wait_turn(host, self.delay)
            wait = self._backoff(attempt)
            try:
                self.requests_made += 1
                reply = self._http.request(method, url, params=params, json=body, headers=headers)
            except (httpx.UnsupportedProtocol, httpx.InvalidURL) as exc:
                raise IngestError(f"cannot request {shown}: {exc}") from None
            except httpx.TimeoutException:
                reason = "timed out"
            except httpx.TransportError as exc:  # refused, reset, cut short mid-body
                reason = f"connection failed ({type(exc).__name__}: {exc or 'no detail'})"
            else:
                if reply.status_code in accept:
                    try:
                        return parse(reply)
                    except (UnreadableReply, ParseError) as exc:
                        reason = f"unreadable reply ({exc})"
                elif reply.status_code in RETRYABLE_STATUS:
                    reason = f"HTTP {reply.status_code}"
                    asked = retry_after_seconds(reply.headers.get("Retry-After"))
                    if asked is not None:
                        if asked > self.max_wait:
                            raise IngestError(
                                f"{host} asked to retry {shown} after {asked:.0f} s, longer than "
                                f"DAILYPAPERS_HTTP_MAX_WAIT ({self.max_wait:.0f} s); try again later"
                            )
                        reason += f", Retry-After {asked:g} s"
                        wait = max(wait, asked)
                        self.pacer.push_back(host, asked)
                else:
                    raise IngestError(f"{host} answered HTTP {reply.status_code} for {shown}: {_excerpt(reply)}")
            if attempt < self.tries:
                log.warning("%s: %s; try %d of %d in %.1f s", shown, reason, attempt + 1, self.tries, wait)
                time.sleep(wait)
        raise IngestError(f"gave up on {shown} after {self.tries} tries: {reason}")

    def _backoff(self, attempt: int) -> float:
        return min(MAX_BACKOFF, self.backoff * 2 ** (attempt - 1))


def retry_after_seconds(value: str | None) -> float | None:
    """Retry-After is either seconds or an HTTP date; None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def _shown(url: str, params: Mapping[str, Any] | None) -> str:
    if not params:
        return url
    query = "&".join(f"{k}={v}" for k, v in params.items() if v not in (None, ""))
    text = f"{url}?{query}"
    return text if len(text) <= 160 else text[:157] + "..."


def _excerpt(reply: httpx.Response) -> str:
    text = " ".join(reply.text.split())
    return (text[:200] + "...") if len(text) > 200 else (text or "(empty body)")
