"""One request holds at most one pooled connection, so 64 concurrent requests over pages and search all succeed.

Connections are counted with SQLAlchemy's pool events on the app's own engine (sized by storage/db.py
pool_options); the concurrency test serves the real app with uvicorn on loopback. Both engines.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from sqlalchemy import event

from dailypapers.config import Config
from dailypapers.storage import Store
from dailypapers.web.app import create_app
from helpers.site import client_for, hf_days, load_days, sign_up

CONCURRENT = 64


@pytest.fixture
def days(store: Store, shared: Path) -> list[dict[str, Any]]:
    loaded = hf_days(shared, 7)
    load_days(store, loaded)
    return loaded


def paths(days: list[dict[str, Any]]) -> list[str]:
    """Pages, feeds, the API and searches of every kind (words, phrase, filters, sorts, an id)."""
    day = days[1]["date"]
    paper_id = days[1]["papers"][0]["paper"]["id"]
    return [
        "/papers",
        f"/papers/date/{day}",
        "/papers/week/2024-W22",
        "/papers/month/2024-05",
        "/papers/trending",
        f"/papers/{paper_id}",
        "/papers?q=language+models",
        '/papers?q="large+language"&sort=newest',
        "/papers?q=diffusion&sort=upvotes",
        "/papers?q=cat:cs.CL",
        f"/papers?q={paper_id}",
        f"/api/daily_papers?date={day}",
        "/api/papers/search?q=vision+transformer",
        f"/api/papers/{paper_id}",
        "/papers.rss?q=reasoning",
        "/healthz",
    ]


class Checkouts:
    """How many connections are checked out of the engine's pool right now, and the most since `reset()`."""

    def __init__(self, store: Store):
        self.current = self.peak = 0
        self._lock = threading.Lock()
        event.listen(store.engine, "checkout", self._out)
        event.listen(store.engine, "checkin", self._in)

    def _out(self, *_args: Any) -> None:
        with self._lock:
            self.current += 1
            self.peak = max(self.peak, self.current)

    def _in(self, *_args: Any) -> None:
        with self._lock:
            self.current -= 1

    def reset(self) -> None:
        with self._lock:
            self.peak = self.current


def test_each_page_and_search_holds_at_most_one_connection(
    config: Config, store: Store, days: list[dict[str, Any]]
) -> None:
    with client_for(config) as client:
        sign_up(client, "ada")  # signed in: the account is read too
        checkouts = Checkouts(client.app.state.store)  # type: ignore[attr-defined]
        held = {}
        for path in paths(days):
            checkouts.reset()
            assert client.get(path).status_code == 200, path
            held[path] = checkouts.peak
    assert {path: n for path, n in held.items() if n > 1} == {}, "connections held at once by one request"


@pytest.fixture
def served(config: Config, store: Store, days: list[dict[str, Any]]) -> Iterator[tuple[str, Store]]:
    """The real app (its own pooled store) under uvicorn on a loopback port, in a thread."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    app = create_app(config)
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "uvicorn did not start"
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}", app.state.store
    server.should_exit = True
    thread.join(timeout=10)
    sock.close()


def test_64_concurrent_requests_over_pages_and_search_all_succeed(
    served: tuple[str, Store], days: list[dict[str, Any]]
) -> None:
    base, app_store = served
    checkouts = Checkouts(app_store)
    wanted = paths(days)
    start = threading.Barrier(CONCURRENT)
    statuses: list[int | str] = []
    lock = threading.Lock()

    def one(number: int) -> None:
        path = wanted[number % len(wanted)]
        with httpx.Client(base_url=base, timeout=120, follow_redirects=True) as http:
            start.wait()
            try:
                status: int | str = http.get(path).status_code
            except httpx.HTTPError as exc:
                status = f"{path}: {type(exc).__name__}"
        with lock:
            statuses.append(status if status == 200 else f"{path}: {status}")

    threads = [threading.Thread(target=one, args=(n,)) for n in range(CONCURRENT)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(180)
    errors = [s for s in statuses if s != 200]
    assert len(statuses) == CONCURRENT and errors == []
    assert checkouts.peak <= int(app_store.engine.pool.size()) + 4  # type: ignore[attr-defined]
