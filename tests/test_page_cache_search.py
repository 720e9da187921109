"""Search results in the short cache of anonymous pages (web/page_cache.py), through the real app on both engines:
stored for signed-out visitors only, the same answers with the cache as without, kept apart from the feeds so many
distinct searches never push those out; and the search page's paging over its 20-card pages."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse
from fastapi.testclient import TestClient
from sqlalchemy import event

from dailypapers.config import Config
from dailypapers.search.service import SearchRequest, search_papers
from dailypapers.storage import Store
from dailypapers.storage.fulltext import ENOUGH_ALL_WORDS, SearchFilters
from dailypapers.web.app import create_app
from dailypapers.web.auth import SESSION_COOKIE, SessionCookies
from dailypapers.web.page_cache import PageCache
from dailypapers.web.pages_feed import SEARCH_PAGE_SIZE
from helpers.site import hf_days, load_days, sign_up, soup

BASE = "http://127.0.0.1:8000"
QUERY = "language models"  # held by dozens of the first days' papers: several pages of results


@pytest.fixture
def days(store: Store, shared: Path) -> list[dict[str, Any]]:
    loaded = hf_days(shared, 12)
    load_days(store, loaded)
    return loaded


def _app(config: Config, store: Store, seconds: str = "60") -> FastAPI:
    config.values["DAILYPAPERS_PAGE_CACHE_SECONDS"] = seconds
    return create_app(config, store)


def _cards(html: str) -> list[str]:
    return [str(li["id"]).removeprefix("paper-") for li in soup(html).select("ol.cards > li.card")]


def _next(html: str) -> str | None:
    link = soup(html).select_one("nav .pager a[rel=next]")
    return str(link["href"]) if link is not None else None


def test_an_anonymous_search_page_is_stored_and_answers_as_an_uncached_one_does(
    config: Config, store: Store, days: list[dict[str, Any]]
) -> None:
    cached = TestClient(_app(config, store), base_url=BASE)
    uncached = TestClient(_app(Config(dict(config.values)), store, "0"), base_url=BASE)
    for params in ({"q": QUERY}, {"q": QUERY, "page": "1"}, {"q": QUERY, "sort": "newest"}):
        expected = uncached.get("/papers", params=params)
        assert expected.status_code == 200 and "x-page-cache" not in expected.headers
        answers = [cached.get("/papers", params=params) for _ in range(2)]
        assert [a.headers["x-page-cache"] for a in answers] == ["miss", "hit"]
        assert all(_cards(a.text) == _cards(expected.text) != [] for a in answers)
        assert all(a.text == expected.text for a in answers)  # nothing on it differs between visitors
    api = "/api/papers/search"
    expected_json = uncached.get(api, params={"q": QUERY}).json()
    answers = [cached.get(api, params={"q": QUERY}) for _ in range(2)]
    assert [a.headers["x-page-cache"] for a in answers] == ["miss", "hit"]
    assert all(a.json() == expected_json for a in answers) and len(expected_json) == 20
    token = cached.get(api, params={"q": QUERY}, headers={"Authorization": "Bearer dp_not_a_token"})
    assert "x-page-cache" not in token.headers


def test_a_members_search_is_never_stored_nor_served_from_the_cache(
    config: Config, store: Store, days: list[dict[str, Any]]
) -> None:
    app = _app(config, store)
    member = TestClient(app, base_url=BASE)
    sign_up(member, "grace")
    mine = member.get("/papers", params={"q": QUERY})
    assert mine.status_code == 200 and "x-page-cache" not in mine.headers and "grace" in mine.text
    anonymous = TestClient(app, base_url=BASE).get("/papers", params={"q": QUERY})
    assert anonymous.headers["x-page-cache"] == "miss" and "grace" not in anonymous.text  # the member's not kept
    again = member.get("/papers", params={"q": QUERY})  # now stored for visitors, still made afresh for her
    assert "x-page-cache" not in again.headers and "grace" in again.text and "Not interested" in again.text
    stale = TestClient(app, base_url=BASE, cookies={SESSION_COOKIE: "not-a-session"})
    cleared = stale.get("/papers", params={"q": QUERY})  # a session cookie, even a dead one: never the cache
    assert cleared.status_code == 200 and "x-page-cache" not in cleared.headers


def test_a_search_answer_that_sets_a_cookie_is_never_stored() -> None:
    """A small app with the real middleware pair whose `/papers?q=` sets a cookie on every answer."""
    app = FastAPI()

    @app.get("/papers", name="papers")
    def papers(request: Request, q: str = "") -> HTMLResponse:
        response = HTMLResponse(f"<p>{q} at {time.perf_counter_ns()}</p>")
        response.set_cookie("seen", "1")
        return response

    client = TestClient(SessionCookies(PageCache(app, seconds=60), secure=False, max_age=60), base_url=BASE)
    first, second = client.get("/papers?q=graphs"), client.get("/papers?q=graphs")
    assert [first.headers["x-page-cache"], second.headers["x-page-cache"]] == ["miss", "miss"]
    assert first.text != second.text


def test_many_distinct_searches_churn_only_their_own_bounded_part_of_the_cache(
    config: Config, store: Store, days: list[dict[str, Any]]
) -> None:
    config.values["DAILYPAPERS_PAGE_CACHE_SECONDS"] = "60"
    inner = create_app(config, store)
    cache = _page_cache(inner)
    cache.searches.bound = 3
    visitor = TestClient(inner, base_url=BASE)
    feed = f"/papers/date/{days[0]['date']}"
    assert visitor.get(feed).headers["x-page-cache"] == "miss"
    words = ["vision", "language", "video", "reasoning", "diffusion"]
    for word in words:  # a crawler's walk through queries
        assert visitor.get("/papers", params={"q": word}).headers["x-page-cache"] == "miss"
    assert len(cache.searches) == 3 and len(cache.entries) == 1
    assert visitor.get(feed).headers["x-page-cache"] == "hit"  # the feed stayed
    assert visitor.get("/papers", params={"q": words[-1]}).headers["x-page-cache"] == "hit"
    assert visitor.get("/papers", params={"q": words[0]}).headers["x-page-cache"] == "miss"  # the oldest went


def test_search_pages_show_twenty_results_each_and_page_through_every_match_once(
    config: Config, store: Store, days: list[dict[str, Any]]
) -> None:
    client = TestClient(_app(config, store, "0"), base_url=BASE)
    ranked = search_papers(store, config, SearchRequest(q=QUERY, limit=100))
    assert ranked.total > 2 * SEARCH_PAGE_SIZE  # at least three pages
    seen: list[str] = []
    path: str | None = "/papers?" + f"q={QUERY.replace(' ', '+')}"
    while path is not None:
        page = client.get(path)
        assert page.status_code == 200
        cards = _cards(page.text)
        assert len(cards) == SEARCH_PAGE_SIZE or _next(page.text) is None
        seen += cards
        path = _next(page.text)
    assert seen == [hit.paper.id for hit in ranked.hits][: ranked.total] and len(set(seen)) == len(seen)
    counted = soup(client.get("/papers", params={"q": QUERY}).text).select_one(".result-count")
    assert counted is not None and counted.get_text().startswith(f"{ranked.total} papers matched")


def test_hits_asked_for_without_snippets_are_the_same_papers_in_the_same_order(
    config: Config, store: Store, days: list[dict[str, Any]]
) -> None:
    shown = search_papers(store, config, SearchRequest(q=QUERY, limit=30))
    bare = search_papers(store, config, SearchRequest(q=QUERY, limit=30, snippets=False))
    assert [h.paper.id for h in bare.hits] == [h.paper.id for h in shown.hits] and bare.total == shown.total
    assert all(h.snippet == "" for h in bare.hits) and all("<mark>" in h.snippet for h in shown.hits[:5])


def _page_cache(app: Any) -> PageCache:
    """The app's PageCache, found by walking its middleware stack (built on first use)."""
    if app.middleware_stack is None:
        app.middleware_stack = app.build_middleware_stack()
    layer = app.middleware_stack
    while not isinstance(layer, PageCache):
        layer = layer.app
    return layer


def test_the_all_words_ranking_is_read_once_per_transaction(
    config: Config, store: Store, days: list[dict[str, Any]]
) -> None:
    """A search asks for it as the candidates' first tier (enough papers hold every word), then as the fusion's
    every-word tier: the second ask runs no statement; a new transaction, which may see new papers, ranks again."""
    words = QUERY.split()
    statements: list[str] = []

    def seen(_conn: Any, _cursor: Any, sql: str, *_rest: Any) -> None:
        statements.append(sql)

    event.listen(store.engine, "before_cursor_execute", seen)
    try:
        with store.read() as conn:
            first = store.text_index.candidates(conn, words, [], SearchFilters(), 100)
            asked = len(statements)
            every = store.text_index.candidates(conn, [], [[w] for w in words], SearchFilters(), 100)
            assert every == first and len(first) >= ENOUGH_ALL_WORDS and len(statements) == asked
        with store.read() as conn:
            assert store.text_index.candidates(conn, [], [[w] for w in words], SearchFilters(), 100) == first
            assert len(statements) > asked
    finally:
        event.remove(store.engine, "before_cursor_execute", seen)
