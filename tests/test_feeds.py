"""RSS 2.0 and Atom feeds, read back with feedparser: valid (no bozo), in the feed's order, escaping safely."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import feedparser
import pytest
from fastapi.testclient import TestClient

from dailypapers.config import Config
from dailypapers.queries import feed as q
from dailypapers.storage import Store
from helpers.feed_data import add, listed, paper
from helpers.site import client_for, hf_days, load_days

SITE = "http://127.0.0.1:8000"


@pytest.fixture
def days(store: Store, shared: Path) -> list[dict[str, Any]]:
    loaded = hf_days(shared, 4)
    load_days(store, loaded)
    return loaded


@pytest.fixture
def client(config: Config, store: Store) -> Iterator[TestClient]:
    with client_for(config, store) as c:
        yield c


def parsed(client: TestClient, path: str, version: str) -> Any:
    response = client.get(path)
    assert response.status_code == 200, response.text
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == version
    return feed


@pytest.mark.parametrize(("suffix", "version"), [("rss", "rss20"), ("atom", "atom10")])
def test_the_daily_feed_lists_the_latest_day_most_upvoted_first(
    client: TestClient, store: Store, config: Config, days: list[dict[str, Any]], suffix: str, version: str
) -> None:
    feed = parsed(client, f"/papers.{suffix}", version)
    latest = q.feed(store, config)
    assert [e.link for e in feed.entries] == [f"{SITE}/papers/{item.paper.id}" for item in latest.items]
    assert days[-1]["date"] in feed.feed.title
    first = feed.entries[0]
    assert first.title == latest.items[0].paper.title
    assert first.published_parsed is not None or first.updated_parsed is not None
    assert latest.items[0].paper.authors[0] in str(first.get("author", "")) + str(first.get("authors", ""))
    assert [t.term for t in first.get("tags", [])] == latest.items[0].paper.categories


@pytest.mark.parametrize(("suffix", "version"), [("rss", "rss20"), ("atom", "atom10")])
def test_a_chosen_day_and_a_bad_day(client: TestClient, days: list[dict[str, Any]], suffix: str, version: str) -> None:
    day = days[0]
    feed = parsed(client, f"/papers.{suffix}?date={day['date']}", version)
    assert {e.link.rsplit("/", 1)[1] for e in feed.entries} == {p["paper"]["id"] for p in day["papers"]}
    bad = client.get(f"/papers.{suffix}?date=2024-02-31")
    assert bad.status_code == 400


@pytest.mark.parametrize(("suffix", "version"), [("rss", "rss20"), ("atom", "atom10")])
def test_the_trending_feed_follows_the_trending_order(
    client: TestClient, store: Store, config: Config, days: list[dict[str, Any]], suffix: str, version: str
) -> None:
    feed = parsed(client, f"/papers/trending.{suffix}", version)
    hot = q.trending(store, config)
    assert [e.link.rsplit("/", 1)[1] for e in feed.entries] == [item.paper.id for item in hot.items]
    assert len(feed.entries) > 10


@pytest.mark.parametrize(("suffix", "version"), [("rss", "rss20"), ("atom", "atom10")])
def test_markup_and_control_characters_in_papers_cannot_break_a_feed(
    client: TestClient, store: Store, suffix: str, version: str
) -> None:
    title = 'Why <script>alert("x")</script> & ]]> break "naive" feeds'
    record = paper("2611.00001", title=title, abstract="Bad\x0bbytes \x1f and <b>tags</b> &amp; $\\alpha<1$.")
    add(store, listed(record, datetime.now(UTC).date() - timedelta(days=1)))
    feed = parsed(client, f"/papers.{suffix}", version)
    assert len(feed.entries) == 1 and feed.entries[0].title == title
    assert "α<1" in feed.entries[0].summary or "α&lt;1" in feed.entries[0].summary  # math as plain text


@pytest.mark.parametrize(("path", "version"), [("/papers.rss", "rss20"), ("/papers/trending.atom", "atom10")])
def test_an_empty_store_still_serves_valid_feeds(client: TestClient, path: str, version: str) -> None:
    assert parsed(client, path, version).entries == []


def test_a_search_feed_lists_the_matches(client: TestClient, days: list[dict[str, Any]]) -> None:
    target = days[0]["papers"][0]["paper"]
    words = " ".join(target["title"].split()[:6])
    feed = parsed(client, f"/papers.rss?q={words}", "rss20")
    assert feed.entries and feed.entries[0].link == f"{SITE}/papers/{target['id']}"
    assert words in feed.feed.title
