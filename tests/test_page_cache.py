"""The short cache of anonymous pages (web/page_cache.py), through the real app on both engines: what it stores,
what it never stores or serves, and each visitor's own CSRF token in a stored page."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse
from fastapi.testclient import TestClient

from dailypapers.config import Config
from dailypapers.services import accounts
from dailypapers.services.votes import toggle_vote
from dailypapers.storage import Store
from dailypapers.web.app import create_app
from dailypapers.web.auth import CSRF_COOKIE, CSRF_PLACEHOLDER, SessionCookies
from dailypapers.web.page_cache import PageCache
from helpers.site import hf_days, load_days, sign_up, soup

BASE = "http://127.0.0.1:8000"


@pytest.fixture
def day(store: Store, shared: Path) -> tuple[str, str]:
    """One real day of Hugging Face's list: (its feed address, its first paper's id)."""
    days = hf_days(shared, 1)
    load_days(store, days)
    return f"/papers/date/{days[0]['date']}", str(days[0]["papers"][0]["paper"]["id"])


def _app(config: Config, store: Store, seconds: str = "60") -> FastAPI:
    config.values["DAILYPAPERS_PAGE_CACHE_SECONDS"] = seconds
    return create_app(config, store)


def _upvotes(html: str, paper_id: str) -> str:
    card = soup(html).select_one(f'[id="paper-{paper_id}"] .count')
    assert card is not None
    return card.get_text()


def test_an_anonymous_feed_is_answered_from_the_cache_until_a_form_is_posted_to_the_worker(
    config: Config, store: Store, day: tuple[str, str]
) -> None:
    feed, paper_id = day
    app = _app(config, store)
    visitor = TestClient(app, base_url=BASE)
    first = visitor.get(feed)
    assert first.headers["x-page-cache"] == "miss"
    ada = accounts.create_account(store, "ada", "analytical engine")
    toggle_vote(store, ada, paper_id)  # a write this worker did not see (another worker, the CLI)
    again = visitor.get(feed)
    assert again.headers["x-page-cache"] == "hit" and _upvotes(again.text, paper_id) == _upvotes(first.text, paper_id)
    assert "content-security-policy" in again.headers  # security headers on every answer, cached or not

    member = TestClient(app, base_url=BASE)
    sign_up(member, "grace")  # posts forms to this worker: the cache empties
    fresh = visitor.get(feed)
    assert fresh.headers["x-page-cache"] == "miss"
    assert int(_upvotes(fresh.text, paper_id)) == int(_upvotes(first.text, paper_id)) + 1


def test_a_member_is_never_served_a_stored_page_and_their_pages_are_never_stored(
    config: Config, store: Store, day: tuple[str, str]
) -> None:
    feed, paper_id = day
    app = _app(config, store)
    visitor = TestClient(app, base_url=BASE)
    assert visitor.get(feed).headers["x-page-cache"] == "miss"
    member = TestClient(app, base_url=BASE)
    sign_up(member, "grace")
    mine = member.get(feed)
    assert "x-page-cache" not in mine.headers and "grace" in mine.text
    own_paper = member.get(f"/papers/{paper_id}")  # a page the member sees first
    assert "x-page-cache" not in own_paper.headers and "grace" in own_paper.text
    anonymous = TestClient(app, base_url=BASE).get(f"/papers/{paper_id}")
    assert anonymous.headers["x-page-cache"] == "miss" and "grace" not in anonymous.text
    assert "Sign in" in anonymous.text
    member_again = member.get(f"/papers/{paper_id}")  # now stored for anonymous readers, still not for the member
    assert "x-page-cache" not in member_again.headers and "grace" in member_again.text
    token = TestClient(app, base_url=BASE).get(feed, headers={"Authorization": "Bearer dp_not_a_token"})
    assert "x-page-cache" not in token.headers


def test_each_visitor_gets_their_own_csrf_token_in_a_stored_page_and_it_works(
    config: Config, store: Store, day: tuple[str, str]
) -> None:
    feed, _ = day
    app = _app(config, store)
    seen = []
    for _ in range(2):
        visitor = TestClient(app, base_url=BASE)
        page = visitor.get(feed)
        field = soup(page.text).select_one("form[action='/subscribe'] input[name=csrf_token]")
        assert field is not None and CSRF_PLACEHOLDER not in page.text
        assert field["value"] == visitor.cookies[CSRF_COOKIE]  # set on this answer, cached or not
        seen.append((page.headers["x-page-cache"], field["value"]))
        again = visitor.get(feed)  # the visitor's cookie now comes back: the same token, no new cookie
        assert again.headers["x-page-cache"] == "hit" and "set-cookie" not in again.headers
        kept = soup(again.text).select_one("form[action='/subscribe'] input[name=csrf_token]")
        assert kept is not None and kept["value"] == field["value"]
        answer = visitor.post(
            "/subscribe", data={"email": "reader@example.org", "frequency": "daily", "csrf_token": field["value"]}
        )
        assert answer.status_code < 400, answer.text
    assert [state for state, _ in seen] == ["miss", "miss"]  # the subscription (a POST) emptied the cache
    assert seen[0][1] != seen[1][1]


def test_the_api_list_answers_the_same_from_the_cache_and_without_it(
    config: Config, store: Store, day: tuple[str, str]
) -> None:
    feed, _ = day
    date = feed.rsplit("/", 1)[1]
    cached = TestClient(_app(config, store), base_url=BASE)
    uncached = TestClient(_app(config, store, "0"), base_url=BASE)
    for path in (f"/api/daily_papers?date={date}", "/api/daily_papers", f"/api/daily_papers?date={date}&limit=3"):
        expected = uncached.get(path)
        assert "x-page-cache" not in expected.headers
        answers = [cached.get(path) for _ in range(2)]
        assert [a.headers["x-page-cache"] for a in answers] == ["miss", "hit"]
        assert all(a.json() == expected.json() and a.headers["content-type"] == expected.headers["content-type"]
                   for a in answers)  # fmt: skip


def test_with_zero_seconds_nothing_is_stored_and_entries_expire(
    config: Config, store: Store, day: tuple[str, str]
) -> None:
    feed, paper_id = day
    off = TestClient(_app(config, store, "0"), base_url=BASE)
    before = off.get(feed)
    ada = accounts.create_account(store, "ada", "analytical engine")
    toggle_vote(store, ada, paper_id)
    after = off.get(feed)
    assert "x-page-cache" not in after.headers
    assert int(_upvotes(after.text, paper_id)) == int(_upvotes(before.text, paper_id)) + 1

    short = TestClient(_app(config, store, "0.2"), base_url=BASE)
    assert short.get(feed).headers["x-page-cache"] == "miss"
    time.sleep(0.3)  # past its lifetime: made again
    assert short.get(feed).headers["x-page-cache"] == "miss"


def test_an_answer_that_sets_a_cookie_or_says_no_store_is_never_stored() -> None:
    """A small app with the real middleware pair, whose cacheable routes set a cookie or forbid storing."""
    app = FastAPI()

    @app.get("/papers/{arxiv_id}", name="paper")
    def paper(request: Request, arxiv_id: str) -> HTMLResponse:
        response = HTMLResponse(f"<p>{arxiv_id} at {time.perf_counter_ns()}</p>")
        if arxiv_id == "cookie":
            response.set_cookie("seen", "1")
        else:
            response.headers["Cache-Control"] = "no-store"
        return response

    wrapped = SessionCookies(PageCache(app, seconds=60), secure=False, max_age=60)
    client = TestClient(wrapped, base_url=BASE)
    for path in ("/papers/cookie", "/papers/nostore"):
        first, second = client.get(path), client.get(path)
        assert [first.headers["x-page-cache"], second.headers["x-page-cache"]] == ["miss", "miss"]
        assert first.text != second.text
